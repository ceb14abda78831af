/**
 * Grading an exercise: the lesson's checks run against a set of files in the
 * sandbox, answered as a CheckResult. One function for both `POST /api/check`
 * (a learner trying their code) and the classroom's submissions and regrades,
 * so a submission is graded by exactly the checks the learner could try.
 *
 * Every step starts from a clean state: a throwaway workspace of its own
 * (fresh HOME, go configuration and build cache above the read-only std
 * base), never the learner's, so nothing one check's code writes (a go env
 * file, GOFLAGS=-toolexec, a planted cache entry, edited sources) reaches
 * another. GOENV=off makes the go command ignore any configuration file.
 *
 * Hidden tests (docs/security.md, "Grading"): the test binary is built in one
 * sandbox, where only the toolchain runs; the hidden tests then run, each in
 * a process of its own, in a fresh sandbox where the hidden sources are absent
 * and the binary is executable but not readable; its verdict is believed only when TestMain
 * authenticated it (grading/verdict.ts). Code that reaches for what could
 * still interfere is flagged for the teacher (grading/review.ts).
 *
 * Every command gets a Run's limits, and the grading holds an admission slot
 * (fairness/admission.ts) while it runs; the caller takes the Run from the
 * client's Run rate (takeRun).
 */
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { CheckResult, CheckTestResult } from '../../src/lib/protocol.ts';
import { SANDBOX_HOME } from '../workspace/mounts.ts';
import { runInSandbox, type RunResult } from '../sandbox/sandbox.ts';
import { startWaiting } from '../sandbox/warm.ts';
import { saveFiles } from '../workspace/lesson-folder.ts';
import { readBytesBeneath } from '../workspace/beneath.ts';
import { loadExercise, type Exercise } from './exercise.ts';
import { commandResult, overall, truncate } from './results.ts';
import { planVerdicts, readVerdict } from './verdict.ts';
import { expectedImports, reviewReasons } from './review.ts';
import { GradeCache, gradingKey } from './result-cache.ts';
import { runLimits, type Lab } from '../lab.ts';
import type { Claimant, Release } from '../fairness/admission.ts';
import type { Lesson } from '../lessons.ts';
import { sandboxEnded } from '../observability/metrics.ts';

/** Where the hidden test binary appears in the sandbox that runs it (read-only, not readable). */
const SANDBOX_TEST_BINARY = '/opt/lab/grader/hidden.test';
/** Largest test binary the grader copies out of the build sandbox (a lesson's is ~3 MiB). */
const MAX_TEST_BINARY_BYTES = 128 * 1024 * 1024;
/** Time the test binary gets beyond its own -test.timeout to print the panic that names the hung test. */
const TEST_TIMEOUT_GRACE_MS = 3000;
/** What the test binary prints when -test.timeout stops it. */
const TEST_TIMEOUT = /panic: test timed out after ([0-9.]+[a-zµ]+)/;
/**
 * Prefix of every grading command: the go command reads no configuration
 * file (a learner's `go env -w` cannot reach a check even if a HOME were
 * shared), and GOFLAGS is the lab's.
 */
const CLEAN_GO_ENV = 'export GOENV=off GOFLAGS=; ';

export interface GradeOptions {
  lesson: Lesson;
  /** Files checked by their schema (FilesSchema) and their sizes (workspace/files.ts fileSizes). */
  files: Record<string, string>;
  /** The client address the grading comes from (CPU weight of heavy clients). */
  client: string;
  /** Whose share of the runners the grading takes (default: the address alone). */
  claimant?: Claimant;
  /** Stops the checks (the commands are killed); the result is then incomplete and should not be used. */
  signal?: AbortSignal;
  /**
   * An admission already entered by the caller (its release, once a slot is free).
   * Without it the grading enters admission itself; Busy then rejects the promise.
   */
  admitted?: Promise<Release>;
  /** Told the queue position while waiting for a slot. */
  onQueued?: (position: number) => void;
  /** Grade again even if these very files were graded lately (a teacher's regrade). */
  fresh?: boolean;
  /** Nobody waits on the page for it (a queued submission): its commands start with low CPU priority. */
  background?: boolean;
}

interface Ran {
  result: RunResult;
  stdout: string;
  stderr: string;
}

/** One grading's context: how to run a command in a fresh workspace holding some files. */
class Grading {
  readonly #lab: Lab;
  readonly #o: GradeOptions;
  readonly #signal: AbortSignal;
  /**
   * The grading's admission: when one of its commands loses its CPU priority
   * it gives its slot back (admission.ts, background places). Its later
   * commands (hidden tests one by one, command checks: short, and as many as
   * the exercise has) still start at full weight, as a Run would, so a
   * learner's Check is not starved by the class's Runs.
   */
  readonly #admission: Release;

  constructor(lab: Lab, o: GradeOptions, signal: AbortSignal, admission: Release) {
    this.#lab = lab;
    this.#o = o;
    this.#signal = signal;
    this.#admission = admission;
  }

