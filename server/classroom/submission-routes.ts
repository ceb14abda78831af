/**
 * One submission (`GET /api/submissions/{id}`: its learner or the teacher of
 * its class; anyone else gets 404) and its grade as it comes
 * (`GET /api/submissions/{id}/events`), a learner's submission history for
 * the teacher, a teacher's override of a status, and a class's regrade.
 */
import { OverrideRequestSchema, RegradeRequestSchema, type RegradeResult, type SubmissionHistory } from '../../src/lib/protocol-classroom.ts';
import { parseInput, readJsonBody, sendJson } from '../http/json.ts';
import { clientOf } from '../lab.ts';
import { queryParam } from '../http/query.ts';
import { HttpError } from '../http/errors.ts';
import type { Classroom, ClassroomHandler } from './context.ts';
import { admitPatiently, gradeSubmission } from './grade.ts';
import { announceSubmission } from './grading-queue.ts';
import { learnerOf, ownClass, requireTeacher, teacherOf } from './identity.ts';
import { CLASSROOM_BODY_BYTES, MAX_HISTORY_SUBMISSIONS } from './limits.ts';
import { countedSubmission, groupSubmissions } from './results.ts';
import type { AssignmentRow, SubmissionRow, TeacherRow } from './store.ts';
import { submissionInfo, submissionView, withDistinctNames } from './views.ts';

/** The submission and its assignment, when the caller is its learner or (with teacherOnly, only) its class's teacher. */
async function visibleSubmission(
  c: Classroom,
  id: string,
  teacher: TeacherRow | null,
  learnerId: string | null,
): Promise<{ s: SubmissionRow; a: AssignmentRow }> {
  const notFound = new HttpError(404, 'no such submission');
  const s = await c.store.submissionById(id);
  if (!s) throw notFound;
  const a = await c.store.assignmentById(s.assignmentId);
  if (!a) throw notFound;
  if (learnerId !== null && s.learnerId === learnerId) return { s, a };
  if (teacher) {
    const cls = await c.store.classById(a.classId);
    if (cls?.teacherId === teacher.id) return { s, a };
  }
  throw notFound;
}

export const getSubmission: ClassroomHandler = async (c, req, res, params) => {
  const [teacher, learner] = await Promise.all([teacherOf(c, req), learnerOf(c, req)]);
  if (!teacher && !learner) throw new HttpError(401, 'not signed in (as a teacher, or as a learner of a class)');
  const { s, a } = await visibleSubmission(c, params.id, teacher, learner?.id ?? null);
  sendJson(res, 200, submissionView(s, a));
};

/**
 * The submission's state now and, while it waits, its grade when it comes
 * (events.ts; the stream ends after the grade). Subscribed before the row is
 * read, so a grade stored in between is not missed (it may come twice).
 */
export const submissionEvents: ClassroomHandler = async (c, req, res, params) => {
  const [teacher, learner] = await Promise.all([teacherOf(c, req), learnerOf(c, req)]);
  if (!teacher && !learner) throw new HttpError(401, 'not signed in (as a teacher, or as a learner of a class)');
  await visibleSubmission(c, params.id, teacher, learner?.id ?? null);
  const stream = c.events.open(req, res, `submission:${params.id}`, learner ? `learner:${learner.id}` : `teacher:${teacher!.id}`);
  const now = await c.store.submissionById(params.id);
  const a = now && (await c.store.assignmentById(now.assignmentId));
  if (!now || !a) return stream.end(); // deleted meanwhile
  c.events.send(stream, 'submission', submissionInfo(now, a), now.status !== 'pending');
};

