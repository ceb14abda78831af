/** Exercises: checks.json and the exercise folder (src/lib/exercise.ts), declared tests, and reading go test -json and command output into results (server/grading/results.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkExerciseFolder, parseExerciseChecks } from '../../../src/lib/exercise.ts';
import { commandResult, goTestResults, overall, truncate } from '../../../server/grading/results.ts';
import { declaredTests } from '../../../server/grading/exercise.ts';

test('checks.json: a malformed one is refused, naming the file and the field', () => {
  const bad = (text: string, re: RegExp) => assert.throws(() => parseExerciseChecks(text, 'content/a/b/exercise/checks.json'), re);
  bad('{', /content\/a\/b\/exercise\/checks\.json: not valid JSON/);
  bad('{}', /checks\.json: \(top level\): an exercise needs at least one test file or command check/);
  bad('{"tests": ["../x_test.go"]}', /checks\.json: tests\.0: a test file name ending in _test\.go/);
  bad('{"commands": [{"name": "n", "run": "go run .", "expect": "("}]}', /checks\.json: commands\.0\.expect: must be a valid JavaScript regular expression/);
  bad('{"commands": [{"name": "n"}]}', /commands\.0\.run/);
  bad('{"commands": [{"name": "n", "run": "x"}], "extra": 1}', /extra/);
  assert.deepEqual(parseExerciseChecks('{"commands": [{"name": "n", "run": "x"}]}', 'f'), { tests: [], commands: [{ name: 'n', run: 'x', exit: 0 }] });
});

test('the exercise folder must match the frontmatter: checks, named tests, a solution', () => {
  const root = mkdtempSync(join(tmpdir(), 'lab-ex-'));
  const dir = join(root, 'ch/l/exercise');
  assert.doesNotThrow(() => checkExerciseFolder(root, 'ch/l', false), 'no exercise, no folder');
  mkdirSync(join(dir, 'tests'), { recursive: true });
  assert.throws(() => checkExerciseFolder(root, 'ch/l', false), /has content\/ch\/l\/exercise\/ but no `exercise` in its frontmatter/);
  assert.throws(() => checkExerciseFolder(root, 'ch/l', true), /checks\.json does not exist/);
  writeFileSync(join(dir, 'checks.json'), '{"tests": ["a_test.go"]}');
  assert.throws(() => checkExerciseFolder(root, 'ch/l', true), /tests lists "a_test\.go", but content\/ch\/l\/exercise\/tests\/a_test\.go does not exist/);
  writeFileSync(join(dir, 'tests/a_test.go'), 'package x');
  assert.throws(() => checkExerciseFolder(root, 'ch/l', true), /solution\/ is missing or empty/);
  mkdirSync(join(dir, 'solution'));
  writeFileSync(join(dir, 'solution/main.go'), 'package main');
  assert.doesNotThrow(() => checkExerciseFolder(root, 'ch/l', true));
});

test('declared tests are the Test functions of a file', () => {
  assert.deepEqual(
    declaredTests(
      'package x\nfunc TestA(t *testing.T) {}\nfunc TestB_2( tt  *testing.T ) {}\nfunc helper(t *testing.T) {}\n// func TestC(t *testing.T)\nfunc BenchmarkD(b *testing.B) {}\n',
    ),
    ['TestA', 'TestB_2'],
  );
});

// Lines as `go test -json` (Go 1.26) writes them.
const ev = (o: Record<string, unknown>) => JSON.stringify({ Time: '2026-01-01T00:00:00Z', Package: 'example.com/calc', ...o });

test('go test -json: passes, failures with their output, tests that never ran, build failures', () => {
  const stdout = [
    ev({ Action: 'start' }),
    ev({ Action: 'run', Test: 'TestA' }),
    ev({ Action: 'output', Test: 'TestA', Output: '=== RUN   TestA\n' }),
    ev({ Action: 'pass', Test: 'TestA', Elapsed: 0 }),
    ev({ Action: 'run', Test: 'TestB' }),
    ev({ Action: 'output', Test: 'TestB', Output: '    calc_test.go:9: Mul(2, 3) = 5, want 6\n' }),
    ev({ Action: 'fail', Test: 'TestB', Elapsed: 0 }),
    ev({ Action: 'fail', Elapsed: 0.01 }),
  ].join('\n');
  const r = goTestResults(stdout, '', ['TestA', 'TestB', 'TestC']);
  assert.equal(r.buildError, undefined);
  assert.deepEqual(
    r.tests.map((t) => [t.name, t.status]),
    [
      ['TestA', 'pass'],
      ['TestB', 'fail'],
      ['TestC', 'fail'],
    ],
  );
  assert.match(r.tests[1].output ?? '', /want 6/);
  assert.match(r.tests[2].message ?? '', /did not run/);
  assert.equal(overall(r.tests).status, 'fail');

  const build = [
    JSON.stringify({ ImportPath: 'example.com/calc [example.com/calc.test]', Action: 'build-output', Output: './calc_test.go:5:9: undefined: Mul\n' }),
    JSON.stringify({ ImportPath: 'example.com/calc [example.com/calc.test]', Action: 'build-fail' }),
    ev({ Action: 'fail', Elapsed: 0, FailedBuild: 'example.com/calc [example.com/calc.test]' }),
  ].join('\n');
  const b = goTestResults(build, 'FAIL\texample.com/calc [build failed]\n', ['TestA']);
  assert.match(b.buildError ?? '', /undefined: Mul/);
  assert.deepEqual(overall(b.tests, b.buildError), { status: 'error', message: b.buildError, tests: [] });
});

test('command checks: exit status and output pattern; a stopped command is an error', () => {
  const c = { name: 'greets', run: 'go run . Ada', exit: 0, expect: '^Hello, Ada!$' };
  assert.equal(commandResult(c, 0, 'Hello, Ada!\n').status, 'pass');
  assert.deepEqual(
    commandResult(c, 1, 'Hello, Bob!\n').message,
    'the command exited with status 1; this check expects status 0; expected a line that reads exactly "Hello, Ada!"',
  );
  // Never the regex itself: a pattern that is not literal text points to the check's name.
  assert.equal(commandResult({ ...c, expect: '^app \\d+$' }, 0, 'x').message, 'the output is not what this check looks for (see its name)');
  assert.equal(commandResult({ ...c, expect: 'There is no dynamic section' }, 0, 'x').message, 'expected the output to contain "There is no dynamic section"');
  assert.equal(commandResult(c, 137, '', 'stopped after 10 s (run time limit)').status, 'error');
  assert.equal(overall([{ name: 'a', status: 'pass' }]).status, 'pass');
  assert.ok(truncate('x'.repeat(5000)).endsWith('… (truncated)'));
});
