/**
 * Learners: join a class with its code (`POST /api/join`), get back in with a
 * recovery code (`POST /api/recover`), see their assignments
 * (`GET /api/me/assignments`) and submit (`POST /api/assignments/{id}/submissions`).
 */
import type { JoinResult, MyAssignments, SubmissionResult } from '../../src/lib/protocol.ts';
import { asObject, readJsonBody, sendJson } from '../http/json.ts';
import { clientOf, takeRun } from '../api/context.ts';
import { BadRequestError, validateFiles } from '../workspace/files.ts';
import { newId, newRecoveryCode, normalizeJoinCode, normalizeRecoveryCode } from './auth.ts';
import { drawCode } from './class-routes.ts';
import { iso, type Classroom, type ClassroomHandler } from './context.ts';
import { gradeSubmission } from './grade.ts';
import { requireLearner, startSession } from './identity.ts';
import {
  CLASSROOM_BODY_BYTES, CODE_DRAW_ATTEMPTS, MAX_LEARNER_NAME_CHARS, MAX_LEARNERS_PER_CLASS, MAX_SUBMISSION_BODY_BYTES, MAX_SUBMISSION_BYTES, MAX_SUBMISSIONS_PER_EXERCISE,
} from './limits.ts';
import { cellOf, groupSubmissions, isLate } from './results.ts';
import type { LearnerRow } from './store.ts';
import { assignmentView } from './views.ts';
import * as v from './validate.ts';


function joinResult(l: LearnerRow, className: string): JoinResult {
  return { learnerId: l.id, classId: l.classId, className, name: l.name, recoveryCode: l.recoveryCode };
}

export const join: ClassroomHandler = async (c, req, res) => {
  const body = asObject(await readJsonBody(req, CLASSROOM_BODY_BYTES));
  const typed = v.str(body, 'code');
  const name = v.text(body, 'name', MAX_LEARNER_NAME_CHARS);
  // Only wrong codes are counted (code-guard.ts): a class joining at once from one address is not slowed.
  const client = clientOf(c.lab, req);
  c.codeGuard.admit(client);
  const code = normalizeJoinCode(typed);
  const cls = code ? await c.store.classByJoinCode(code) : null;
  if (!cls) {
    c.codeGuard.failed(client);
    throw new BadRequestError('no open class with this code', 404);
  }
  let learner: LearnerRow | null = null;
  for (let i = 0; i < CODE_DRAW_ATTEMPTS && !learner; i++) {
    const candidate: LearnerRow = { id: newId(), classId: cls.id, name, recoveryCode: newRecoveryCode(), joinedAt: Date.now() };
    const added = await c.store.addLearner(candidate, MAX_LEARNERS_PER_CLASS);
    if (added === 'full') throw new BadRequestError(`this class is full (${MAX_LEARNERS_PER_CLASS} learners); ask your teacher`, 409);
    // A second "Alex" is refused rather than shown as "Alex #2": the teacher reads names in the
    // grid and the CSV to know whose work it is, and only the learner knows which Alex they are.
    // An initial or a surname makes the name say who it is; a number would not.
    if (added === 'name-taken') {
      throw new BadRequestError(`someone in this class already uses the name "${name}"; add an initial or your surname so your teacher can tell you apart`, 409);
    }
    if (added === 'ok') learner = candidate;
  }
  if (!learner) throw new Error(`no free recovery code after ${CODE_DRAW_ATTEMPTS} random draws`);
  await startSession(c, req, res, 'learner', learner.id);
  sendJson(res, 201, joinResult(learner, cls.name));
};

export const recover: ClassroomHandler = async (c, req, res) => {
  const body = asObject(await readJsonBody(req, CLASSROOM_BODY_BYTES));
  const typed = v.str(body, 'recoveryCode');
  const client = clientOf(c.lab, req);
  c.codeGuard.admit(client);
  const code = normalizeRecoveryCode(typed);
  const learner = code ? await c.store.learnerByRecoveryCode(code) : null;
  if (!learner) {
    c.codeGuard.failed(client);
    throw new BadRequestError('unknown recovery code (ask your teacher for yours)', 404);
  }
  await startSession(c, req, res, 'learner', learner.id);
  sendJson(res, 200, joinResult(learner, (await c.store.classById(learner.classId))?.name ?? ''));
};

