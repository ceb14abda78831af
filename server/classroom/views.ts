/** Stored rows as the API shows them (src/lib/protocol.ts, "classroom"): ISO times, no internals. */
import type { Assignment, ClassLearner, ClassSummary, Submission } from '../../src/lib/protocol.ts';
import { iso } from './context.ts';
import { isLate } from './results.ts';
import type { AssignmentRow, ClassCounts, ClassRow, LearnerRow, SubmissionRow } from './store.ts';

export const classSummary = (c: ClassRow & ClassCounts): ClassSummary => ({
  id: c.id, name: c.name, joinCode: c.joinCode, learners: c.learners, assignments: c.assignments, createdAt: iso(c.createdAt),
});

export const assignmentView = (a: AssignmentRow): Assignment => ({
  id: a.id, classId: a.classId, title: a.title, lessons: a.lessons, due: a.due === null ? null : iso(a.due), latePolicy: a.latePolicy, createdAt: iso(a.createdAt),
});

export const classLearner = (l: LearnerRow): ClassLearner => ({ id: l.id, name: l.name, recoveryCode: l.recoveryCode, joinedAt: iso(l.joinedAt) });

/** While the checks still run (or never finished) the result says so; `pending` tells the two cases apart. */
const PENDING_RESULT = { status: 'error' as const, message: 'not graded yet: the checks are still running', tests: [] };

export const submissionView = (s: SubmissionRow, a: AssignmentRow): Submission => ({
  id: s.id,
  assignmentId: s.assignmentId,
  learnerId: s.learnerId,
  lesson: s.lesson,
  files: s.files,
  result: s.result ?? PENDING_RESULT,
  ...(s.status === 'pending' ? { pending: true } : {}),
  late: isLate(s.createdAt, a),
  createdAt: iso(s.createdAt),
  override: s.override,
});
