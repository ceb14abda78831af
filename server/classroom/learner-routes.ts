/**
 * Learners: join a class with its code (`POST /api/join`), get back in with a
 * recovery code (`POST /api/recover`), see their assignments
 * (`GET /api/me/assignments`) and submit (`POST /api/assignments/{id}/submissions`).
 */
import {
  JoinRequestSchema,
  RecoverRequestSchema,
  SubmitRequestSchema,
  type JoinResult,
  type MyAssignments,
  type SubmissionAccepted,
} from '../../src/lib/protocol-classroom.ts';
import { Busy } from '../fairness/admission.ts';
import { parseInput, readJsonBody, sendJson } from '../http/json.ts';
import { clientOf } from '../lab.ts';
import { HttpError } from '../http/errors.ts';
import { fileSizes } from '../workspace/files.ts';
import { newId, newRecoveryCode, normalizeJoinCode, normalizeRecoveryCode } from './auth.ts';
import { announceChange } from './class-routes.ts';
import type { ClassroomHandler } from './context.ts';
import { announceSubmission } from './grading-queue.ts';
import { requireLearner, startSession } from './identity.ts';
import {
  CLASSROOM_BODY_BYTES,
  CODE_DRAW_ATTEMPTS,
  MAX_LEARNERS_PER_CLASS,
  MAX_PENDING_PER_LEARNER,
  MAX_SUBMISSION_BODY_BYTES,
  MAX_SUBMISSION_BYTES,
  MAX_SUBMISSIONS_PER_EXERCISE,
  PENDING_CAP_RETRY_SECONDS,
} from './limits.ts';
import { cellOf, groupSubmissions, hasPending, isLate } from './results.ts';
import type { LearnerRow, SubmissionRow } from './store.ts';
import { assignmentView, iso } from './views.ts';
import * as v from './validate.ts';

function joinResult(l: LearnerRow, className: string): JoinResult {
  return { learnerId: l.id, classId: l.classId, className, name: l.name, recoveryCode: l.recoveryCode };
}

export const join: ClassroomHandler = async (c, req, res) => {
  const { code: typed, name } = parseInput(JoinRequestSchema, await readJsonBody(req, CLASSROOM_BODY_BYTES));
  // Only wrong codes are counted (code-guard.ts): a class joining at once from one address is not slowed.
  const client = clientOf(c.lab, req);
  c.codeGuard.admit(client);
  const code = normalizeJoinCode(typed);
  const cls = code ? await c.store.classByJoinCode(code) : null;
  if (!cls) {
    c.codeGuard.failed(client);
    throw new HttpError(404, 'no open class with this code');
  }
  let learner: LearnerRow | null = null;
  for (let i = 0; i < CODE_DRAW_ATTEMPTS && !learner; i++) {
    const candidate: LearnerRow = { id: newId(), classId: cls.id, name, recoveryCode: newRecoveryCode(), joinedAt: Date.now() };
    const added = await c.store.addLearner(candidate, MAX_LEARNERS_PER_CLASS);
    if (added === 'full') throw new HttpError(409, `this class is full (${MAX_LEARNERS_PER_CLASS} learners); ask your teacher`);
    // A second "Alex" is refused rather than shown as "Alex #2": the teacher reads names in the
    // grid and the CSV to know whose work it is, and only the learner knows which Alex they are.
    // An initial or a surname makes the name say who it is; a number would not.
    if (added === 'name-taken') {
      throw new HttpError(409, `someone in this class already uses the name "${name}"; add an initial or your surname so your teacher can tell you apart`);
    }
    if (added === 'ok') learner = candidate;
  }
  if (!learner) throw new Error(`no free recovery code after ${CODE_DRAW_ATTEMPTS} random draws`);
  await startSession(c, req, res, 'learner', learner.id);
  announceChange(c, cls.id, 'learners');
  sendJson(res, 201, joinResult(learner, cls.name));
};

export const recover: ClassroomHandler = async (c, req, res) => {
  const { recoveryCode: typed } = parseInput(RecoverRequestSchema, await readJsonBody(req, CLASSROOM_BODY_BYTES));
  const client = clientOf(c.lab, req);
  c.codeGuard.admit(client);
  const code = normalizeRecoveryCode(typed);
  const learner = code ? await c.store.learnerByRecoveryCode(code) : null;
  if (!learner) {
    c.codeGuard.failed(client);
    throw new HttpError(404, 'unknown recovery code (ask your teacher for yours)');
  }
  await startSession(c, req, res, 'learner', learner.id);
  sendJson(res, 200, joinResult(learner, (await c.store.classById(learner.classId))?.name ?? ''));
};