export const myAssignments: ClassroomHandler = async (c, req, res) => {
  const learner = await requireLearner(c, req);
  const cls = await c.store.classById(learner.classId);
  const group = groupSubmissions(await c.store.submissionFactsOfLearner(learner.id));
  const answer: MyAssignments = {
    learner: { id: learner.id, name: learner.name, classId: learner.classId, className: cls?.name ?? '' },
    assignments: (await c.store.assignmentsOfClass(learner.classId)).map((a) => ({
      ...assignmentView(a),
      exercises: a.lessons.map((lesson) => {
        const cell = cellOf(group(learner.id, a.id, lesson), a);
        return {
          lesson,
          title: c.lab.lessons.get(lesson)?.title ?? lesson,
          status: cell.status,
          late: cell.late,
          submittedAt: cell.createdAt === null ? null : iso(cell.createdAt),
          submissionId: cell.submissionId,
        };
      }),
    })),
  };
  sendJson(res, 200, answer);
};

/**
 * A submission: the files are frozen and committed to the database first
 * (status pending), then graded, then the result is committed, and only then
 * answered: an acknowledged submission is durable with its result. It is a
 * Run for fairness (the Run rate and an admission slot), taken before
 * anything is stored, so a refused submission leaves nothing behind. The
 * grading goes on when the client disconnects: the submission is stored already.
 */
export const submit: ClassroomHandler = async (c, req, res, params) => {
  const learner = await requireLearner(c, req);
  const assignment = await c.store.assignmentById(params.id);
  if (!assignment || assignment.classId !== learner.classId) throw new BadRequestError('no such assignment', 404);
  const body = asObject(await readJsonBody(req, MAX_SUBMISSION_BODY_BYTES).catch((err) => {
    // Refused unread: say what the limit is about, not only the body's bytes.
    if (err instanceof BadRequestError && err.status === 413) {
      throw new BadRequestError(`a submission holds at most ${MAX_SUBMISSION_BYTES / 1024} KiB of files; this one is larger than ${Math.floor(MAX_SUBMISSION_BODY_BYTES / 1024)} KiB (remove what the exercise does not need)`, 413);
    }
    throw err;
  }));
  if (typeof body.lesson !== 'string' || body.lesson === '') throw new BadRequestError('missing field "lesson" (a lesson id)');
  if (!assignment.lessons.includes(body.lesson)) throw new BadRequestError(`lesson ${JSON.stringify(body.lesson.slice(0, 100))} is not part of this assignment`);
  const lesson = c.lab.lessons.get(body.lesson);
  if (!lesson?.exercise) throw new BadRequestError(`lesson "${body.lesson}" has no exercise on this server any more`, 409);
  // Bounded before anything is stored or graded (MAX_SUBMISSION_BYTES): each one is kept for good.
  const files = v.submissionSize(validateFiles(body.files, c.lab.config.MAX_FILE_BYTES));

  const client = clientOf(c.lab, req);
  takeRun(c.lab, client);
  // Busy (429) is thrown here, before anything is stored; the slot itself may come later.
  const admitted = c.lab.admission.enter(client);
  const id = newId();
  const createdAt = Date.now();
  let stored = false;
  try {
    stored = await c.store.addSubmission({
      id, assignmentId: assignment.id, learnerId: learner.id, lesson: lesson.id, files, createdAt,
      status: 'pending', result: null, gradedAt: null, override: null,
    }, MAX_SUBMISSIONS_PER_EXERCISE);
  } finally {
    if (!stored) admitted.then((release) => release(), () => {});
  }
  if (!stored) throw new BadRequestError(`you have made ${MAX_SUBMISSIONS_PER_EXERCISE} submissions for this exercise, the most there may be`, 409);
  const result = await gradeSubmission(c.lab, lesson, files, client, admitted);
  await c.store.setSubmissionResult(id, result, Date.now());
  const answer: SubmissionResult = { ...result, submissionId: id, late: isLate(createdAt, assignment) };
  sendJson(res, 200, answer);
};
