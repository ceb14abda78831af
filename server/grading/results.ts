/**
 * Turning what the checks printed into a check result (Exercism's
 * results.json v3 shape, src/lib/protocol.ts CheckResult). Pure functions:
 * the API (server/api/check.ts) runs the commands, these read their output.
 */
import type { CheckResult, CheckTestResult } from '../../src/lib/protocol.ts';
import type { CommandCheck } from '../../src/lib/exercise.ts';

/** Output kept per test in a result (the whole output stays in the learner's own Runs). */
export const MAX_CHECK_OUTPUT_BYTES = 4096;

export function truncate(text: string, max = MAX_CHECK_OUTPUT_BYTES): string {
  if (Buffer.byteLength(text) <= max) return text;
  return (
    Buffer.from(text)
      .subarray(0, max)
      .toString('utf8')
      .replace(/\uFFFD$/, '') + '\n… (truncated)'
  );
}

interface TestEvent {
  Action?: string;
  Test?: string;
  Output?: string;
  ImportPath?: string;
  FailedBuild?: string;
}

/**
 * Results of `go test -json` for the tests the hidden files declare. A build
 * failure (the learner's code or the test does not compile) is an error of the
 * whole check; a declared test that did not pass, or never ran, fails.
 */
export function goTestResults(stdout: string, stderr: string, declared: string[]): { buildError?: string; tests: CheckTestResult[] } {
  const outputs = new Map<string, string>();
  const ended = new Map<string, 'pass' | 'fail' | 'skip'>();
  let buildOutput = '';
  let buildFailed = false;
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    let e: TestEvent;
    try {
      e = JSON.parse(line);
    } catch {
      continue;
    }
    if (e.Action === 'build-output') buildOutput += e.Output ?? '';
    if (e.Action === 'build-fail' || (e.Action === 'fail' && e.FailedBuild)) buildFailed = true;
    if (!e.Test) continue;
    if (e.Action === 'output') outputs.set(e.Test, (outputs.get(e.Test) ?? '') + (e.Output ?? ''));
    if (e.Action === 'pass' || e.Action === 'fail' || e.Action === 'skip') ended.set(e.Test, e.Action);
  }
  if (buildFailed) return { buildError: (buildOutput || stderr).trim() || 'the code did not compile', tests: [] };
  const tests = declared.map((name): CheckTestResult => {
    const status = ended.get(name);
    const output = truncate(outputs.get(name) ?? '');
    if (status === 'pass') return { name, status: 'pass', ...(output ? { output } : {}) };
    const message =
      status === undefined
        ? 'this test did not run (the test binary stopped before it: a crash, os.Exit or a time limit)'
        : status === 'skip'
          ? 'this test was skipped'
          : 'this test failed';
    return { name, status: 'fail', message, ...(output ? { output } : {}) };
  });
  // The test binary could not run at all (no JSON from it), say what the go command said.
  if (ended.size === 0 && stderr.trim()) {
    for (const t of tests) t.output ??= truncate(stderr.trim());
  }
  return { tests };
}

/**
 * The text a check's pattern asks for, when the pattern is nothing but
 * literal lines (`^Hello, Ada!$`, `^a\nb$`): then the learner can be told
 * exactly what to print. Anything else (classes, repetition) returns null and
 * the learner reads the check's name instead: a raw regex helps nobody.
 */
export function literalExpectation(pattern: string): string | null {
  const m = /^\^((?:\\[^dDsSwWbB0-9]|[^\\^$.*+?()[\]{}|])*)\$$/.exec(pattern);
  if (!m) return null;
  return m[1].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}

/** A command check's result from its exit status and output. `stopped`: a limit or the lab ended it. */
export function commandResult(check: CommandCheck, code: number, output: string, stopped?: string): CheckTestResult {
  const shown = truncate(output);
  if (stopped) return { name: check.name, status: 'error', message: stopped, output: shown };
  const problems: string[] = [];
  if (code !== check.exit) problems.push(`the command exited with status ${code}; this check expects status ${check.exit}`);
  if (check.expect !== undefined && !new RegExp(check.expect, 'm').test(output)) {
    const literal = literalExpectation(check.expect);
    const plain = /^[^\\^$.*+?()[\]{}|]+$/.test(check.expect) ? check.expect : null;
    problems.push(
      literal !== null
        ? literal.includes('\n')
          ? `expected these lines exactly:\n${literal}`
          : `expected a line that reads exactly "${literal}"`
        : plain !== null
          ? `expected the output to contain "${plain}"`
          : 'the output is not what this check looks for (see its name)',
    );
  }
  return problems.length === 0
    ? { name: check.name, status: 'pass', output: shown }
    : { name: check.name, status: 'fail', message: problems.join('; '), output: shown };
}

export function overall(tests: CheckTestResult[], buildError?: string): CheckResult {
  if (buildError !== undefined) {
    return { status: 'error', message: buildError, tests };
  }
  return { status: tests.every((t) => t.status === 'pass') ? 'pass' : 'fail', tests };
}