  /**
   * Runs `commandLine` in a new throwaway workspace holding `files` in the
   * lesson's folder; `after` may read the workspace before it is removed.
   */
  async run<T = undefined>(
    files: Record<string, string>,
    commandLine: string,
    opts: {
      timeoutMs?: number;
      roBinds?: Array<[string, string]>;
      after?: (home: string) => Promise<T>;
    } = {},
  ): Promise<Ran & { after?: T }> {
    const lab = this.#lab;
    const scratch = await lab.sessions.throwaway();
    try {
      await saveFiles(scratch, this.#o.lesson.id, files);
      let stdout = '';
      let stderr = '';
      const limits = runLimits(lab.config);
      const result = await runInSandbox(
        lab.sandbox,
        {
          take: () => startWaiting(lab.sandbox, { user: scratch.owner, home: scratch.home, gocache: scratch.gocache, roBinds: opts.roBinds }),
          cwd: `${SANDBOX_HOME}/${this.#o.lesson.id}`,
          cgo: this.#o.lesson.cgo,
          observe: false,
          commandLine: CLEAN_GO_ENV + commandLine,
          startDemoted: this.#o.background === true || lab.heavyClients.has(this.#o.client),
        },
        opts.timeoutMs ? { ...limits, timeoutMs: opts.timeoutMs } : limits,
        {
          onOutput: (stream, data) => {
            if (stream === 'stdout') stdout += data;
            else stderr += data;
          },
          onDemoted: () => this.#admission.toBackground(),
          signal: this.#signal,
        },
      );
      sandboxEnded(result.reason);
      const after = opts.after && result.reason === 'exited' && result.code === 0 ? await opts.after(scratch.home) : undefined;
      return { result, stdout, stderr, after };
    } finally {
      await scratch.dispose();
    }
  }
}

/**
 * The learner's files a test build compiles: their own _test.go files stay
 * out (the hidden tests are the checks), and so does anything under a folder
 * named like a test file, which would stand where a hidden test must go.
 */
function nonTestFiles(files: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).filter(([name]) => !name.split('/').some((part) => part.endsWith('_test.go'))));
}

/**
 * The compiler's messages with the hidden test files' names (and their line
 * numbers, which say how long they are) replaced by "a hidden test": a
 * learner sees `a hidden test: undefined: Mul`, what is missing, not the
 * grader's file names.
 */
export function hideHiddenNames(text: string, names: string[]): string {
  let out = text;
  for (const name of names) {
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    out = out.replace(new RegExp(`(?:\\.?/)?${escaped}(?::\\d+)?(?::\\d+)?`, 'g'), 'a hidden test');
  }
  return out;
}

/** What each test printed: the text after its marker line, up to the next marker. */
function splitAtMarkers(output: string, marker: string): Map<string, string> {
  const chunks = new Map<string, string>();
  const re = new RegExp(`^${marker} (\\S+)$`, 'gm');
  const found = [...output.matchAll(re)];
  found.forEach((m, i) => {
    const end = i + 1 < found.length ? found[i + 1].index : output.length;
    if (!chunks.has(m[1])) chunks.set(m[1], output.slice(m.index + m[0].length, end));
  });
  return chunks;
}

/** Why a hidden test has no genuine verdict (`neverStarted`: the run was over before its turn). */
function noVerdictMessage(ran: Ran, output: string, neverStarted = false): { status: 'error' | 'fail'; message: string } {
  if (ran.result.reason !== 'exited' && (neverStarted || !TEST_TIMEOUT.test(output)))
    return { status: 'error', message: ran.result.message ?? 'the tests were stopped' };
  const timedOut = TEST_TIMEOUT.exec(output)?.[1];
  if (timedOut) return { status: 'error', message: `the tests did not finish within ${timedOut} (time limit)` };
  return { status: 'fail', message: 'this test did not finish: the test binary stopped before the end of the tests (a crash, a panic or os.Exit)' };
}

/**
 * The hidden tests: build the instrumented test binary (no learner code runs
 * there), then run each test alone from a copy outside every workspace.
 */
