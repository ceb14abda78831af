/**
 * The classroom's storage, as an interface: the routes speak only to this,
 * and it is PostgreSQL (postgres-store.ts) when the operator sets
 * DATABASE_URL, the embedded SQLite (sqlite-store.ts) otherwise
 * (store-open.ts chooses). Methods are async for PostgreSQL, although
 * SQLite answers synchronously.
 *
 * Every write that returns has been committed (durable): callers acknowledge
 * a request only after it.
 *
 * Times are Unix milliseconds here; the API turns them into ISO strings.
 */
import type { CheckResult } from '../../src/lib/protocol.ts';
import type { LatePolicy } from '../../src/lib/protocol-classroom.ts';

export interface TeacherRow {
  id: string;
  email: string;
  name: string;
  passwordHash: string;
  createdAt: number;
}
export interface ClassRow {
  id: string;
  teacherId: string;
  name: string;
  joinCode: string | null;
  createdAt: number;
  /** When the class was archived; null or absent while it is active. */
  archivedAt?: number | null;
}
export interface ClassCounts {
  learners: number;
  assignments: number;
}
export interface LearnerRow {
  id: string;
  classId: string;
  name: string;
  recoveryCode: string;
  joinedAt: number;
}
export interface AssignmentRow {
  id: string;
  classId: string;
  title: string;
  /** Lesson ids, in the teacher's order. */
  lessons: string[];
  due: number | null;
  latePolicy: LatePolicy;
  createdAt: number;
  /** When the assignment was archived; null or absent while it is active. */
  archivedAt?: number | null;
}

/** `pending`: stored, not graded yet (the grading queue grades it, also after a restart). */
export type StoredStatus = 'pending' | 'pass' | 'fail' | 'error';
export interface Override {
  status: 'pass' | 'fail';
  comment: string;
}

/** What counting needs of a submission (no files, no result details). */
export interface SubmissionFacts {
  id: string;
  assignmentId: string;
  learnerId: string;
  lesson: string;
  createdAt: number;
  status: StoredStatus;
  override: Override | null;
  /** The grader flagged the code for a teacher's review (CheckResult.review, server/grading/review.ts). */
  flagged?: boolean;
}

export interface SubmissionRow extends SubmissionFacts {
  files: Record<string, string>;
  /** null while pending. */
  result: CheckResult | null;
  gradedAt: number | null;
}

export type SessionKind = 'teacher' | 'learner';

/** A learner's copy of a lesson's files on the server (progress-routes.ts). */
export interface LearnerFilesRow {
  files: Record<string, string>;
  savedAt: number;
}

export interface ClassroomStore {
  /** false: the email is taken. */
  createTeacher(t: TeacherRow): Promise<boolean>;
  teacherByEmail(email: string): Promise<TeacherRow | null>;
  teacherById(id: string): Promise<TeacherRow | null>;
  setPasswordHash(teacherId: string, hash: string): Promise<void>;

  createSession(kind: SessionKind, tokenHash: string, subjectId: string, expiresAt: number): Promise<void>;
  /** The teacher's or learner's id of an unexpired session, or null. */
  sessionSubject(kind: SessionKind, tokenHash: string, now: number): Promise<string | null>;
  deleteSession(kind: SessionKind, tokenHash: string): Promise<void>;
  deleteLearnerSessions(learnerId: string): Promise<void>;
  /** Deletes expired sessions of both kinds; answers how many. */
  purgeExpiredSessions(now: number): Promise<number>;

  /** false: the join code is in use by another open class (draw another). */
  createClass(c: ClassRow): Promise<boolean>;
  classById(id: string): Promise<(ClassRow & ClassCounts) | null>;
  classesOfTeacher(teacherId: string): Promise<Array<ClassRow & ClassCounts>>;
  /** An open (not archived) class by its join code. */
  classByJoinCode(code: string): Promise<ClassRow | null>;
  /** Renames and/or archives (a time) or restores (null) a class; fields left undefined stay. */
  updateClass(classId: string, change: { name?: string; archivedAt?: number | null }): Promise<void>;
  /** Deletes the class with its learners (and their sessions), assignments and submissions. */
  deleteClass(classId: string): Promise<void>;
  /** null closes joining. false: the code is in use by another open class. */
  setJoinCode(classId: string, code: string | null): Promise<boolean>;

