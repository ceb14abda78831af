/** Stored rows as the API shows them (src/lib/protocol-classroom.ts): ISO times, no internals. */
import type { Assignment, ClassLearner, ClassSubmissionEvent, ClassSummary, Submission, SubmissionInfo } from '../../src/lib/protocol-classroom.ts';
import { isLate } from './results.ts';
import { nameKey } from './validate.ts';
import type { AssignmentRow, ClassCounts, ClassRow, LearnerRow, SubmissionRow } from './store.ts';

/** A stored time (Unix ms) as the wire's ISO 8601 string (UTC). */
export const iso = (ms: number): string => new Date(ms).toISOString();

export const classSummary = (c: ClassRow & ClassCounts): ClassSummary => ({
  id: c.id,
  name: c.name,
  joinCode: c.joinCode,
  learners: c.learners,
  assignments: c.assignments,
  createdAt: iso(c.createdAt),
  archived: (c.archivedAt ?? null) !== null,
});

export const assignmentView = (a: AssignmentRow): Assignment => ({
  id: a.id,
  classId: a.classId,
  title: a.title,
  lessons: a.lessons,
  due: a.due === null ? null : iso(a.due),
  latePolicy: a.latePolicy,
  createdAt: iso(a.createdAt),
  archived: (a.archivedAt ?? null) !== null,
});

/**
 * The learners with names a teacher can tell apart. Joining refuses a name
 * another learner of the class has (learner-routes.ts join), but a class
 * stored before that rule may hold two "Alex": the later ones are shown as
 * "Alex (2)", "Alex (3)" in the order they joined (stable: joining order
 * does not change), in the class page, the grid and the CSV alike.
 */
export function withDistinctNames<T extends Pick<LearnerRow, 'name'>>(learners: readonly T[]): T[] {
  const seen = new Map<string, number>();
  return learners.map((l) => {
    const key = nameKey(l.name);
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    return n === 1 ? l : { ...l, name: `${l.name} (${n})` };
  });
}

export const classLearner = (l: LearnerRow): ClassLearner => ({ id: l.id, name: l.name, recoveryCode: l.recoveryCode, joinedAt: iso(l.joinedAt) });

/** While the checks still run (or never finished) the result says so; `pending` tells the two cases apart. */
const PENDING_RESULT = { status: 'error' as const, message: 'not graded yet: waiting for its turn, or being checked', tests: [] };

export const submissionView = (s: SubmissionRow, a: AssignmentRow): Submission => ({
  ...submissionInfo(s, a),
  files: s.files,
});

/** A submission without its files (a history line, a stream's event): what is stored, nothing else. */
export const submissionInfo = (s: Omit<SubmissionRow, 'files' | 'gradedAt'>, a: Pick<AssignmentRow, 'due' | 'latePolicy'>): SubmissionInfo => ({
  id: s.id,
  assignmentId: s.assignmentId,
  learnerId: s.learnerId,
  lesson: s.lesson,
  result: s.result ?? PENDING_RESULT,
  ...(s.status === 'pending' ? { pending: true } : {}),
  late: isLate(s.createdAt, a),
  createdAt: iso(s.createdAt),
  override: s.override,
});

/** The class stream's event for a submission stored, graded or overridden. */
export const submissionEvent = (s: Pick<SubmissionRow, 'id' | 'learnerId' | 'assignmentId' | 'lesson' | 'status'>): ClassSubmissionEvent => ({
  submissionId: s.id,
  learnerId: s.learnerId,
  assignmentId: s.assignmentId,
  lesson: s.lesson,
  status: s.status,
});
