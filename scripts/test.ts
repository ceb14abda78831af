/**
 * `npm test`: every test suite, in order, after set-up (scripts/lab.sh).
 *
 * Suites run one after another (2-core machines; the API, sandbox and e2e
 * suites each start real servers and sandboxes). Each suite's own runner
 * prints its report; at the end one line sums up every test that ran:
 * `tests: N passed, N failed` (and the process exits non-zero on any failure,
 * including a suite that could not start).
 *
 * `npm test -- unit api` runs only the named suites.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const NODE = process.execPath;

interface Counts { passed: number; failed: number; skipped: number }

interface Suite {
  name: string;
  /** Runs the suite, returns its counts (failed >= 1 when the runner itself failed). */
  run(): Counts;
}

function banner(text: string): void {
  process.stdout.write(`\n\x1b[1m== ${text} ==\x1b[0m\n`);
}

function hasTests(dir: string): boolean {
  const abs = join(ROOT, dir);
  if (!existsSync(abs)) return false;
  const walk = (d: string): boolean =>
    readdirSync(d, { withFileTypes: true }).some((e) =>
      e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith('.test.ts'));
  return walk(abs);
}

/** A suite run by node's test runner; counts come from a TAP copy of its report. */
function nodeSuite(name: string, dir: string): Suite {
  return {
    name,
    run() {
      if (!hasTests(dir)) {
        process.stdout.write(`(no tests in ${dir})\n`);
        return { passed: 0, failed: 0, skipped: 0 };
      }
      const tap = join(mkdtempSync(join(tmpdir(), 'lab-test-')), `${name}.tap`);
      const result = spawnSync(NODE, [
        '--test', '--test-concurrency=1',
        '--test-reporter=spec', '--test-reporter-destination=stdout',
        '--test-reporter=tap', `--test-reporter-destination=${tap}`,
        `${dir}/**/*.test.ts`,
      ], { cwd: ROOT, stdio: 'inherit' });
      const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
      const count = (key: string) => Number(text.match(new RegExp(`^# ${key} (\\d+)$`, 'm'))?.[1] ?? 0);
      const counts = {
        passed: count('pass'),
        failed: count('fail') + count('cancelled'),
        skipped: count('skipped') + count('todo'),
      };
      if (result.status !== 0 && counts.failed === 0) counts.failed = 1; // the runner itself failed
      return counts;
    },
  };
}

/** Static type checking of the whole tree: one "test" that passes or fails. */
const typecheck: Suite = {
  name: 'typecheck',
  run() {
    const result = spawnSync(NODE, [join(ROOT, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', 'tsconfig.json'],
      { cwd: ROOT, stdio: 'inherit' });
    if (result.status === 0) process.stdout.write('typecheck: no errors\n');
    return result.status === 0 ? { passed: 1, failed: 0, skipped: 0 } : { passed: 0, failed: 1, skipped: 0 };
  },
};

const e2e: Suite = {
  name: 'e2e',
  run() {
    const out = join(mkdtempSync(join(tmpdir(), 'lab-e2e-')), 'report.json');
    const result = spawnSync(NODE, [join(ROOT, 'node_modules/@playwright/test/cli.js'), 'test',
      '-c', 'tests/e2e/playwright.config.ts', '--reporter=list,json'],
    { cwd: ROOT, stdio: 'inherit', env: { ...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: out } });
    let counts = { passed: 0, failed: 0, skipped: 0 };
    if (existsSync(out)) {
      const stats = JSON.parse(readFileSync(out, 'utf8')).stats ?? {};
      counts = { passed: (stats.expected ?? 0) + (stats.flaky ?? 0), failed: stats.unexpected ?? 0, skipped: stats.skipped ?? 0 };
    }
    if (result.status !== 0 && counts.failed === 0) counts.failed = 1;
    return counts;
  },
};

const SUITES: Suite[] = [
  typecheck,
  nodeSuite('unit', 'tests/unit'),
  nodeSuite('api', 'tests/api'),
  nodeSuite('sandbox', 'tests/sandbox'),
  nodeSuite('content', 'tests/content'),
  nodeSuite('deploy', 'tests/deploy'),
  e2e,
];

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !SUITES.some((s) => s.name === w));
if (unknown.length) {
  process.stderr.write(`unknown suite(s): ${unknown.join(', ')}; suites: ${SUITES.map((s) => s.name).join(', ')}\n`);
  process.exit(2);
}

const total: Counts = { passed: 0, failed: 0, skipped: 0 };
const lines: string[] = [];
for (const suite of SUITES.filter((s) => wanted.length === 0 || wanted.includes(s.name))) {
  banner(suite.name);
  const c = suite.run();
  total.passed += c.passed; total.failed += c.failed; total.skipped += c.skipped;
  lines.push(`  ${suite.name.padEnd(10)} ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`);
}
banner('summary');
process.stdout.write(`${lines.join('\n')}\n`);
process.stdout.write(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped\n`);
process.exit(total.failed > 0 || total.passed === 0 ? 1 : 0);
