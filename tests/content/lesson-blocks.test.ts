/**
 * The Go Tour's rule, for every lesson: each runnable block (```sh try) runs
 * in the real sandbox, in the lesson's folder of a session, with the lesson's
 * starting files, and its output and exit status must be what the lesson
 * says. A claim the toolchain contradicts fails here.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { extractTryBlocks } from './blocks.ts';
import { startServer, type LabServer } from '../helpers/server.ts';
import { newSession, postRun } from '../helpers/api.ts';
import { startingFilesOf } from '../helpers/starting-files.ts';

const CONTENT = join(import.meta.dirname, '..', '..', 'content');

const lessons = readdirSync(CONTENT, { withFileTypes: true })
  .filter((c) => c.isDirectory())
  .flatMap((c) =>
    readdirSync(join(CONTENT, c.name), { withFileTypes: true })
      .filter((l) => l.isDirectory() && existsSync(join(CONTENT, c.name, l.name, 'index.mdx')))
      .map((l) => `${c.name}/${l.name}`),
  );

/** The lesson's starting files (inherited ones too), as the `files` object of a Run request (relative name -> content). */
const startingFiles = startingFilesOf;

describe('lesson blocks run as the lessons say', () => {
  let lab: LabServer;
  before(async () => {
    lab = await startServer();
  });
  after(() => lab?.stop());

  test('there are lessons, each with runnable blocks', () => {
    assert.ok(lessons.length > 0, 'no lessons found under content/');
    for (const id of lessons) {
      assert.ok(extractTryBlocks(readFileSync(join(CONTENT, id, 'index.mdx'), 'utf8')).length > 0, `${id} has no runnable blocks`);
    }
  });

  for (const id of lessons) {
    const blocks = extractTryBlocks(readFileSync(join(CONTENT, id, 'index.mdx'), 'utf8'));
    const files = startingFiles(id);
    describe(id, () => {
      let cookie = '';
      before(async () => {
        cookie = (await newSession(lab.url, id)).cookie;
      });
      for (const block of blocks) {
        test(`${id}:${block.line} ${block.command.split('\n')[0]}`, async () => {
          // Each block starts from the lesson's starting files: files other blocks created are removed
          // (the reset), and the Run request carries the starting files, as the workbench's Run does.
          // Reset rewrites the starting files only: empty the folder first, so files
          // an earlier block made (a binary, vendor/, a .git) are gone too, as in
          // tests/content/local-check.ts. (The session's HOME and cache stay.)
          const clean = await postRun(lab.url, { files: {}, command: 'find . -mindepth 1 -delete', lesson: id, observe: false }, cookie);
          assert.equal(clean.exit?.code, 0, `emptying the lesson folder of ${id}: ${clean.stderr}`);
          const reset = await fetch(`${lab.url}/api/workspace/reset?lesson=${encodeURIComponent(id)}`, { method: 'POST', headers: { cookie } });
          assert.equal(reset.status, 200, `reset of ${id}: ${reset.status}`);
          const r = await postRun(lab.url, { files, command: block.command, lesson: id }, cookie);
          const output = r.stdout + r.stderr;
          const where = `content/${id}/index.mdx:${block.line}\n$ ${block.command}\n--- output ---\n${output}\n--- exit ${JSON.stringify(r.exit)}${r.error ? ` error ${r.error}` : ''}`;
          assert.equal(r.status, 200, where);
          assert.equal(r.exit?.code, block.exit, `exit status\n${where}`);
          if (block.expect) assert.match(output, block.expect, where);
        });
      }
    });
  }
});
