/**
 * GET /api/workspace/list and Reset's clean start: what a learner's processes
 * put in a lesson folder is listed (text with content, binaries and huge files
 * by name, symlinks and FIFOs never followed or opened), within bounds however
 * the folder was stuffed; Reset removes all of it and keeps only the starting
 * files. Every name and file here is what an attacker would plant.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { WorkspaceListing } from '../../src/lib/protocol.ts';
import { MAX_LISTED_FILES } from '../../server/workspace/lesson-folder.ts';
import { startServer, type LabServer } from '../helpers/server.ts';
import { newSession, postRun } from '../helpers/api.ts';

const LESSON = 'go-run/what-go-run-does';
const q = `lesson=${encodeURIComponent(LESSON)}`;

async function list(url: string, cookie: string): Promise<{ status: number; body: WorkspaceListing }> {
  const res = await fetch(`${url}/api/workspace/list?${q}`, { headers: { cookie }, signal: AbortSignal.timeout(20_000) });
  return { status: res.status, body: (await res.json()) as WorkspaceListing };
}

async function sh(url: string, cookie: string, command: string) {
  const r = await postRun(url, { files: {}, command, lesson: LESSON }, cookie);
  assert.equal(r.exit?.code, 0, `${command}: ${r.stderr}`);
  return r.stdout;
}

async function reset(url: string, cookie: string) {
  const res = await fetch(`${url}/api/workspace/reset?${q}`, { method: 'POST', headers: { cookie } });
  assert.equal(res.status, 200, await res.text());
}

describe('workspace listing and Reset', () => {
  let lab: LabServer;
  before(async () => {
    lab = await startServer();
  });
  after(async () => {
    await lab?.stop();
  });

  test('starting files first, a new text file with its content, a built binary by name only', async () => {
    const { cookie, files } = await newSession(lab.url, LESSON);
    await sh(
      lab.url,
      cookie,
      'printf "package main\\n\\nvar extra = 1\\n" > extra.go && mkdir -p notes && echo hi > notes/a.txt && go build -o hello . && printf "\\0\\1\\2" > small.bin',
    );
    const { status, body } = await list(lab.url, cookie);
    assert.equal(status, 200);
    assert.deepEqual(
      body.files.slice(0, files.length).map((f) => [f.name, f.starting]),
      files.map((f) => [f.name, true]),
    );
    const byName = new Map(body.files.map((f) => [f.name, f]));
    assert.deepEqual(byName.get('extra.go'), { name: 'extra.go', kind: 'text', bytes: 28, starting: false, content: 'package main\n\nvar extra = 1\n' });
    assert.equal(byName.get('notes/a.txt')?.content, 'hi\n');
    const bin = byName.get('hello');
    assert.equal(bin?.kind, 'binary');
    assert.ok(bin.bytes > 100_000 && bin.content === undefined, JSON.stringify({ ...bin, content: bin.content?.slice(0, 20) }));
    assert.deepEqual(byName.get('small.bin'), { name: 'small.bin', kind: 'binary', bytes: 3, starting: false });
    assert.equal(body.truncated, false);
  });

  test('a symlink to /etc/passwd, a FIFO, a huge file: listed by name, never followed, opened or read', async () => {
    const { cookie } = await newSession(lab.url, LESSON);
    await sh(lab.url, cookie, 'ln -s /etc/passwd passwd && ln -s / root && mkfifo pipe && yes | head -c 5000000 > huge.txt && ln -s ../../.. up');
    const t0 = Date.now();
    const { status, body } = await list(lab.url, cookie);
    assert.equal(status, 200);
    assert.ok(Date.now() - t0 < 10_000, 'the listing did not wait on the FIFO');
    const byName = new Map(body.files.map((f) => [f.name, f]));
    assert.deepEqual(byName.get('passwd'), { name: 'passwd', kind: 'symlink', bytes: 0, starting: false });
    assert.deepEqual(byName.get('root'), { name: 'root', kind: 'symlink', bytes: 0, starting: false });
    assert.deepEqual(byName.get('up'), { name: 'up', kind: 'symlink', bytes: 0, starting: false });
    assert.deepEqual(byName.get('pipe'), { name: 'pipe', kind: 'other', bytes: 0, starting: false });
    assert.deepEqual(byName.get('huge.txt'), { name: 'huge.txt', kind: 'large', bytes: 5_000_000, starting: false });
    assert.doesNotMatch(JSON.stringify(body), /root:x:0|\/bin\/sh|"etc\//, 'nothing of the host in the answer');
    await reset(lab.url, cookie);
    assert.deepEqual(
      (await list(lab.url, cookie)).body.files.map((f) => f.starting),
      [true, true],
      'all gone but the starting files',
    );
    assert.equal(await sh(lab.url, cookie, 'test -e /etc/passwd && echo host-intact'), 'host-intact\n');
  });

  test('thousands of files: the answer is bounded and says it was cut; Reset removes them all', async () => {
    const { cookie } = await newSession(lab.url, LESSON);
    await sh(lab.url, cookie, 'mkdir many && cd many && seq 1 5000 | xargs touch && cd .. && for i in $(seq 1 100); do echo "// $i" > f$i.go; done');
    const t0 = Date.now();
    const { status, body } = await list(lab.url, cookie);
    assert.equal(status, 200);
    assert.ok(Date.now() - t0 < 10_000);
    assert.ok(body.files.length >= MAX_LISTED_FILES && body.files.length <= MAX_LISTED_FILES + 2, String(body.files.length));
    assert.equal(body.truncated, true);
    assert.ok(body.files[0].starting && body.files[1].starting, 'the starting files are never crowded out');
    await reset(lab.url, cookie);
    assert.equal(await sh(lab.url, cookie, 'ls -A | sort | tr "\\n" " "'), 'go.mod main.go ');
  });

  test('a tree 40 deep and odd names (newline, quote, not UTF-8, leading dash): listed safely, Reset removes them', async () => {
    const { cookie } = await newSession(lab.url, LESSON);
    await sh(
      lab.url,
      cookie,
      [
        'd=deep; for i in $(seq 1 40); do d=$d/d; done; mkdir -p $d && echo bottom > $d/f.txt',
        `touch "$(printf 'new\\nline.go')" "quote\\"'.txt" -- -rf "$(printf 'bad\\377name')"`,
        'mkdir emptydir && chmod 000 emptydir',
      ].join(' && '),
    );
    const { status, body } = await list(lab.url, cookie);
    assert.equal(status, 200);
    const names = body.files.map((f) => f.name);
    assert.ok(names.includes('deep/d/d/d/d/d/d/d/'), `the walk stops at the depth limit: ${names.join(' | ')}`);
    assert.ok(!names.some((n) => n.split('/').length > 9));
    const nl = body.files.find((f) => f.name === 'new\nline.go');
    assert.equal(nl?.kind, 'binary', 'a name a save would refuse is not offered as editable text');
    assert.equal(body.files.find((f) => f.name === `quote"'.txt`)?.kind, 'text');
    assert.ok(names.includes('-rf'));
    assert.ok(
      names.some((n) => n.startsWith('bad')),
      names.join(' | '),
    );
    await reset(lab.url, cookie);
    assert.equal(await sh(lab.url, cookie, 'ls -A | sort | tr "\\n" " "'), 'go.mod main.go ');
    assert.equal(await sh(lab.url, cookie, 'go run . >/dev/null && echo runs'), 'runs\n');
  });

  test('Reset: a starting file swapped for a symlink, a folder where go.mod was: exactly the starting files again', async () => {
    const { cookie, files } = await newSession(lab.url, LESSON);
    await sh(lab.url, cookie, 'rm main.go go.mod && ln -s /etc/passwd main.go && mkdir -p go.mod/sub && echo "package main" > zz.go');
    const listed = (await list(lab.url, cookie)).body.files.find((f) => f.name === 'main.go');
    assert.deepEqual(listed, { name: 'main.go', kind: 'symlink', bytes: 0, starting: true });
    await reset(lab.url, cookie);
    const after = (await list(lab.url, cookie)).body;
    assert.deepEqual(
      after.files.map((f) => [f.name, f.content]),
      files.map((f) => [f.name, f.content]),
      'nothing moved aside is left either',
    );
  });

  test('a lesson that does not exist, and no lesson: 4xx', async () => {
    const { cookie } = await newSession(lab.url, LESSON);
    for (const query of ['lesson=nope/none', 'lesson=..%2F..%2Fetc', '']) {
      const res = await fetch(`${lab.url}/api/workspace/list?${query}`, { headers: { cookie } });
      assert.ok(res.status >= 400 && res.status < 500, `${query}: ${res.status}`);
    }
  });
});