export const myAssignments: ClassroomHandler = async (c, req, res) => {
  const learner = await requireLearner(c, req);
  const cls = await c.store.classById(learner.classId);
  const group = groupSubmissions(await c.store.submissionFactsOfLearner(learner.id));
  // Archived assignments (and all of an archived class) are the teacher's record, no longer the learner's work.
  const active =
    cls && (cls.archivedAt ?? null) === null ? (await c.store.assignmentsOfClass(learner.classId)).filter((a) => (a.archivedAt ?? null) === null) : [];
  const answer: MyAssignments = {
    learner: { id: learner.id, name: learner.name, classId: learner.classId, className: cls?.name ?? '' },
    assignments: active.map((a) => ({
      ...assignmentView(a),
      exercises: a.lessons.map((lesson) => {
        const subs = group(learner.id, a.id, lesson);
        const cell = cellOf(subs, a);
        return {
          lesson,
          title: c.lab.lessons.get(lesson)?.title ?? lesson,
          status: cell.status,
          late: cell.late,
          submittedAt: cell.createdAt === null ? null : iso(cell.createdAt),
          submissionId: cell.submissionId,
          pending: hasPending(subs),
        };
      }),
    })),
  };
  sendJson(res, 200, answer);
};

/**
 * A submission: the files are frozen and committed to the database (status
 * pending), queued for grading, and answered at once with 202: an
 * acknowledged submission is durable, and a busy lab never refuses one (when
 * Submit was refused while the lab was busy, learners who had finished were
 * left "not started" in the grid). The
 * grading queue (grading-queue.ts) grades it when a runner is free, in turns
 * per learner, and the grade reaches the learner over
 * `GET /api/submissions/{id}/events`. Not the Run rate either: nothing runs
 * in this request. The backstop against a flood is per learner:
 * MAX_PENDING_PER_LEARNER waiting at once, MAX_SUBMISSIONS_PER_EXERCISE kept.
 */
export const submit: ClassroomHandler = async (c, req, res, params) => {
  const learner = await requireLearner(c, req);
  const assignment = await c.store.assignmentById(params.id);
  if (!assignment || assignment.classId !== learner.classId) throw new HttpError(404, 'no such assignment');
  if ((assignment.archivedAt ?? null) !== null || ((await c.store.classById(learner.classId))?.archivedAt ?? null) !== null) {
    throw new HttpError(409, 'this assignment is closed (your teacher archived it); it takes no more submissions');
  }
  const body = parseInput(
    SubmitRequestSchema,
    await readJsonBody(req, MAX_SUBMISSION_BODY_BYTES).catch((err) => {
      // Refused unread: say what the limit is about, not only the body's bytes.
      if (err instanceof HttpError && err.status === 413) {
        throw new HttpError(
          413,
          `a submission holds at most ${MAX_SUBMISSION_BYTES / 1024} KiB of files; this one is larger than ${Math.floor(MAX_SUBMISSION_BODY_BYTES / 1024)} KiB (remove what the exercise does not need)`,
        );
      }
      throw err;
    }),
  );
  if (!assignment.lessons.includes(body.lesson)) throw new HttpError(400, `lesson ${JSON.stringify(body.lesson.slice(0, 100))} is not part of this assignment`);
  const lesson = c.lab.lessons.get(body.lesson);
  if (!lesson?.exercise) throw new HttpError(409, `lesson "${body.lesson}" has no exercise on this server any more`);
  // Bounded before anything is stored or graded (MAX_SUBMISSION_BYTES): each one is kept for good.
  const files = v.submissionSize(fileSizes(body.files, c.lab.config.MAX_FILE_BYTES));

  if ((await c.store.pendingOfLearner(learner.id)) >= MAX_PENDING_PER_LEARNER) {
    throw new Busy(
      `you have ${MAX_PENDING_PER_LEARNER} submissions waiting to be checked already; wait for their results, then submit again`,
      PENDING_CAP_RETRY_SECONDS,
    );
  }
  const row: SubmissionRow = {
    id: newId(),
    assignmentId: assignment.id,
    learnerId: learner.id,
    lesson: lesson.id,
    files,
    createdAt: Date.now(),
    status: 'pending',
    result: null,
    gradedAt: null,
    override: null,
  };
  if (!(await c.store.addSubmission(row, MAX_SUBMISSIONS_PER_EXERCISE))) {
    throw new HttpError(409, `you have made ${MAX_SUBMISSIONS_PER_EXERCISE} submissions for this exercise, the most there may be`);
  }
  // Committed: from here on it is graded, now or after a restart. The grid hears "pending" before the grade.
  await announceSubmission(c.store, c.events, row, false);
  c.grading.add(learner.id, row.id);
  const answer: SubmissionAccepted = { submissionId: row.id, pending: true, late: isLate(row.createdAt, assignment) };
  sendJson(res, 202, answer);
};
