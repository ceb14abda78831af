/**
 * A page without its own files/ (src/lib/starting-files.ts) gets a working
 * workspace all the same: its folder is made from the files the page inherits,
 * the sandbox builds them, and Reset writes them back. The content suite checks
 * the resolution itself (tests/content/starting-files.test.ts); this is the
 * workspace path end to end.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, type LabServer } from '../helpers/server.ts';
import { newSession, postRun } from '../helpers/api.ts';

const CONTENT = join(import.meta.dirname, '..', '..', 'content');
/** A second page of a chapter that has no files/ of its own, and the first page it inherits from. */
const LESSON = 'go-run/build-flags-and-cache';
const FROM = 'go-run/what-go-run-does';

let lab: LabServer;
before(async () => {
  lab = await startServer();
});
after(() => lab?.stop());

test('the page has no files/ of its own (else this test proves nothing)', () => {
  assert.equal(existsSync(join(CONTENT, LESSON, 'files')), false);
});

test("a page's workspace is made from the files it inherits; the sandbox runs them; Reset writes them back", async () => {
  const { cookie, files } = await newSession(lab.url, LESSON);
  const inherited = (name: string) => readFileSync(join(CONTENT, FROM, 'files', name), 'utf8');
  assert.deepEqual(
    files.map((f) => f.name),
    ['main.go', 'go.mod'],
  );
  for (const f of files) assert.equal(f.content, inherited(f.name), f.name);

  // The folder in the sandbox holds them: go run builds and runs them there.
  const run = await postRun(lab.url, { files: {}, command: 'go run .', lesson: LESSON, observe: false }, cookie);
  assert.equal(run.exit?.code, 0, run.stderr);
  assert.match(run.stdout, /^Hello from the Go Build Lab!$/m);

  // Break both, then Reset: the inherited contents come back.
  const broken = await postRun(lab.url, { files: {}, command: 'rm go.mod && echo broken > main.go', lesson: LESSON, observe: false }, cookie);
  assert.equal(broken.exit?.code, 0, broken.stderr);
  const reset = await fetch(`${lab.url}/api/workspace/reset?lesson=${encodeURIComponent(LESSON)}`, { method: 'POST', headers: { cookie } });
  assert.equal(reset.status, 200);
  const after = (await reset.json()) as { files: Array<{ name: string; content: string }> };
  for (const f of after.files) assert.equal(f.content, inherited(f.name), f.name);
  const again = await postRun(lab.url, { files: {}, command: 'cat go.mod && go run .', lesson: LESSON, observe: false }, cookie);
  assert.equal(again.exit?.code, 0, again.stderr);
  assert.equal(again.stdout, `${inherited('go.mod')}Hello from the Go Build Lab!\n`);
});
