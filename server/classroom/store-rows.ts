/**
 * Rows as both classroom stores (sqlite-store.ts, postgres-store.ts) read
 * them, turned into the store's types: the two engines share one schema
 * (migrations.ts), so one mapping serves both. Numbers may come back as
 * strings (PostgreSQL's BIGINT) and are converted here.
 */
import type { AssignmentRow, ClassCounts, ClassRow, LearnerRow, SessionKind, StoredStatus, SubmissionFacts, TeacherRow } from './store.ts';

export type Row = Record<string, unknown>;

export const teacher = (r: Row): TeacherRow => ({
  id: r.id as string,
  email: r.email as string,
  name: r.name as string,
  passwordHash: r.password_hash as string,
  createdAt: Number(r.created_at),
});
export const klass = (r: Row): ClassRow => ({
  id: r.id as string,
  teacherId: r.teacher_id as string,
  name: r.name as string,
  joinCode: (r.join_code as string | null) ?? null,
  createdAt: Number(r.created_at),
  archivedAt: r.archived_at === null || r.archived_at === undefined ? null : Number(r.archived_at),
});
export const classWithCounts = (r: Row): ClassRow & ClassCounts => ({ ...klass(r), learners: Number(r.learners), assignments: Number(r.assignments) });
export const learner = (r: Row): LearnerRow => ({
  id: r.id as string,
  classId: r.class_id as string,
  name: r.name as string,
  recoveryCode: r.recovery_code as string,
  joinedAt: Number(r.joined_at),
});
export const facts = (r: Row): SubmissionFacts => ({
  id: r.id as string,
  assignmentId: r.assignment_id as string,
  learnerId: r.learner_id as string,
  lesson: r.lesson as string,
  createdAt: Number(r.created_at),
  status: r.status as StoredStatus,
  override: r.override_status ? { status: r.override_status as 'pass' | 'fail', comment: (r.override_comment as string | null) ?? '' } : null,
  flagged: Boolean(r.flagged),
});

export const assignment = (r: Row): AssignmentRow => ({
  id: r.id as string,
  classId: r.class_id as string,
  title: r.title as string,
  lessons: JSON.parse(r.lessons as string) as string[],
  due: r.due_at === null ? null : Number(r.due_at),
  latePolicy: r.late_policy as AssignmentRow['latePolicy'],
  createdAt: Number(r.created_at),
  archivedAt: r.archived_at === null || r.archived_at === undefined ? null : Number(r.archived_at),
});

/** The session table of each kind, and its column naming the teacher or learner. */
export const SESSIONS: Record<SessionKind, { table: string; subject: string }> = {
  teacher: { table: 'teacher_sessions', subject: 'teacher_id' },
  learner: { table: 'learner_sessions', subject: 'learner_id' },
};
