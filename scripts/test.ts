/**
 * `npm test`: every test suite, in order, after set-up (scripts/lab.sh).
 *
 * Suites run one after another (2-core machines; the API, sandbox and e2e
 * suites each start real servers and sandboxes). Each suite's own runner
 * prints its report; at the end one line sums up every test that ran:
 * `tests: N passed, N failed` (and the process exits non-zero on any failure,
 * including a suite that could not start), after one line per suite with its
 * counts and how long it took.
 *
 * In CI (CI set, as CI sets it) a root-only suite that cannot run is a
 * failure, not a silent skip: not running as root fails, and a skipped test
 * in a root-only suite counts as a failed one (ciSkipPolicy below).
 *
 * `npm test -- unit api` runs only the named suites.
 *
 * The classroom store's tests run on SQLite and on a real PostgreSQL: the
 * suites that need it (POSTGRES_SUITES) share one throw-away cluster started
 * here (tests/helpers/postgres.ts) and stopped at the end; its address goes
 * to them as LAB_TEST_POSTGRES_URL. When it cannot start, those suites fail.
 * `LAB_TEST_STORE=postgres npm test -- api` also keeps every API test
 * server's classroom in PostgreSQL.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, TEST_POSTGRES_ENV, type TestCluster } from '../tests/helpers/postgres.ts';

const ROOT = join(import.meta.dirname, '..');
const NODE = process.execPath;

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

interface Suite {
  name: string;
  /** Needs root (cgroups, sandbox uids, quota mounts): in CI, a skip here is a failure. */
  rootOnly?: boolean;
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
    readdirSync(d, { withFileTypes: true }).some((e) => (e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith('.test.ts')));
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
      const result = spawnSync(
        NODE,
        [
          '--test',
          '--test-concurrency=1',
          '--test-reporter=spec',
          '--test-reporter-destination=stdout',
          '--test-reporter=tap',
          `--test-reporter-destination=${tap}`,
          `${dir}/**/*.test.ts`,
        ],
        { cwd: ROOT, stdio: 'inherit' },
      );
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

/**
 * Static checks of the whole tree, each one "test" that passes or fails:
 * `astro check` (the .astro components too; it first generates Astro's
 * types in .astro/, which tsc needs on a fresh clone, so it runs first),
 * types (tsc, with noUnusedLocals/noUnusedParameters), the module layers
 * (dependency-cruiser with .dependency-cruiser.cjs: no import cycles, no
 * import from a lower layer into a higher one) and unused files, exports and
 * dependencies (knip, knip.jsonc).
 */
