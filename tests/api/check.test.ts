/**
 * POST /api/check: a lesson's exercise checks run in the sandbox against the
 * learner's files (hidden tests placed after them), answered in the shape of
 * Exercism's results.json v3.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckResult } from '../../src/lib/protocol.ts';
import { startServer, type LabServer } from '../helpers/server.ts';
import { siteWithoutExercises } from '../helpers/manifest.ts';

const CONTENT = join(import.meta.dirname, '..', '..', 'content');
const RUN_LESSON = 'go-run/what-go-run-does';
const TEST_LESSON = 'go-test/the-test-binary';
const file = (lesson: string, path: string) => readFileSync(join(CONTENT, lesson, path), 'utf8');

describe('POST /api/check', () => {
  let lab: LabServer;
  // A short program time limit: the hidden tests' binary stops itself after it (go test -timeout).
  before(async () => {
    lab = await startServer({ env: { PROGRAM_TIMEOUT_MS: '3000' } });
  });
  after(() => lab?.stop());

  const check = async (body: unknown): Promise<{ status: number; result: CheckResult & { error?: string } }> => {
    const res = await fetch(`${lab.url}/api/check`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, result: await res.json() };
  };
  const calcFiles = (calc: string, extra: Record<string, string> = {}) => ({
    'calc.go': calc,
    'calc_test.go': file(TEST_LESSON, 'files/calc_test.go'),
    'go.mod': file(TEST_LESSON, 'files/go.mod'),
    ...extra,
  });

  test('command checks: the solution passes every one', async () => {
    const { status, result } = await check({
      lesson: RUN_LESSON,
      files: { 'main.go': file(RUN_LESSON, 'exercise/solution/main.go'), 'go.mod': file(RUN_LESSON, 'files/go.mod') },
    });
    assert.equal(status, 200);
    assert.equal(result.status, 'pass', JSON.stringify(result));
    assert.deepEqual(
      result.tests.map((t) => t.status),
      ['pass', 'pass', 'pass', 'pass', 'pass'],
    );
  });

  test('command checks: the starting files fail the ones they do not meet, each says why', async () => {
    const { result } = await check({ lesson: RUN_LESSON, files: { 'main.go': file(RUN_LESSON, 'files/main.go'), 'go.mod': file(RUN_LESSON, 'files/go.mod') } });
    assert.equal(result.status, 'fail');
    assert.deepEqual(
      result.tests.map((t) => t.status),
      ['fail', 'pass', 'fail', 'fail', 'fail'],
    );
    assert.match(result.tests[0].message ?? '', /expected a line that reads exactly "Hello, Ada!"/);
    assert.match(result.tests[0].output ?? '', /Hello from the Go Build Lab!/);
    assert.match(result.tests[2].message ?? '', /the command exited with status 0; this check expects status 1/);
  });

  test('hidden tests: the solution passes, and go vet is clean', async () => {
    const { result } = await check({ lesson: TEST_LESSON, files: calcFiles(file(TEST_LESSON, 'exercise/solution/calc.go')) });
    assert.equal(result.status, 'pass', JSON.stringify(result));
    assert.deepEqual(
      result.tests.map((t) => `${t.name}:${t.status}`),
      ['TestMulCheck:pass', 'TestSumCheck:pass', 'go vet finds nothing:pass'],
    );
  });

  test("hidden tests: code that does not compile is an error, with the compiler's words", async () => {
    const { result } = await check({ lesson: TEST_LESSON, files: calcFiles(file(TEST_LESSON, 'files/calc.go')) });
    assert.equal(result.status, 'error');
    assert.match(result.message ?? '', /undefined: Mul/);
  });

  test('hidden tests: a wrong answer fails that test with its own message; a test that never ran fails too', async () => {
    const wrong = file(TEST_LESSON, 'exercise/solution/calc.go').replace('return a * b', 'return a + b');
    const { result } = await check({ lesson: TEST_LESSON, files: calcFiles(wrong) });
    assert.equal(result.status, 'fail');
    const mul = result.tests.find((t) => t.name === 'TestMulCheck')!;
    assert.equal(mul.status, 'fail');
    assert.match(mul.output ?? '', /Mul\(2, 3\) = 5, want 6/);
    assert.equal(result.tests.find((t) => t.name === 'TestSumCheck')?.status, 'pass');

    // Mul ends the test binary: TestMulCheck never reaches its end, so it fails;
    // each hidden test runs in a binary of its own, so TestSumCheck still passes.
    const exits = file(TEST_LESSON, 'exercise/solution/calc.go')
      .replace('package calc\n', 'package calc\n\nimport "os"\n')
      .replace('return a * b', 'os.Exit(0)\n\treturn 0');
    const cut = await check({ lesson: TEST_LESSON, files: calcFiles(exits) });
    assert.equal(cut.result.status, 'fail', JSON.stringify(cut.result));
    const cutMul = cut.result.tests.find((t) => t.name === 'TestMulCheck')!;
    assert.equal(cutMul.status, 'fail');
    assert.match(cutMul.message ?? '', /did not finish/);
    assert.equal(cut.result.tests.find((t) => t.name === 'TestSumCheck')?.status, 'pass');
  });

  test('a learner file named like a hidden test is replaced by it: the checks cannot be rewritten', async () => {
    const fake = 'package calc\n\nimport "testing"\n\nfunc TestMulCheck(t *testing.T) {}\n\nfunc TestSumCheck(t *testing.T) {}\n';
    const { result } = await check({ lesson: TEST_LESSON, files: calcFiles(file(TEST_LESSON, 'files/calc.go'), { 'exercise_check_test.go': fake }) });
    assert.equal(result.status, 'error', 'the real checks ran, and Mul does not exist');
    assert.match(result.message ?? '', /undefined: Mul/);
    assert.doesNotMatch(JSON.stringify(result), /want 10/, "the hidden test's source is not sent back");
  });

  test('hidden tests: a test that never ends stops at the program time limit, named, as an error', async () => {
    const endless = file(TEST_LESSON, 'exercise/solution/calc.go').replace('return a * b', 'for {\n\t}');
    const { status, result } = await check({ lesson: TEST_LESSON, files: calcFiles(endless) });
    assert.equal(status, 200);
    assert.equal(result.status, 'fail', JSON.stringify(result));
    const hung = result.tests.find((t) => t.status === 'error');
    assert.ok(hung, JSON.stringify(result));
    assert.match(hung.message ?? '', /did not finish within 3s \(time limit\)/);
    assert.match(hung.output ?? '', /panic: test timed out after 3s/);
  });

  test('bad requests: unknown lesson 404, bad files 400', async () => {
    assert.equal((await check({ lesson: 'nope/nope', files: {} })).status, 404);
    assert.equal((await check({ lesson: RUN_LESSON, files: { '../x.go': '' } })).status, 400);
    assert.equal((await check({ lesson: RUN_LESSON })).status, 400);
  });
});

// Every lesson of the course has an exercise: the case of one without is made
// (tests/helpers/manifest.ts), although its content folder still has the checks.
describe('POST /api/check on a lesson without an exercise', () => {
  let lab: LabServer;
  let site: ReturnType<typeof siteWithoutExercises>;
  before(async () => {
    site = siteWithoutExercises(RUN_LESSON);
    lab = await startServer({ env: { SITE_DIR: site.dir } });
  });
  after(async () => {
    await lab?.stop();
    site?.remove();
  });

  test('404 with a sentence saying so, and nothing runs', async () => {
    const res = await fetch(`${lab.url}/api/check`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ lesson: RUN_LESSON, files: {} }),
    });
    assert.equal(res.status, 404);
    assert.match(((await res.json()) as { error?: string }).error ?? '', /has no exercise/);
  });
});
