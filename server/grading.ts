/**
 * Grading an exercise: the lesson's checks run against a set of files in the
 * sandbox, answered as a CheckResult. One function for both `POST /api/check`
 * (a learner trying their code) and the classroom's submissions and regrades,
 * so a submission is graded by exactly the checks the learner could try.
 *
 * The checks run in a throwaway workspace of their own, never the learner's:
 * the learner's files are written first and the hidden test files after them,
 * so no learner file can replace a check. Every command gets a Run's limits,
 * and the grading holds an admission slot (fairness/admission.ts) while it
 * runs; the caller takes the Run from the client's Run rate (takeRun).
 */
import type { CheckResult, CheckTestResult } from '../src/lib/protocol.ts';
import { SANDBOX_HOME } from './sandbox/bwrap.ts';
import { runInSandbox } from './sandbox/sandbox.ts';
import { startWaiting } from './sandbox/warm.ts';
import { saveFiles } from './workspace/lesson-folder.ts';
import { loadExercise } from './exercises.ts';
import { commandResult, goTestResults, overall } from './exercise-results.ts';
import { runLimits, type Lab } from './api/context.ts';
import type { Lesson } from './lessons.ts';

/**
 * The command that runs the hidden tests: -count=1, a check never answers
 * from the test cache; -timeout, the test binary stops itself after the
 * program time limit (as a Run's program does), naming the test that hung,
 * instead of running into the command's longer build limit.
 */
function testCommand(programTimeoutMs: number): string {
  return `go test -json -count=1 -timeout=${Math.max(1, Math.ceil(programTimeoutMs / 1000))}s .`;
}

/** What the test binary prints when -timeout stops it (inside go test -json's Output strings). */
const TEST_TIMEOUT = /panic: test timed out after ([0-9.]+[a-zµ]+)/;

export interface GradeOptions {
  lesson: Lesson;
  /** Validated files (workspace/files.ts validateFiles). */
  files: Record<string, string>;
  /** The client address the grading counts against (admission's per-client share, CPU weight). */
  client: string;
  /** Stops the checks (the commands are killed); the result is then incomplete and should not be used. */
  signal?: AbortSignal;
  /**
   * An admission already entered by the caller (its release, once a slot is free).
   * Without it the grading enters admission itself; Busy then rejects the promise.
   */
  admitted?: Promise<() => void>;
  /** Told the queue position while waiting for a slot. */
  onQueued?: (position: number) => void;
}

export async function gradeExercise(lab: Lab, o: GradeOptions): Promise<CheckResult> {
  if (!o.lesson.exercise) throw new Error(`lesson "${o.lesson.id}" has no exercise`);
  const signal = o.signal ?? new AbortController().signal;
  const release = await (o.admitted ?? lab.admission.enter(o.client, o.onQueued ?? (() => {}), signal));
  let scratch;
  try {
    const exercise = await loadExercise(lab.config.contentDir, o.lesson.id);
    scratch = await lab.sessions.throwaway();
    const workspace = scratch;
    await saveFiles(workspace, o.lesson.id, o.files);
    // After the learner's files: a learner file named like a check is replaced by it.
    await saveFiles(workspace, o.lesson.id, Object.fromEntries(exercise.tests.map((t) => [t.name, t.content])));
    const run = (commandLine: string) => {
      let stdout = '';
      let stderr = '';
      return runInSandbox(lab.sandbox, {
        take: () => startWaiting(lab.sandbox, { user: workspace.owner, home: workspace.home, gocache: workspace.gocache }),
        cwd: `${SANDBOX_HOME}/${o.lesson.id}`,
        cgo: o.lesson.cgo,
        observe: false,
        commandLine,
        startDemoted: lab.heavyClients.has(o.client),
      }, runLimits(lab.config), {
        onOutput: (stream, data) => { if (stream === 'stdout') stdout += data; else stderr += data; },
        signal,
      }).then((result) => ({ result, stdout, stderr }));
    };

    const tests: CheckTestResult[] = [];
    let buildError: string | undefined;
    if (exercise.tests.length > 0) {
      const { result, stdout, stderr } = await run(testCommand(lab.config.PROGRAM_TIMEOUT_MS));
      const parsed = goTestResults(stdout, stderr, exercise.tests.flatMap((t) => t.testNames));
      buildError = parsed.buildError;
      // A limit stopped the test binary: the tests that had not passed by then are errors, with the limit's words.
      const timedOut = TEST_TIMEOUT.exec(stdout + stderr)?.[1];
      const stopped = result.reason !== 'exited' ? result.message ?? 'the tests were stopped'
        : timedOut ? `the tests did not finish within ${timedOut} (time limit)` : undefined;
      for (const t of parsed.tests) tests.push(stopped && t.status !== 'pass' ? { ...t, status: 'error', message: stopped } : t);
    }
    for (const check of exercise.commands) {
      if (signal.aborted) break;
      const { result, stdout, stderr } = await run(check.run);
      tests.push(commandResult(check, result.code, stdout + stderr, result.reason === 'exited' ? undefined : result.message ?? result.reason));
    }
    return overall(tests, buildError);
  } finally {
    release();
    await scratch?.dispose();
  }
}