  /**
   * Adds a learner unless the class already has maxLearners ('full') or a
   * learner whose name has the same nameKey (validate.ts) as l's ('name-taken');
   * 'code-taken': the recovery code exists (draw another). Checked and added
   * in one transaction: two joins with one name at once cannot both succeed.
   */
  addLearner(l: LearnerRow, maxLearners: number): Promise<'ok' | 'full' | 'name-taken' | 'code-taken'>;
  learnerById(id: string): Promise<LearnerRow | null>;
  learnerByRecoveryCode(code: string): Promise<LearnerRow | null>;
  learnersOfClass(classId: string): Promise<LearnerRow[]>;
  /** false: the code exists (draw another). */
  setRecoveryCode(learnerId: string, code: string): Promise<boolean>;

  createAssignment(a: AssignmentRow): Promise<void>;
  /**
   * Stores the assignment's title, due time, late policy, archived time and
   * lessons (in this order). Lessons no longer listed are removed with their
   * submissions; kept ones keep theirs. Answers how many submissions went.
   */
  updateAssignment(a: AssignmentRow): Promise<number>;
  /** Deletes the assignment with its submissions. */
  deleteAssignment(id: string): Promise<void>;
  assignmentById(id: string): Promise<AssignmentRow | null>;
  /** In creation order. */
  assignmentsOfClass(classId: string): Promise<AssignmentRow[]>;

  /**
   * Stores a submission (status pending) unless the learner already has maxPerExercise
   * for this assignment and lesson (false).
   */
  addSubmission(s: SubmissionRow, maxPerExercise: number): Promise<boolean>;
  setSubmissionResult(id: string, result: CheckResult, gradedAt: number): Promise<void>;
  /** Stores the grade of a pending submission; false when it is not pending any more (or was deleted meanwhile). */
  finishPending(id: string, result: CheckResult, gradedAt: number): Promise<boolean>;
  /** Every pending submission, oldest first (to grade after a restart). */
  pendingSubmissions(): Promise<Array<{ id: string; learnerId: string }>>;
  /** How many of the learner's submissions wait for their grade. */
  pendingOfLearner(learnerId: string): Promise<number>;
  /** The learner's submissions (optionally of one assignment and lesson), newest first, at most `limit`. */
  submissionHistory(
    learnerId: string,
    filter: { assignmentId?: string; lesson?: string },
    limit: number,
  ): Promise<Array<SubmissionFacts & { result: CheckResult | null }>>;
  submissionById(id: string): Promise<SubmissionRow | null>;
  /** Every submission of the class's assignments, oldest first (ties in the order they were stored). */
  submissionFactsOfClass(classId: string): Promise<SubmissionFacts[]>;
  submissionFactsOfLearner(learnerId: string): Promise<SubmissionFacts[]>;
  setOverride(id: string, override: Override | null): Promise<void>;

  /** The learner's done lessons with when each was first marked done, oldest first. */
  progressOfLearner(learnerId: string): Promise<Array<{ lesson: string; doneAt: number }>>;
  /** Marks the lesson done; one already done keeps its first time. Answers that time. */
  markDone(learnerId: string, lesson: string, now: number): Promise<number>;
  /** The learner's copy of the lesson's files, or null. */
  learnerFiles(learnerId: string, lesson: string): Promise<LearnerFilesRow | null>;
  /**
   * Stores (replacing) the learner's copy of the lesson's files; answers its
   * savedAt: `now`, or one more than the copy it replaces when that is not
   * older, so each save of a lesson has its own time (browsers tell copies apart by it).
   */
  saveLearnerFiles(learnerId: string, lesson: string, files: Record<string, string>, now: number): Promise<number>;

  /** Closes the database (SQLite at once; PostgreSQL once its connections have ended). */
  close(): Promise<void>;
}
