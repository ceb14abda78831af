/**
 * A Check of code that does not compile against the hidden tests says what is
 * missing in the compiler's words, but never names the hidden test files
 * (or their lines): a learner should not see the grader's file names.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckResult } from '../../src/lib/protocol.ts';
import { startServer, type LabServer } from '../helpers/server.ts';

const LESSON = 'go-test/the-test-binary';
const DIR = join(import.meta.dirname, '..', '..', 'content', LESSON);
const file = (path: string) => readFileSync(join(DIR, path), 'utf8');

let lab: LabServer;
before(async () => {
  lab = await startServer();
});
after(() => lab?.stop());

test('the starting code\'s Check: "undefined: Mul" without the hidden file\'s name', async () => {
  const files = { 'calc.go': file('files/calc.go'), 'calc_test.go': file('files/calc_test.go'), 'go.mod': file('files/go.mod') };
  const res = await fetch(`${lab.url}/api/check`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ lesson: LESSON, files }),
  });
  const result = (await res.json()) as CheckResult;
  assert.equal(result.status, 'error', JSON.stringify(result));
  assert.match(result.message ?? '', /a hidden test: undefined: Mul/);
  const hidden = JSON.parse(file('exercise/checks.json')).tests as string[];
  for (const name of [...hidden, '_test.go:']) assert.ok(!JSON.stringify(result).includes(name), `${name} in ${result.message}`);
});
