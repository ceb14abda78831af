/**
 * The workspace API: a lesson's files per session, saved edits that the
 * sandbox sees at once, Reset, persistence across a server restart, and
 * refusal to write through symlinks a learner planted.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { newDataDir, startServer, type LabServer } from '../helpers/server.ts';
import { newSession, postRun } from '../helpers/api.ts';
import { mountsUnder } from '../helpers/host.ts';

const LESSON = 'go-run/what-go-run-does';
const q = `lesson=${encodeURIComponent(LESSON)}`;

async function getFiles(url: string, cookie?: string) {
  const res = await fetch(`${url}/api/workspace/files?${q}`, { headers: cookie ? { cookie } : {} });
  return { status: res.status, setCookie: res.headers.get('set-cookie'), body: await res.json() };
}

async function putFiles(url: string, cookie: string, files: unknown) {
  const res = await fetch(`${url}/api/workspace/files?${q}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ files }),
  });
  return { status: res.status, body: await res.json() };
}

describe('workspace API', () => {
  const dataDir = newDataDir();
  let lab: LabServer;
  before(async () => {
    lab = await startServer({ dataDir });
  });
  after(async () => {
    await lab?.stop();
  });

  test('first visit makes a session (HttpOnly cookie) and returns the starting files', async () => {
    const r = await getFiles(lab.url);
    assert.equal(r.status, 200);
    assert.match(r.setCookie ?? '', /^lab_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax/);
    assert.equal(r.body.lesson, LESSON);
    const names = r.body.files.map((f: { name: string }) => f.name);
    assert.ok(names.includes('main.go') && names.includes('go.mod'), names.join());
    assert.match(r.body.files.find((f: { name: string }) => f.name === 'main.go').content, /^package main/m);
  });

  test('a made-up session id is not honoured: the server issues its own', async () => {
    const forged = 'lab_session=' + 'A'.repeat(43);
    const r = await getFiles(lab.url, forged);
    assert.equal(r.status, 200);
    assert.ok(r.setCookie && !r.setCookie.includes('A'.repeat(43)));
  });

  test('saved edits are in the workspace at once, and survive a server restart', async () => {
    const { cookie, files } = await newSession(lab.url, LESSON);
    const edited = files.find((f) => f.name === 'main.go')!.content.replace(/package main/, 'package main // edited by the test');
    assert.equal((await putFiles(lab.url, cookie, { 'main.go': edited, 'notes/todo.txt': 'a new file\n' })).status, 200);
    const seen = await postRun(lab.url, { files: {}, command: 'head -1 main.go; cat notes/todo.txt', lesson: LESSON }, cookie);
    assert.equal(seen.stdout, 'package main // edited by the test\na new file\n');

    await lab.stop();
    assert.deepEqual(mountsUnder(dataDir), [], 'a server that stops unmounts its workspaces');
    lab = await startServer({ dataDir });
    const again = await getFiles(lab.url, cookie);
    assert.equal(again.setCookie, null, 'the old session is still valid');
    assert.equal(again.body.files.find((f: { name: string }) => f.name === 'main.go').content, edited);
  });

  test('Reset restores the starting files', async () => {
    const { cookie, files } = await newSession(lab.url, LESSON);
    const start = files.find((f) => f.name === 'main.go')!.content;
    await putFiles(lab.url, cookie, { 'main.go': 'package main\n\nfunc main() {}\n' });
    const res = await fetch(`${lab.url}/api/workspace/reset?${q}`, { method: 'POST', headers: { cookie } });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).files.find((f: { name: string }) => f.name === 'main.go').content, start);
    assert.equal((await getFiles(lab.url, cookie)).body.files.find((f: { name: string }) => f.name === 'main.go').content, start);
  });

  test('bad requests get 4xx with a message', async () => {
    const { cookie } = await newSession(lab.url, LESSON);
    assert.equal((await fetch(`${lab.url}/api/workspace/files`)).status, 400);
    assert.equal((await fetch(`${lab.url}/api/workspace/files?lesson=nope`)).status, 404);
    const bad = await putFiles(lab.url, cookie, { '../../../etc/cron.d/x': 'boom' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /contains "\.\."/);
  });

  test('a symlink planted in the workspace is refused, and its target is untouched', async () => {
    const { cookie } = await newSession(lab.url, LESSON);
    const target = '/etc/hostname';
    const before = readFileSync(target, 'utf8');
    const beforeMtime = statSync(target).mtimeMs;
    // The learner replaces main.go with a symlink to a host file, and the folder itself with one to /etc.
    const plant = await postRun(
      lab.url,
      { files: {}, command: `ln -sf ${target} main.go && mkdir -p ../x && ln -s /etc ../x/d && ls -l main.go`, lesson: LESSON },
      cookie,
    );
    assert.equal(plant.exit?.code, 0, plant.stderr);
    const put = await putFiles(lab.url, cookie, { 'main.go': 'pwned\n' });
    assert.equal(put.status, 409);
    assert.match(put.body.error, /symlink/);
    const viaRun = await postRun(lab.url, { files: { 'main.go': 'pwned\n' }, command: 'true', lesson: LESSON }, cookie);
    assert.equal(viaRun.status, 409);
    const get = await getFiles(lab.url, cookie);
    assert.equal(get.status, 409, 'reading through the symlink is refused too');
    assert.equal(readFileSync(target, 'utf8'), before);
    assert.equal(statSync(target).mtimeMs, beforeMtime);
    // Reset replaces the link (never writing through it) with the starting file: the lesson works again.
    assert.equal((await fetch(`${lab.url}/api/workspace/reset?${q}`, { method: 'POST', headers: { cookie } })).status, 200);
    assert.equal(readFileSync(target, 'utf8'), before);
    assert.equal(statSync(target).mtimeMs, beforeMtime);
    assert.equal((await getFiles(lab.url, cookie)).status, 200);
    const after = await postRun(lab.url, { files: {}, command: 'test ! -L main.go && go run .', lesson: LESSON }, cookie);
    assert.equal(after.exit?.code, 0, after.stderr);
  });
});
