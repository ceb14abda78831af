/**
 * The bound on a stored submission (server/classroom/limits.ts
 * MAX_SUBMISSION_BYTES, MAX_SUBMISSION_FILES) against the exercises it must
 * hold: every exercise's workspace with its solution fits with room to spare,
 * and larger ones are refused with a 413 that names the limit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { MAX_SUBMISSION_BYTES, MAX_SUBMISSION_FILES } from '../../../server/classroom/limits.ts';
import { submissionSize } from '../../../server/classroom/validate.ts';
import { startingFilesOf } from '../../helpers/starting-files.ts';

const CONTENT = join(import.meta.dirname, '..', '..', '..', 'content');

function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

/** Each exercise's workspace as a learner submits it: the lesson's files, the solution's over them. */
function solvedWorkspaces(): Array<{ lesson: string; files: Record<string, string> }> {
  const solutions = walk(CONTENT)
    .filter((p) => p.includes('/exercise/solution/'))
    .map((p) => p.slice(0, p.indexOf('/exercise/solution/')));
  return [...new Set(solutions)].map((lessonDir) => {
    // The starting files (inherited ones too), the solution's over them.
    const files: Record<string, string> = startingFilesOf(relative(CONTENT, lessonDir));
    const base = join(lessonDir, 'exercise', 'solution');
    for (const p of walk(base)) files[relative(base, p)] = readFileSync(p, 'utf8');
    return { lesson: relative(CONTENT, lessonDir), files };
  });
}

test('every exercise solved fits a submission with room to spare (8 times the bytes, twice the files)', () => {
  const workspaces = solvedWorkspaces();
  assert.ok(workspaces.length >= 10, `found ${workspaces.length} exercises with a solution`);
  for (const { lesson, files } of workspaces) {
    const bytes = Object.values(files).reduce((n, c) => n + Buffer.byteLength(c), 0);
    assert.ok(bytes * 8 <= MAX_SUBMISSION_BYTES, `${lesson}: ${bytes} bytes`);
    assert.ok(Object.keys(files).length * 2 <= MAX_SUBMISSION_FILES, `${lesson}: ${Object.keys(files).length} files`);
    assert.equal(submissionSize(files), files);
  }
});

test('one byte or one file over the limit is a 413 that names the limit', () => {
  const exact = { 'a.go': 'x'.repeat(MAX_SUBMISSION_BYTES - 2), 'b.go': 'é' };
  assert.equal(submissionSize(exact), exact, 'the limit itself fits (UTF-8 bytes are counted)');
  assert.throws(
    () => submissionSize({ ...exact, 'c.go': 'x' }),
    (err: any) => err.status === 413 && /at most 64 KiB of files; these are 65 KiB/.test(err.message),
  );
  const many = Object.fromEntries(Array.from({ length: MAX_SUBMISSION_FILES + 1 }, (_, i) => [`f${i}.go`, '']));
  assert.throws(
    () => submissionSize(many),
    (err: any) => err.status === 413 && /at most 16 files; these are 17/.test(err.message),
  );
});