const STATIC_CHECKS: Array<{ name: string; argv: string[] }> = [
  { name: 'astro check', argv: [join(ROOT, 'node_modules/astro/bin/astro.mjs'), 'check'] },
  { name: 'tsc', argv: [join(ROOT, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', 'tsconfig.json'] },
  { name: 'layers', argv: [join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'), '--config', '.dependency-cruiser.cjs', 'server', 'src'] },
  { name: 'unused code', argv: [join(ROOT, 'node_modules/knip/bin/knip.js')] },
];

const typecheck: Suite = {
  name: 'typecheck',
  run() {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const check of STATIC_CHECKS) {
      const result = spawnSync(NODE, check.argv, { cwd: ROOT, stdio: 'inherit' });
      if (result.status === 0) {
        process.stdout.write(`typecheck: ${check.name}: no errors\n`);
        counts.passed++;
      } else {
        process.stdout.write(`typecheck: ${check.name}: FAILED\n`);
        counts.failed++;
      }
    }
    return addCounts(counts, biomeChecks());
  },
};

const e2e: Suite = {
  name: 'e2e',
  run() {
    const out = join(mkdtempSync(join(tmpdir(), 'lab-e2e-')), 'report.json');
    const result = spawnSync(
      NODE,
      [join(ROOT, 'node_modules/@playwright/test/cli.js'), 'test', '-c', 'tests/e2e/playwright.config.ts', '--reporter=list,json'],
      { cwd: ROOT, stdio: 'inherit', env: { ...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: out } },
    );
    let counts = { passed: 0, failed: 0, skipped: 0 };
    if (existsSync(out)) {
      const stats = JSON.parse(readFileSync(out, 'utf8')).stats ?? {};
      counts = { passed: (stats.expected ?? 0) + (stats.flaky ?? 0), failed: stats.unexpected ?? 0, skipped: stats.skipped ?? 0 };
    }
    if (result.status !== 0 && counts.failed === 0) counts.failed = 1;
    return counts;
  },
};

// ------------------------------------------------------------ biome: lint and format

/**
 * The formatter check fails the suite: the tree was formatted in one go
 * (`node_modules/.bin/biome format --write .`) once the branches of the day
 * had merged. Run the same command before committing.
 */
const FORMAT_ENFORCED = true;

/** `biome lint` (fails on an error-level rule) and `biome format` (fails on a file it would change, once enforced). */
function biomeChecks(): Counts {
  const biome = join(ROOT, 'node_modules/.bin/biome');
  const lint = spawnSync(biome, ['lint', '--colors=off', '.'], { cwd: ROOT, stdio: 'inherit' });
  process.stdout.write(lint.status === 0 ? 'biome lint: no errors\n' : 'biome lint: errors above\n');
  const format = spawnSync(biome, ['format', '--colors=off', '--max-diagnostics=0', '.'], { cwd: ROOT, encoding: 'utf8' });
  const formatOk = format.status === 0;
  if (formatOk) process.stdout.write('biome format: every file is formatted\n');
  else {
    // Biome reports each file it would change as one error.
    const files = `${format.stdout}${format.stderr}`.match(/Found (\d+) errors?\./)?.[1] ?? `some (exit ${format.status})`;
    process.stdout.write(
      `biome format: ${files} files would change; see them with node_modules/.bin/biome format .${FORMAT_ENFORCED ? '' : ' (not enforced yet)'}\n`,
    );
  }
  // Not enforced yet and not clean: counted as skipped, not as passed.
  const formatCount = formatOk ? 'passed' : FORMAT_ENFORCED ? 'failed' : 'skipped';
  const counts: Counts = { passed: 0, failed: lint.status === 0 ? 0 : 1, skipped: 0 };
  if (lint.status === 0) counts.passed++;
  counts[formatCount]++;
  return counts;
}

// ------------------------------------------------------------ go: the lab's Go helpers

/** Where the Go helpers live; go.mod folders below, except lesson and fixture modules (some are broken on purpose). */
const GO_ROOTS = ['server', 'tests', 'scripts', 'tools'];
const GO_NOT_HELPERS = [/\/fixtures\//, /\/goproxy\/modules\//];

function goModules(): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      if (!e.isDirectory() || e.name === 'node_modules') continue;
      const sub = `${dir}/${e.name}`;
      if (GO_NOT_HELPERS.some((re) => re.test(`${sub}/`))) continue;
      if (existsSync(join(ROOT, sub, 'go.mod'))) found.push(sub);
      walk(sub);
    }
  };
  for (const root of GO_ROOTS) if (existsSync(join(ROOT, root))) walk(root);
  return found.sort();
}

/** Each Go helper: `gofmt -l` (any file listed fails), `go vet ./...`, `go test ./...`; one test each. */
const go: Suite = {
  name: 'go',
  run() {
    const GO = process.env.GO || 'go';
    // The module cache and the proxy as the machine has them; never a go.mod rewritten by a test run.
    const env = { ...process.env, GOFLAGS: '-mod=readonly' };
    const counts: Counts = { passed: 0, failed: 0, skipped: 0 };
    const check = (label: string, ok: boolean, detail = ''): void => {
      process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${label}${detail ? `\n${detail}` : ''}\n`);
      if (ok) counts.passed++;
      else counts.failed++;
    };
    for (const dir of goModules()) {
      const cwd = join(ROOT, dir);
      const fmt = spawnSync('gofmt', ['-l', '.'], { cwd, encoding: 'utf8' });
      check(
        `gofmt ${dir}`,
        fmt.status === 0 && fmt.stdout.trim() === '',
        `${fmt.stdout}${fmt.stderr}`.trim() && `not gofmt-formatted:\n${fmt.stdout}${fmt.stderr}`,
      );
      const vet = spawnSync(GO, ['vet', './...'], { cwd, env, encoding: 'utf8' });
      check(`go vet ${dir}`, vet.status === 0, `${vet.stdout}${vet.stderr}`.trim());
      const test = spawnSync(GO, ['test', '-count=1', './...'], { cwd, env, encoding: 'utf8' });
      const out = `${test.stdout}${test.stderr}`.trim();
      check(
        `go test ${dir}`,
        test.status === 0,
        test.status === 0
          ? out
              .split('\n')
              .filter((l) => /^ok\s/.test(l))
              .join('\n')
          : out,
      );
    }
    return counts;
  },
};

// ------------------------------------------------------------ CI: a root-only suite may not skip

/** CI sets CI (to true); a developer's `npm test` as non-root still skips root-only tests, and says so. */
const IN_CI = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';

/** In CI, a root-only suite with skipped tests (or run as another user) fails: its protections went untested. */
function ciSkipPolicy(suite: Suite, c: Counts): Counts {
  if (!IN_CI || !suite.rootOnly) return c;
  if (process.getuid?.() !== 0) {
    process.stdout.write(`${suite.name}: CI must run as root (cgroups, sandbox uids, quota mounts): failed\n`);
    return { ...c, failed: c.failed + 1 };
  }
  if (c.skipped > 0) {
    process.stdout.write(`${suite.name}: ${c.skipped} skipped test(s) count as failures in CI\n`);
    return { passed: c.passed, failed: c.failed + c.skipped, skipped: 0 };
  }
  return c;
}

function addCounts(a: Counts, b: Counts): Counts {
  return { passed: a.passed + b.passed, failed: a.failed + b.failed, skipped: a.skipped + b.skipped };
}

const SUITES: Suite[] = [
  typecheck,
  go,
  nodeSuite('unit', 'tests/unit'),
  { ...nodeSuite('api', 'tests/api'), rootOnly: true },
  { ...nodeSuite('sandbox', 'tests/sandbox'), rootOnly: true },
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

/** Suites with tests on PostgreSQL (the store's; the API's with LAB_TEST_STORE=postgres). */
const POSTGRES_SUITES = new Set(['unit', 'api']);
const selected = SUITES.filter((s) => wanted.length === 0 || wanted.includes(s.name));

let postgres: TestCluster | null = null;
let postgresError: string | null = null;
if (selected.some((s) => POSTGRES_SUITES.has(s.name)) && !process.env[TEST_POSTGRES_ENV]) {
  try {
    postgres = startCluster();
    process.env[TEST_POSTGRES_ENV] = postgres.url;
  } catch (err) {
    postgresError = (err as Error).message;
  }
}
const stopPostgres = () => {
  try {
    postgres?.stop();
  } catch (err) {
    process.stderr.write(`stopping the PostgreSQL test cluster failed: ${(err as Error).message}\n`);
  }
};
process.on('exit', stopPostgres);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

const total: Counts = { passed: 0, failed: 0, skipped: 0 };
const lines: string[] = [];
for (const suite of selected) {
  banner(suite.name);
  const started = performance.now();
  let c: Counts;
  if (postgresError && POSTGRES_SUITES.has(suite.name)) {
    // Not skipped: the store must be tested on PostgreSQL too.
    process.stdout.write(`PostgreSQL for the tests could not start: ${postgresError}\n`);
    c = { passed: 0, failed: 1, skipped: 0 };
  } else {
    c = ciSkipPolicy(suite, suite.run());
  }
  const seconds = (performance.now() - started) / 1000;
  total.passed += c.passed;
  total.failed += c.failed;
  total.skipped += c.skipped;
  lines.push(`  ${suite.name.padEnd(10)} ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped  ${seconds.toFixed(1).padStart(6)} s`);
}
stopPostgres();
banner('summary');
process.stdout.write(`${lines.join('\n')}\n`);
process.stdout.write(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped\n`);
process.exit(total.failed > 0 || total.passed === 0 ? 1 : 0);
