/**
 * The classroom store on SQLite (Node's built-in node:sqlite): one file under
 * the data directory, the embedded default.
 *
 * Durability: WAL journal with synchronous=FULL, so every committed
 * transaction is on disk (fsync'd) before the call returns, and a killed
 * server loses nothing it acknowledged. Foreign keys are enforced. The
 * database is used from this one process; node:sqlite is synchronous, so
 * each statement runs to completion between the server's other work.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { CheckResult } from '../../src/lib/protocol.ts';
import { migrate } from './migrations.ts';
import { nameKey } from './validate.ts';
import type {
  AssignmentRow,
  ClassCounts,
  ClassRow,
  ClassroomStore,
  LearnerFilesRow,
  LearnerRow,
  Override,
  SessionKind,
  SubmissionFacts,
  SubmissionRow,
  TeacherRow,
} from './store.ts';
import { assignment, classWithCounts, facts, klass, learner, SESSIONS, teacher, type Row } from './store-rows.ts';

/** How long a statement waits for a lock held by another connection (only another process could hold one). */
const BUSY_TIMEOUT_MS = 5000;

/** SQLite's extended result code for a UNIQUE constraint (sqlite3.h SQLITE_CONSTRAINT_UNIQUE). */
const SQLITE_CONSTRAINT_UNIQUE = 2067;
function isUniqueViolation(err: unknown): boolean {
  return (err as { errcode?: number }).errcode === SQLITE_CONSTRAINT_UNIQUE;
}

/** An assignment with its lesson ids in the teacher's order (a JSON array), in one query rather than one more per assignment. */
const ASSIGNMENT_WITH_LESSONS = `
  SELECT a.*,
    (SELECT json_group_array(al.lesson ORDER BY al.position) FROM assignment_lessons al WHERE al.assignment_id = a.id) AS lessons
  FROM assignments a`;

const CLASS_WITH_COUNTS = `
  SELECT c.*,
    (SELECT COUNT(*) FROM learners l WHERE l.class_id = c.id) AS learners,
    (SELECT COUNT(*) FROM assignments a WHERE a.class_id = c.id) AS assignments
  FROM classes c`;

export class SqliteStore implements ClassroomStore {
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();

  /** Opens (creating when missing) and migrates the database at path; its directory is made private. */
  constructor(path: string) {
    if (path !== ':memory:') {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      chmodSync(dirname(path), 0o700);
    }
    this.#db = new DatabaseSync(path);
    try {
      this.#db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
      const mode = (this.#db.prepare('PRAGMA journal_mode = WAL').get() as { journal_mode: string }).journal_mode;
      if (path !== ':memory:' && mode !== 'wal') throw new Error(`SQLite refused WAL mode (journal_mode is ${mode})`);
      this.#db.exec('PRAGMA synchronous = FULL');
      this.#db.exec('PRAGMA foreign_keys = ON');
      migrate(this.#db);
    } catch (err) {
      this.#db.close();
      throw err;
    }
  }

  /** A prepared statement, cached by its text. */
  #q(sql: string): StatementSync {
    let s = this.#statements.get(sql);
    if (!s) {
      s = this.#db.prepare(sql);
      this.#statements.set(sql, s);
    }
    return s;
  }

  #get(sql: string, ...params: Array<string | number | null>): Row | undefined {
    return this.#q(sql).get(...params) as Row | undefined;
  }