async function hiddenTests(
  lab: Lab,
  g: Grading,
  o: GradeOptions,
  exercise: Exercise,
): Promise<{ tests: CheckTestResult[]; buildError?: string; forged: boolean }> {
  const plan = planVerdicts(exercise.tests);
  const binaryName = `.lab-hidden-${randomBytes(6).toString('hex')}.test`;
  const sources = {
    ...nonTestFiles(o.files),
    ...Object.fromEntries(plan.tests.map((t) => [t.name, t.content])),
    [plan.mainFile.name]: plan.mainFile.content,
  };
  const build = await g.run(sources, `go test -c -o "$HOME/${binaryName}" .`, {
    after: (home) => readBytesBeneath(home, binaryName, MAX_TEST_BINARY_BYTES, true),
  });
  const names = exercise.tests.flatMap((t) => t.testNames);
  if (build.result.reason !== 'exited') {
    return { forged: false, tests: names.map((name) => ({ name, status: 'error', message: build.result.message ?? 'the build was stopped' })) };
  }
  if (build.result.code !== 0 || !build.after) {
    const hidden = [...plan.tests.map((t) => t.name), plan.mainFile.name];
    return { forged: false, tests: [], buildError: hideHiddenNames((build.stderr + build.stdout).trim(), hidden) || 'the code did not compile' };
  }
  // Outside every workspace; not readable from the sandbox when the server is root (the file is root's, 0711).
  const dir = join(lab.config.dataDir, 'grading', randomBytes(12).toString('hex'));
  await mkdir(dir, { recursive: true, mode: 0o711 });
  await chmod(join(lab.config.dataDir, 'grading'), 0o711);
  try {
    const binary = join(dir, 'hidden.test');
    await writeFile(binary, build.after, { mode: 0o711 });
    await chmod(binary, 0o711);
    const tests: CheckTestResult[] = [];
    let forged = false;
    const programSeconds = Math.max(1, Math.ceil(lab.config.PROGRAM_TIMEOUT_MS / 1000));
    // Each test alone, in a process of its own, one after the other in one sandbox;
    // one stream (stderr joins stdout) cut at markers only this grading knows. A
    // learner who prints a marker only garbles their own output: verdicts name their test.
    const marker = randomBytes(12).toString('hex');
    const script = [
      'exec 2>&1',
      ...names.map(
        (name) =>
          `printf '\\n${marker} %s\\n' '${name}'; ${SANDBOX_TEST_BINARY} -test.run='^${name}$' -test.count=1 -test.timeout=${programSeconds}s -test.paniconexit0 </dev/null`,
      ),
    ].join('\n');
    const ran = await g.run(nonTestFiles(o.files), script, {
      roBinds: [[binary, SANDBOX_TEST_BINARY]],
      timeoutMs: names.length * (programSeconds * 1000 + TEST_TIMEOUT_GRACE_MS),
    });
    const chunks = splitAtMarkers(ran.stdout + ran.stderr, marker);
    for (const name of names) {
      const chunk = chunks.get(name);
      const read = readVerdict(plan.key, name, chunk ?? '');
      forged ||= read.forged;
      const output = truncate(read.output);
      const shown = output ? { output } : {};
      if (read.verdict === 'pass') tests.push({ name, status: 'pass', ...shown });
      else if (read.verdict === 'fail') tests.push({ name, status: 'fail', message: 'this test failed', ...shown });
      else tests.push({ name, ...noVerdictMessage(ran, read.output, chunk === undefined), ...shown });
    }
    return { tests, forged };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Each server's recent grades (grading/result-cache.ts). */
const caches = new WeakMap<Lab, GradeCache>();

export async function gradeExercise(lab: Lab, o: GradeOptions): Promise<CheckResult> {
  if (!o.lesson.exercise) throw new Error(`lesson "${o.lesson.id}" has no exercise`);
  const signal = o.signal ?? new AbortController().signal;
  let cache = caches.get(lab);
  if (!cache) caches.set(lab, (cache = new GradeCache()));
  const key = gradingKey(o.lesson.id, o.files);
  const known = o.fresh ? undefined : cache.get(key);
  if (known) {
    // The same files were graded moments ago: no sandbox needed (an admission the caller took is given back).
    if (o.admitted)
      void o.admitted.then(
        (release) => release(),
        () => {},
      );
    return known;
  }
  const release = await (o.admitted ?? lab.admission.enter(o.claimant ?? o.client, o.onQueued ?? (() => {}), signal));
  try {
    const exercise = await loadExercise(lab.config.contentDir, o.lesson.id);
    const g = new Grading(lab, o, signal, release);
    const tests: CheckTestResult[] = [];
    let buildError: string | undefined;
    let forged = false;
    if (exercise.tests.length > 0) {
      const hidden = await hiddenTests(lab, g, o, exercise);
      tests.push(...hidden.tests);
      buildError = hidden.buildError;
      forged = hidden.forged;
    }
    for (const check of exercise.commands) {
      if (signal.aborted) break;
      // Only the learner's files: learner code a command runs must not find the hidden tests.
      const { result, stdout, stderr } = await g.run(o.files, check.run);
      tests.push(commandResult(check, result.code, stdout + stderr, result.reason === 'exited' ? undefined : (result.message ?? result.reason)));
    }
    const reasons = [
      reviewReasons(o.files, await expectedImports(lab.config.contentDir, o.lesson.id, () => lab.lessons.startingFiles(o.lesson))),
      forged ? "review: the code printed lines that imitate the grader's verdicts" : undefined,
    ].filter(Boolean);
    const graded = overall(tests, buildError);
    const result = reasons.length ? { ...graded, review: reasons.join('; ') } : graded;
    if (!signal.aborted) cache.set(key, result);
    return result;
  } finally {
    release();
  }
}
