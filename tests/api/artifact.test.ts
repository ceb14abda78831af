/**
 * GET /api/workspace/artifact: the compiler's ssa.html after a real GOSSAFUNC
 * build in the sandbox, served sandboxed (CSP), and everything it refuses:
 * missing files, paths outside the allow-list or the lesson folder, oversized
 * files, and symlinks or hard links a learner planted under the allowed name.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startServer, type LabServer } from '../helpers/server.ts';
import { newSession, postRun } from '../helpers/api.ts';
import { loadConfig } from '../../server/config.ts';
import { ssaCommand } from '../../src/client/deep-dive-commands.ts';

const LESSON = 'go-run/what-go-run-does';
const MAX = loadConfig().MAX_ARTIFACT_BYTES;

async function artifact(url: string, path: string | null, cookie?: string, lesson = LESSON) {
  const q = new URLSearchParams({ lesson });
  if (path !== null) q.set('path', path);
  const res = await fetch(`${url}/api/workspace/artifact?${q}`, { headers: cookie ? { cookie } : {} });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body, text: body.toString('utf8') };
}

/** A shell command in the session's lesson folder (observe: false, as typed). */
async function sh(url: string, cookie: string, command: string) {
  const r = await postRun(url, { files: {}, command, lesson: LESSON, observe: false }, cookie);
  assert.equal(r.status, 200, r.error);
  return r;
}

describe('artifact API', () => {
  let lab: LabServer;
  let cookie: string;
  before(async () => {
    lab = await startServer();
    ({ cookie } = await newSession(lab.url, LESSON));
  });
  after(async () => {
    await lab?.stop();
  });

  test('serves ssa.html after a real GOSSAFUNC build, sandboxed by its own CSP', async () => {
    const build = await sh(lab.url, cookie, ssaCommand('main'));
    assert.equal(build.exit?.code, 0, build.stderr);
    assert.match(build.stderr, /^dumped SSA for main,1 to \.\/ssa\.html$/m);
    const inSandbox = (await sh(lab.url, cookie, 'sha256sum ssa.html')).stdout.split(' ')[0];

    const r = await artifact(lab.url, 'ssa.html', cookie);
    assert.equal(r.status, 200, r.text.slice(0, 200));
    assert.equal(createHash('sha256').update(r.body).digest('hex'), inSandbox, 'exactly the file the compiler wrote');
    assert.match(r.text, /^<html>/);
    assert.match(r.text, /<title>main func\(\)<\/title>|main/);
    assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
    const csp = r.headers.get('content-security-policy') ?? '';
    assert.match(csp, /^sandbox allow-scripts(;|$)/);
    assert.doesNotMatch(csp, /allow-same-origin/);
    assert.match(csp, /frame-ancestors 'self'/);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(r.headers.get('x-frame-options'), 'SAMEORIGIN');
    assert.equal(r.headers.get('cache-control'), 'no-store');
  });

  test('404 when the file is missing, the lesson is unknown or there is no workspace', async () => {
    const other = await newSession(lab.url, LESSON);
    const missing = await artifact(lab.url, 'ssa.html', other.cookie);
    assert.equal(missing.status, 404);
    assert.match(JSON.parse(missing.text).error, /no ssa\.html in the lesson folder/);
    assert.equal((await artifact(lab.url, 'ssa.html', other.cookie, 'no/such-lesson')).status, 404);
    const anonymous = await artifact(lab.url, 'ssa.html');
    assert.equal(anonymous.status, 404);
    assert.equal(anonymous.headers.get('set-cookie'), null, 'reading makes no session');
    // The first session's dump is not the second one's.
    assert.equal((await artifact(lab.url, 'ssa.html', other.cookie)).status, 404);
  });

  test('400 for paths outside the lesson folder or the allow-list', async () => {
    for (const path of [
      '../ssa.html',
      '../../../../etc/passwd',
      '/etc/passwd',
      '/home/learner/go-run/what-go-run-does/ssa.html',
      'sub/../ssa.html',
      './ssa.html',
      'main.go',
      'go.mod',
      'ssa.htm',
      'SSA.HTML',
      'ssa.html/',
      'ssa.html\0',
      'a\\ssa.html',
      '',
    ]) {
      const r = await artifact(lab.url, path, cookie);
      assert.equal(r.status, 400, `${JSON.stringify(path)}: ${r.status} ${r.text.slice(0, 120)}`);
      assert.equal(typeof JSON.parse(r.text).error, 'string');
    }
    assert.equal((await artifact(lab.url, null, cookie)).status, 400);
    const raw = await fetch(`${lab.url}/api/workspace/artifact?lesson=${encodeURIComponent(LESSON)}&path=%2e%2e%2fssa.html`, { headers: { cookie } });
    assert.equal(raw.status, 400);
    const post = await fetch(`${lab.url}/api/workspace/artifact?lesson=${encodeURIComponent(LESSON)}&path=ssa.html`, { method: 'POST', headers: { cookie } });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET');
  });

  test('a symlink or hard link named ssa.html is refused (409) and nothing is leaked', async () => {
    const { cookie: c } = await newSession(lab.url, LESSON);
    const cases: Array<[string, RegExp]> = [
      ['ln -sf /etc/passwd ssa.html', /root:/],
      ['ln -sf main.go ssa.html', /package main/],
      [`ln -sf /home/learner/${LESSON}/go.mod ssa.html`, /module example/],
      ['ln -f go.mod ssa.html', /module example/],
    ];
    for (const [plant, secret] of cases) {
      const made = await sh(lab.url, c, `rm -f ssa.html && ${plant} && ls -l ssa.html`);
      assert.equal(made.exit?.code, 0, made.stderr);
      const r = await artifact(lab.url, 'ssa.html', c);
      assert.equal(r.status, 409, `${plant}: ${r.status}`);
      assert.match(JSON.parse(r.text).error, /refused to touch .*ssa\.html.*(symlink|hard links)/);
      assert.doesNotMatch(r.text, secret, plant);
    }
  });

  test('a symlinked lesson folder on the way is refused too', async () => {
    const { cookie: c } = await newSession(lab.url, LESSON);
    const made = await sh(
      lab.url,
      c,
      `cd ~ && echo '<html>decoy</html>' > /tmp/x && mkdir -p decoy/what-go-run-does && cp /tmp/x decoy/what-go-run-does/ssa.html && mv go-run go-run.real && ln -s decoy go-run && echo ok`,
    );
    assert.equal(made.stdout.trim(), 'ok', made.stderr);
    const r = await artifact(lab.url, 'ssa.html', c);
    assert.equal(r.status, 409);
    assert.doesNotMatch(r.text, /decoy/);
  });

  test('413 above MAX_ARTIFACT_BYTES; exactly the limit is served', async () => {
    const { cookie: c } = await newSession(lab.url, LESSON);
    const at = await sh(lab.url, c, `head -c ${MAX} /dev/zero | tr '\\0' x > ssa.html && stat -c %s ssa.html`);
    assert.equal(at.stdout.trim(), String(MAX), at.stderr);
    const ok = await artifact(lab.url, 'ssa.html', c);
    assert.equal(ok.status, 200);
    assert.equal(ok.body.length, MAX);
    await sh(lab.url, c, 'printf y >> ssa.html');
    const big = await artifact(lab.url, 'ssa.html', c);
    assert.equal(big.status, 413);
    assert.match(JSON.parse(big.text).error, /larger than \d+ bytes/);
    await sh(lab.url, c, 'rm ssa.html');
  });
});