  /** The one row of sql, mapped; null when there is none. */
  #one<T>(map: (r: Row) => T, sql: string, ...params: Array<string | number | null>): T | null {
    const r = this.#get(sql, ...params);
    return r ? map(r) : null;
  }

  #all(sql: string, ...params: Array<string | number | null>): Row[] {
    return this.#q(sql).all(...params) as Row[];
  }

  #run(sql: string, ...params: Array<string | number | null>): number {
    return Number(this.#q(sql).run(...params).changes);
  }

  /** fn inside one transaction (IMMEDIATE: the write lock is taken at BEGIN). */
  #transaction<T>(fn: () => T): T {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const value = fn();
      this.#db.exec('COMMIT');
      return value;
    } catch (err) {
      this.#db.exec('ROLLBACK');
      throw err;
    }
  }

  /** Runs an insert or update; false when it broke a UNIQUE constraint. */
  #unique(fn: () => void): boolean {
    try {
      fn();
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  async createTeacher(t: TeacherRow): Promise<boolean> {
    return this.#unique(() =>
      this.#run('INSERT INTO teachers (id, email, name, password_hash, created_at) VALUES (?, ?, ?, ?, ?)', t.id, t.email, t.name, t.passwordHash, t.createdAt),
    );
  }

  async teacherByEmail(email: string): Promise<TeacherRow | null> {
    return this.#one(teacher, 'SELECT * FROM teachers WHERE email = ?', email);
  }

  async teacherById(id: string): Promise<TeacherRow | null> {
    return this.#one(teacher, 'SELECT * FROM teachers WHERE id = ?', id);
  }

  async setPasswordHash(teacherId: string, hash: string): Promise<void> {
    this.#run('UPDATE teachers SET password_hash = ? WHERE id = ?', hash, teacherId);
  }

  async createSession(kind: SessionKind, tokenHash: string, subjectId: string, expiresAt: number): Promise<void> {
    const { table, subject } = SESSIONS[kind];
    this.#run(`INSERT INTO ${table} (token_hash, ${subject}, expires_at) VALUES (?, ?, ?)`, tokenHash, subjectId, expiresAt);
  }

  async sessionSubject(kind: SessionKind, tokenHash: string, now: number): Promise<string | null> {
    const { table, subject } = SESSIONS[kind];
    return this.#one((r) => r.subject as string, `SELECT ${subject} AS subject FROM ${table} WHERE token_hash = ? AND expires_at > ?`, tokenHash, now);
  }

  async deleteSession(kind: SessionKind, tokenHash: string): Promise<void> {
    this.#run(`DELETE FROM ${SESSIONS[kind].table} WHERE token_hash = ?`, tokenHash);
  }

  async deleteLearnerSessions(learnerId: string): Promise<void> {
    this.#run('DELETE FROM learner_sessions WHERE learner_id = ?', learnerId);
  }

  async purgeExpiredSessions(now: number): Promise<number> {
    return this.#transaction(() => Object.values(SESSIONS).reduce((n, { table }) => n + this.#run(`DELETE FROM ${table} WHERE expires_at <= ?`, now), 0));
  }

  async createClass(c: ClassRow): Promise<boolean> {
    return this.#unique(() =>
      this.#run('INSERT INTO classes (id, teacher_id, name, join_code, created_at) VALUES (?, ?, ?, ?, ?)', c.id, c.teacherId, c.name, c.joinCode, c.createdAt),
    );
  }

  async classById(id: string): Promise<(ClassRow & ClassCounts) | null> {
    return this.#one(classWithCounts, `${CLASS_WITH_COUNTS} WHERE c.id = ?`, id);
  }

  async classesOfTeacher(teacherId: string): Promise<Array<ClassRow & ClassCounts>> {
    return this.#all(`${CLASS_WITH_COUNTS} WHERE c.teacher_id = ? ORDER BY c.created_at, c.rowid`, teacherId).map(classWithCounts);
  }

  async classByJoinCode(code: string): Promise<ClassRow | null> {
    return this.#one(klass, 'SELECT * FROM classes WHERE join_code = ? AND archived_at IS NULL', code);
  }

  async updateClass(classId: string, change: { name?: string; archivedAt?: number | null }): Promise<void> {
    this.#transaction(() => {
      if (change.name !== undefined) this.#run('UPDATE classes SET name = ? WHERE id = ?', change.name, classId);
      if (change.archivedAt !== undefined) this.#run('UPDATE classes SET archived_at = ? WHERE id = ?', change.archivedAt, classId);
    });
  }

  async deleteClass(classId: string): Promise<void> {
    // Learners (with their sessions and submissions) and assignments go by ON DELETE CASCADE.
    this.#run('DELETE FROM classes WHERE id = ?', classId);
  }

  async setJoinCode(classId: string, code: string | null): Promise<boolean> {
    return this.#unique(() => this.#run('UPDATE classes SET join_code = ? WHERE id = ?', code, classId));
  }

  async addLearner(l: LearnerRow, maxLearners: number): Promise<'ok' | 'full' | 'name-taken' | 'code-taken'> {
    try {
      return this.#transaction(() => {
        // The names are compared here, not by a UNIQUE index: the key (NFKC, case folded) is
        // Unicode-aware, and classes stored before this rule may hold duplicates already.
        const names = this.#all('SELECT name FROM learners WHERE class_id = ?', l.classId).map((r) => r.name as string);
        if (names.length >= maxLearners) return 'full';
        const key = nameKey(l.name);
        if (names.some((name) => nameKey(name) === key)) return 'name-taken';
        this.#run(
          'INSERT INTO learners (id, class_id, name, recovery_code, joined_at) VALUES (?, ?, ?, ?, ?)',
          l.id,
          l.classId,
          l.name,
          l.recoveryCode,
          l.joinedAt,
        );
        return 'ok';
      });
    } catch (err) {
      if (isUniqueViolation(err)) return 'code-taken';
      throw err;
    }
  }

  async learnerById(id: string): Promise<LearnerRow | null> {
    return this.#one(learner, 'SELECT * FROM learners WHERE id = ?', id);
  }

  async learnerByRecoveryCode(code: string): Promise<LearnerRow | null> {
    return this.#one(learner, 'SELECT * FROM learners WHERE recovery_code = ?', code);
  }

  async learnersOfClass(classId: string): Promise<LearnerRow[]> {
    return this.#all('SELECT * FROM learners WHERE class_id = ? ORDER BY joined_at, rowid', classId).map(learner);
  }

  async setRecoveryCode(learnerId: string, code: string): Promise<boolean> {
    return this.#unique(() => this.#run('UPDATE learners SET recovery_code = ? WHERE id = ?', code, learnerId));
  }

  async createAssignment(a: AssignmentRow): Promise<void> {
    this.#transaction(() => {
      this.#run(
        'INSERT INTO assignments (id, class_id, title, due_at, late_policy, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        a.id,
        a.classId,
        a.title,
        a.due,
        a.latePolicy,
        a.createdAt,
      );
      for (const [i, lesson] of a.lessons.entries())
        this.#run('INSERT INTO assignment_lessons (assignment_id, position, lesson) VALUES (?, ?, ?)', a.id, i, lesson);
    });
  }

  async updateAssignment(a: AssignmentRow): Promise<number> {
    return this.#transaction(() => {
      this.#run(
        'UPDATE assignments SET title = ?, due_at = ?, late_policy = ?, archived_at = ? WHERE id = ?',
        a.title,
        a.due,
        a.latePolicy,
        a.archivedAt ?? null,
        a.id,
      );
      const before = this.#all('SELECT lesson FROM assignment_lessons WHERE assignment_id = ?', a.id).map((r) => r.lesson as string);
      let removed = 0;
      for (const lesson of before) {
        if (a.lessons.includes(lesson)) continue;
        // Its submissions go too (ON DELETE CASCADE); counted first, for the answer.
        removed += Number(this.#get('SELECT COUNT(*) AS n FROM submissions WHERE assignment_id = ? AND lesson = ?', a.id, lesson)!.n);
        this.#run('DELETE FROM assignment_lessons WHERE assignment_id = ? AND lesson = ?', a.id, lesson);
      }
      // Kept lessons are updated in place (deleting and inserting them again would cascade to their submissions).
      a.lessons.forEach((lesson, i) => {
        if (before.includes(lesson)) this.#run('UPDATE assignment_lessons SET position = ? WHERE assignment_id = ? AND lesson = ?', i, a.id, lesson);
        else this.#run('INSERT INTO assignment_lessons (assignment_id, position, lesson) VALUES (?, ?, ?)', a.id, i, lesson);
      });
      return removed;
    });
  }

  async deleteAssignment(id: string): Promise<void> {
    // Its lessons and their submissions go by ON DELETE CASCADE.
    this.#run('DELETE FROM assignments WHERE id = ?', id);
  }

  async assignmentById(id: string): Promise<AssignmentRow | null> {
    return this.#one(assignment, `${ASSIGNMENT_WITH_LESSONS} WHERE a.id = ?`, id);
  }

  async assignmentsOfClass(classId: string): Promise<AssignmentRow[]> {
    return this.#all(`${ASSIGNMENT_WITH_LESSONS} WHERE a.class_id = ? ORDER BY a.created_at, a.rowid`, classId).map(assignment);
  }

  async addSubmission(s: SubmissionRow, maxPerExercise: number): Promise<boolean> {
    return this.#transaction(() => {
      const n = Number(
        this.#get('SELECT COUNT(*) AS n FROM submissions WHERE assignment_id = ? AND learner_id = ? AND lesson = ?', s.assignmentId, s.learnerId, s.lesson)!.n,
      );
      if (n >= maxPerExercise) return false;
      this.#run(
        'INSERT INTO submissions (id, assignment_id, learner_id, lesson, files, created_at, status, result, graded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        s.id,
        s.assignmentId,
        s.learnerId,
        s.lesson,
        JSON.stringify(s.files),
        s.createdAt,
        s.status,
        s.result ? JSON.stringify(s.result) : null,
        s.gradedAt,
      );
      return true;
    });
  }

  async setSubmissionResult(id: string, result: CheckResult, gradedAt: number): Promise<void> {
    this.#run('UPDATE submissions SET status = ?, result = ?, graded_at = ? WHERE id = ?', result.status, JSON.stringify(result), gradedAt, id);
  }

  async finishPending(id: string, result: CheckResult, gradedAt: number): Promise<boolean> {
    return (
      this.#run(
        "UPDATE submissions SET status = ?, result = ?, graded_at = ? WHERE id = ? AND status = 'pending'",
        result.status,
        JSON.stringify(result),
        gradedAt,
        id,
      ) === 1
    );
  }

  async pendingSubmissions(): Promise<Array<{ id: string; learnerId: string }>> {
    return this.#all("SELECT id, learner_id FROM submissions WHERE status = 'pending' ORDER BY seq").map((r) => ({
      id: r.id as string,
      learnerId: r.learner_id as string,
    }));
  }

  async pendingOfLearner(learnerId: string): Promise<number> {
    return Number(this.#get("SELECT COUNT(*) AS n FROM submissions WHERE learner_id = ? AND status = 'pending'", learnerId)!.n);
  }

  async submissionHistory(
    learnerId: string,
    filter: { assignmentId?: string; lesson?: string },
    limit: number,
  ): Promise<Array<SubmissionFacts & { result: CheckResult | null }>> {
    return this.#all(
      `
      SELECT id, assignment_id, learner_id, lesson, created_at, status, result, override_status, override_comment
      FROM submissions WHERE learner_id = ? AND (? IS NULL OR assignment_id = ?) AND (? IS NULL OR lesson = ?)
      ORDER BY seq DESC LIMIT ?`,
      learnerId,
      filter.assignmentId ?? null,
      filter.assignmentId ?? null,
      filter.lesson ?? null,
      filter.lesson ?? null,
      limit,
    ).map((r) => ({ ...facts(r), result: r.result === null ? null : (JSON.parse(r.result as string) as CheckResult) }));
  }

  async submissionById(id: string): Promise<SubmissionRow | null> {
    return this.#one(
      (r) => ({
        ...facts(r),
        files: JSON.parse(r.files as string),
        result: r.result === null ? null : JSON.parse(r.result as string),
        gradedAt: r.graded_at === null ? null : Number(r.graded_at),
      }),
      'SELECT * FROM submissions WHERE id = ?',
      id,
    );
  }

  async submissionFactsOfClass(classId: string): Promise<SubmissionFacts[]> {
    return this.#all(
      `
      SELECT s.id, s.assignment_id, s.learner_id, s.lesson, s.created_at, s.status, s.override_status, s.override_comment,
        json_extract(s.result, '$.review') IS NOT NULL AS flagged
      FROM submissions s JOIN assignments a ON a.id = s.assignment_id
      WHERE a.class_id = ? ORDER BY s.seq`,
      classId,
    ).map(facts);
  }

  async submissionFactsOfLearner(learnerId: string): Promise<SubmissionFacts[]> {
    return this.#all(
      `
      SELECT id, assignment_id, learner_id, lesson, created_at, status, override_status, override_comment,
        json_extract(result, '$.review') IS NOT NULL AS flagged
      FROM submissions WHERE learner_id = ? ORDER BY seq`,
      learnerId,
    ).map(facts);
  }

  async setOverride(id: string, override: Override | null): Promise<void> {
    this.#run('UPDATE submissions SET override_status = ?, override_comment = ? WHERE id = ?', override?.status ?? null, override?.comment ?? null, id);
  }

  async progressOfLearner(learnerId: string): Promise<Array<{ lesson: string; doneAt: number }>> {
    return this.#all('SELECT lesson, done_at FROM learner_progress WHERE learner_id = ? ORDER BY done_at, lesson', learnerId).map((r) => ({
      lesson: r.lesson as string,
      doneAt: Number(r.done_at),
    }));
  }

  async markDone(learnerId: string, lesson: string, now: number): Promise<number> {
    return this.#transaction(() => {
      this.#run('INSERT INTO learner_progress (learner_id, lesson, done_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', learnerId, lesson, now);
      return Number(this.#get('SELECT done_at FROM learner_progress WHERE learner_id = ? AND lesson = ?', learnerId, lesson)!.done_at);
    });
  }

  async learnerFiles(learnerId: string, lesson: string): Promise<LearnerFilesRow | null> {
    return this.#one(
      (r) => ({ files: JSON.parse(r.files as string) as Record<string, string>, savedAt: Number(r.saved_at) }),
      'SELECT files, saved_at FROM learner_files WHERE learner_id = ? AND lesson = ?',
      learnerId,
      lesson,
    );
  }

  async saveLearnerFiles(learnerId: string, lesson: string, files: Record<string, string>, now: number): Promise<number> {
    return this.#transaction(() => {
      this.#run(
        `
        INSERT INTO learner_files (learner_id, lesson, files, saved_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (learner_id, lesson) DO UPDATE SET files = excluded.files, saved_at = MAX(excluded.saved_at, learner_files.saved_at + 1)`,
        learnerId,
        lesson,
        JSON.stringify(files),
        now,
      );
      return Number(this.#get('SELECT saved_at FROM learner_files WHERE learner_id = ? AND lesson = ?', learnerId, lesson)!.saved_at);
    });
  }

  async close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
  }
}