/** One learner's submissions, newest first (optionally of one assignment and lesson): the teacher's view of their history. */
export const history: ClassroomHandler = async (c, req, res, params) => {
  const cls = await ownClass(c, await requireTeacher(c, req), params.id);
  const learners = withDistinctNames(await c.store.learnersOfClass(cls.id));
  const learner = learners.find((l) => l.id === params.learnerId);
  if (!learner) throw new HttpError(404, 'no such learner in this class');
  const assignmentId = queryParam(req, 'assignmentId') ?? undefined;
  const lesson = queryParam(req, 'lesson') ?? undefined;
  const assignments = new Map((await c.store.assignmentsOfClass(cls.id)).map((a) => [a.id, a]));
  if (assignmentId !== undefined && !assignments.has(assignmentId)) throw new HttpError(404, 'no such assignment in this class');
  // One more than shown tells whether there are more.
  const rows = await c.store.submissionHistory(learner.id, { assignmentId, lesson }, MAX_HISTORY_SUBMISSIONS + 1);
  const answer: SubmissionHistory = {
    learnerId: learner.id,
    name: learner.name,
    submissions: rows.slice(0, MAX_HISTORY_SUBMISSIONS).map((s) => submissionInfo(s, assignments.get(s.assignmentId)!)),
    truncated: rows.length > MAX_HISTORY_SUBMISSIONS,
  };
  sendJson(res, 200, answer);
};

export const override: ClassroomHandler = async (c, req, res, params) => {
  const teacher = await requireTeacher(c, req);
  const { s, a } = await visibleSubmission(c, params.id, teacher, null);
  const { status, comment } = parseInput(OverrideRequestSchema, await readJsonBody(req, CLASSROOM_BODY_BYTES));
  const override = status === null ? null : { status, comment: comment ?? '' };
  await c.store.setOverride(s.id, override);
  await announceSubmission(c.store, c.events, { ...s, override }, false);
  sendJson(res, 200, submissionView({ ...s, override }, a));
};

/**
 * Re-runs the checks on the class's counted submissions (optionally of one
 * assignment, or one lesson), one at a time in the sandbox, and replaces
 * each stored result; the files never change and overrides stay. One
 * regrade per class at a time (409 while one runs).
 */
export const regrade: ClassroomHandler = async (c, req, res, params) => {
  const cls = await ownClass(c, await requireTeacher(c, req), params.id);
  const body = parseInput(RegradeRequestSchema, await readJsonBody(req, CLASSROOM_BODY_BYTES));
  let assignments = await c.store.assignmentsOfClass(cls.id);
  if (body.assignmentId !== undefined) {
    assignments = assignments.filter((a) => a.id === body.assignmentId);
    if (!assignments.length) throw new HttpError(404, 'no such assignment in this class');
  }
  const lessonFilter = body.lesson ?? null;
  if (lessonFilter !== null && !assignments.some((a) => a.lessons.includes(lessonFilter))) {
    throw new HttpError(
      400,
      `lesson ${JSON.stringify(lessonFilter.slice(0, 100))} is in no assignment of this class${body.assignmentId ? ' (of that assignment)' : ''}`,
    );
  }
  if (c.regrading.has(cls.id)) throw new HttpError(409, 'a regrade of this class is running already; wait for it to finish');
  c.regrading.add(cls.id);
  try {
    const group = groupSubmissions(await c.store.submissionFactsOfClass(cls.id));
    const learners = await c.store.learnersOfClass(cls.id);
    const client = clientOf(c.lab, req);
    const answer: RegradeResult = { regraded: 0, changed: 0, errors: 0 };
    for (const a of assignments) {
      for (const lessonId of a.lessons) {
        if (lessonFilter !== null && lessonId !== lessonFilter) continue;
        const lesson = c.lab.lessons.get(lessonId);
        for (const l of learners) {
          const counted = countedSubmission(group(l.id, a.id, lessonId), a.due);
          if (!counted) continue;
          const s = (await c.store.submissionById(counted.id))!;
          const result = lesson?.exercise
            ? await gradeSubmission(c.lab, lesson, s.files, client, Promise.resolve(await admitPatiently(c.lab, client)), true)
            : { status: 'error' as const, message: `lesson "${lessonId}" has no exercise on this server any more`, tests: [] };
          await c.store.setSubmissionResult(s.id, result, Date.now());
          await announceSubmission(c.store, c.events, { ...s, status: result.status, result }, false);
          answer.regraded++;
          if (result.status !== s.status) answer.changed++;
          if (result.status === 'error') answer.errors++;
        }
      }
    }
    sendJson(res, 200, answer);
  } finally {
    c.regrading.delete(cls.id);
  }
};
