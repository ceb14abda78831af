/**
 * Every exercise, against the real sandbox through POST /api/check: its
 * solution passes every check, and the lesson's starting files fail at least
 * one (an exercise that starts solved teaches nothing), and so does each of its
 * wrong answers (exercise/wrong/<case>/: the answer typed without the work,
 * which a check of printed text alone would pass). And none of its hidden
 * files reaches the built site.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { CheckResult } from '../../src/lib/protocol.ts';
import { CHECKS_FILE, EXERCISE_DIR, SOLUTION_DIR, TESTS_DIR, WRONG_DIR } from '../../src/lib/exercise.ts';
import { startServer, type LabServer } from '../helpers/server.ts';
import { listFiles, readTree } from '../helpers/files.ts';
import { startingFilesOf } from '../helpers/starting-files.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const CONTENT = join(ROOT, 'content');
const SITE = process.env.SITE_DIR ?? join(ROOT, 'dist');

const exercises = readdirSync(CONTENT, { withFileTypes: true })
  .filter((c) => c.isDirectory())
  .flatMap((c) =>
    readdirSync(join(CONTENT, c.name), { withFileTypes: true })
      .filter((l) => l.isDirectory() && existsSync(join(CONTENT, c.name, l.name, EXERCISE_DIR, CHECKS_FILE)))
      .map((l) => `${c.name}/${l.name}`),
  );

/** The built site's text files (pages, scripts, data). */
const siteFiles = () =>
  listFiles(SITE)
    .filter((name) => /\.(html|js|json|txt|css|xml)$/.test(name))
    .map((name) => join(SITE, name));

describe('exercises: the solution passes, the starting files do not', () => {
  let lab: LabServer;
  before(async () => {
    lab = await startServer();
  });
  after(() => lab?.stop());

  const check = async (lesson: string, files: Record<string, string>): Promise<CheckResult> => {
    const res = await fetch(`${lab.url}/api/check`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ lesson, files }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    return res.json() as Promise<CheckResult>;
  };

  test('there are exercises', () => assert.ok(exercises.length >= 2, exercises.join(', ')));

  for (const id of exercises) {
    const starting = startingFilesOf(id);
    const solution = readTree(join(CONTENT, id, EXERCISE_DIR, SOLUTION_DIR));

    test(`${id}: the solution passes every check`, async () => {
      const result = await check(id, { ...starting, ...solution });
      assert.equal(result.status, 'pass', JSON.stringify(result, null, 2));
      assert.ok(result.tests.length > 0);
      // What the exercise's own code imports is never a reason for a teacher to look (server/grading/review.ts).
      assert.equal(result.review, undefined);
    });

    test(`${id}: the starting files fail at least one check`, async () => {
      const result = await check(id, starting);
      assert.notEqual(result.status, 'pass', JSON.stringify(result, null, 2));
    });

    const wrongDir = join(CONTENT, id, EXERCISE_DIR, WRONG_DIR);
    const wrongCases = existsSync(wrongDir) ? readdirSync(wrongDir) : [];
    for (const name of wrongCases) {
      test(`${id}: the wrong answer ${WRONG_DIR}/${name} builds and fails a check`, async () => {
        const result = await check(id, { ...starting, ...readTree(join(wrongDir, name)) });
        // 'fail', not 'error': a wrong answer that does not even compile would prove nothing about the checks.
        assert.equal(result.status, 'fail', JSON.stringify(result, null, 2));
      });
    }

    test(`${id}: no hidden test file reaches the built site`, () => {
      const hidden = Object.values(readTree(join(CONTENT, id, EXERCISE_DIR, TESTS_DIR)))
        .concat(readFileSync(join(CONTENT, id, EXERCISE_DIR, CHECKS_FILE), 'utf8'))
        // A distinctive line of each hidden file: its longest one.
        .map((text) =>
          text
            .split('\n')
            .sort((a, b) => b.length - a.length)[0]
            .trim(),
        );
      for (const path of siteFiles()) {
        const text = readFileSync(path, 'utf8');
        for (const line of hidden) assert.ok(!text.includes(line), `${relative(SITE, path)} contains ${JSON.stringify(line)}`);
      }
    });
  }
});
