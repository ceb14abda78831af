/**
 * `POST /api/check` `{"lesson": ID, "files": {...}}`: runs the lesson's
 * exercise checks against the learner's files in the sandbox and answers with
 * a CheckResult (src/lib/protocol.ts; Exercism's results.json v3 shape).
 *
 * The checks run in a throwaway workspace of their own, never the learner's:
 * the learner's files are written first and the hidden test files after them,
 * so no learner file can replace a check. A check is a Run for the machine's
 * fairness (per-client Run rate, admission slots and queue), and every
 * command in it gets a Run's limits.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_BODY_BYTES, type CheckTestResult } from '../../src/lib/protocol.ts';
import { asObject, readJsonBody, sendJson } from '../http/json.ts';
import { SANDBOX_HOME } from '../sandbox/bwrap.ts';
import { runInSandbox } from '../sandbox/sandbox.ts';
import { startWaiting } from '../sandbox/warm.ts';
import { BadRequestError, validateFiles } from '../workspace/files.ts';
import { saveFiles } from '../workspace/lesson-folder.ts';
import { loadExercise } from '../exercises.ts';
import { commandResult, goTestResults, overall } from '../exercise-results.ts';
import { clientOf, lessonById, runLimits, takeRun, type Lab } from './context.ts';

/** The command that runs the hidden tests (-count=1: a check never answers from the test cache). */
export const TEST_COMMAND = 'go test -json -count=1 .';

export async function postCheck(lab: Lab, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = asObject(await readJsonBody(req, MAX_BODY_BYTES));
  const lesson = lessonById(lab, body.lesson);
  if (!lesson.exercise) throw new BadRequestError(`lesson "${lesson.id}" has no exercise to check`, 404);
  const files = validateFiles(body.files, lab.config.MAX_FILE_BYTES);
  const exercise = await loadExercise(lab.config.contentDir, lesson.id);

  const client = clientOf(lab, req);
  takeRun(lab, client);
  const abort = new AbortController();
  // The client went away: stop the checks (a response that finished also closes; nothing is running then).
  res.on('close', () => abort.abort());
  const release = await lab.admission.enter(client, () => {}, abort.signal);
  const scratch = await lab.sessions.throwaway().catch((err) => {
    release();
    throw err;
  });
  try {
    await saveFiles(scratch, lesson.id, files);
    // After the learner's files: a learner file named like a check is replaced by it.
    await saveFiles(scratch, lesson.id, Object.fromEntries(exercise.tests.map((t) => [t.name, t.content])));
    const run = (commandLine: string) => {
      let stdout = '';
      let stderr = '';
      return runInSandbox(lab.sandbox, {
        take: () => startWaiting(lab.sandbox, { user: scratch.owner, home: scratch.home, gocache: scratch.gocache }),
        cwd: `${SANDBOX_HOME}/${lesson.id}`,
        cgo: lesson.cgo,
        observe: false,
        commandLine,
        startDemoted: lab.heavyClients.has(client),
      }, runLimits(lab.config), {
        onOutput: (stream, data) => { if (stream === 'stdout') stdout += data; else stderr += data; },
        signal: abort.signal,
      }).then((result) => ({ result, stdout, stderr }));
    };

    const tests: CheckTestResult[] = [];
    let buildError: string | undefined;
    if (exercise.tests.length > 0) {
      const { result, stdout, stderr } = await run(TEST_COMMAND);
      const parsed = goTestResults(stdout, stderr, exercise.tests.flatMap((t) => t.testNames));
      buildError = parsed.buildError;
      // A limit stopped the test binary: the tests that had not passed by then are errors, with the limit's words.
      const stopped = result.reason === 'exited' ? undefined : result.message ?? 'the tests were stopped';
      for (const t of parsed.tests) tests.push(stopped && t.status !== 'pass' ? { ...t, status: 'error', message: stopped } : t);
    }
    for (const check of exercise.commands) {
      if (abort.signal.aborted) break;
      const { result, stdout, stderr } = await run(check.run);
      tests.push(commandResult(check, result.code, stdout + stderr, result.reason === 'exited' ? undefined : result.message ?? result.reason));
    }
    if (!abort.signal.aborted) sendJson(res, 200, overall(tests, buildError));
  } finally {
    release();
    await scratch.dispose();
  }
}
