/**
 * Grading a stored submission: the exercise's checks (server/grading/grade-exercise.ts, the
 * same as POST /api/check) with the classroom's rules on top. A submission's
 * result is never a fail that is not the learner's: a check stopped by a
 * limit (a timeout, memory), or the grader failing (an exception, the sandbox
 * not starting), is an `error` with a message, stored like any result.
 */
import type { CheckResult } from '../../src/lib/protocol.ts';
import { Busy, type Release } from '../fairness/admission.ts';
import { gradeExercise } from '../grading/grade-exercise.ts';
import type { Lab } from '../lab.ts';
import type { Lesson } from '../lessons.ts';

/** A result as a submission stores it: checks stopped by a limit make the whole result an error (with the limit's words). */
function submissionOutcome(result: CheckResult): CheckResult {
  const stopped = result.tests.find((t) => t.status === 'error');
  if (result.status !== 'fail' || !stopped) return result;
  return { ...result, status: 'error', message: `the checks were stopped: ${stopped.message ?? 'a limit was reached'}` };
}

/** Grades and never throws: a grader failure is an error result. */
/** `fresh`: grade again even if the same files were graded lately (a teacher's regrade asks for it). */
export async function gradeSubmission(
  lab: Lab,
  lesson: Lesson,
  files: Record<string, string>,
  client: string,
  admitted?: Promise<Release>,
  fresh = false,
): Promise<CheckResult> {
  try {
    return submissionOutcome(await gradeExercise(lab, { lesson, files, client, admitted, fresh, background: true }));
  } catch (err) {
    console.error(`[lab] grading a submission for ${lesson.id} failed:`, err);
    return { status: 'error', message: `the checks could not run (a fault of the lab, not of the code): ${(err as Error).message}`, tests: [] };
  }
}

/** Times a regrade waits for room in the admission queue before it gives up (with 429). */
const ADMISSION_TRIES = 30;

/**
 * An admission slot for a regrade's next grading (resolves with its release
 * once it runs): when the queue is full it
 * waits as long as Busy says and tries again, rather than storing a busy lab
 * as the submission's result.
 */
export async function admitPatiently(lab: Lab, client: string): Promise<Release> {
  for (let i = 1; ; i++) {
    try {
      return await lab.admission.enter(client);
    } catch (err) {
      if (!(err instanceof Busy) || i >= ADMISSION_TRIES) throw err;
      await new Promise((resolve) => setTimeout(resolve, err.retryAfterSeconds * 1000));
    }
  }
}
