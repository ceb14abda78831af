/**
 * The classroom store on PostgreSQL (node-postgres, `pg`), used when the
 * operator sets DATABASE_URL: several lab processes (or machines) can then
 * share one classroom, and the data lives on a server that is backed up and
 * replicated as PostgreSQL is (docs/operations.md).
 *
 * Same schema and migration history as SQLite (migrations.ts), same
 * behaviour as sqlite-store.ts: the store tests run against both
 * (tests/unit/server/classroom-store.test.ts). Where SQLite serialises
 * writers with its one write lock (BEGIN IMMEDIATE), this store locks the
 * row a check-then-insert depends on (SELECT ... FOR UPDATE), so two
 * processes cannot both pass a cap or a unique-name check.
 *
 * Durability: a write returns after COMMIT, which PostgreSQL acknowledges
 * once the commit is flushed to its WAL (synchronous_commit = on, its default).
 */
import pg from 'pg';
import type { CheckResult } from '../../src/lib/protocol.ts';
import { MIGRATIONS, MigrationError, migrationSql, type Migration } from './migrations.ts';
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

/** Connections the store keeps open to PostgreSQL at most (each request holds one for a statement or a transaction). */
const POOL_MAX_CONNECTIONS = 10;
/** How long opening a connection may take before the request fails (a wrong host must not hang the server). */
const CONNECT_TIMEOUT_MS = 10_000;
/** An idle pooled connection is closed after this long. */
const IDLE_CONNECTION_MS = 30_000;
/**
 * Key of the advisory lock held while migrating: two lab processes starting
 * together on one database migrate one after the other. Any constant works;
 * this one is "golab" in ASCII.
 */
const MIGRATION_LOCK_KEY = 0x676f6c6162;

/** PostgreSQL's SQLSTATE for a UNIQUE violation. */
const UNIQUE_VIOLATION = '23505';
function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string }).code === UNIQUE_VIOLATION;
}

type Param = string | number | null;
/** A pool or one client inside a transaction: both run queries. */
type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/** Runs fn inside one transaction on one connection of the pool. */
async function inTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const value = await fn(client);
    await client.query('COMMIT');
    return value;
  } catch (err) {
    // A connection whose ROLLBACK fails is not given back to the pool.
    await client.query('ROLLBACK').catch((e: Error) => {
      broken = e;
    });
    throw err;
  } finally {
    client.release(broken);
  }
}

/** The schema's version (0: nothing migrated yet), kept in a one-row table. */
async function schemaVersion(c: Queryable): Promise<number> {
  const r = await c.query('SELECT version FROM lab_schema_version');
  return r.rows.length ? Number(r.rows[0].version) : 0;
}

/**
 * Brings the PostgreSQL database to the newest version, each migration in its
 * own transaction with the new version number (PostgreSQL's DDL is
 * transactional); answers the versions before and after.
 */
export async function migratePostgres(pool: pg.Pool, migrations: readonly Migration[] = MIGRATIONS): Promise<{ from: number; to: number }> {
  await inTransaction(pool, async (c) => {
    await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await c.query('CREATE TABLE IF NOT EXISTS lab_schema_version (version INTEGER NOT NULL)');
    await c.query('INSERT INTO lab_schema_version (version) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM lab_schema_version)');
  });
  const from = await schemaVersion(pool);
  if (from > migrations.length) {
    throw new MigrationError(
      `the classroom database is at schema version ${from}, newer than this server knows (${migrations.length}): it was written by a newer version of the lab`,
    );
  }
  for (let v = from; v < migrations.length; v++) {
    try {
      await inTransaction(pool, async (c) => {
        await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
        // Another process may have migrated between our read and the lock.
        if ((await schemaVersion(c)) !== v) return;
        await c.query(migrationSql(migrations[v], 'postgres'));
        await c.query('UPDATE lab_schema_version SET version = $1', [v + 1]);
      });
    } catch (err) {
      throw new MigrationError(`classroom database migration ${v + 1} failed: ${(err as Error).message}`);
    }
  }
  return { from, to: await schemaVersion(pool) };
}

/** DATABASE_URL without its password, to name the database in logs. */
export function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    return u.toString();
  } catch {
    return '(a DATABASE_URL that is not a URL)';
  }
}

/** An assignment with its lesson ids in the teacher's order (JSON text, as SQLite answers), in one query. */
const ASSIGNMENT_WITH_LESSONS = `
  SELECT a.*,
    (SELECT COALESCE(json_agg(al.lesson ORDER BY al.position), '[]'::json)::text FROM assignment_lessons al WHERE al.assignment_id = a.id) AS lessons
  FROM assignments a`;

const CLASS_WITH_COUNTS = `
  SELECT c.*,
    (SELECT COUNT(*) FROM learners l WHERE l.class_id = c.id) AS learners,
    (SELECT COUNT(*) FROM assignments a WHERE a.class_id = c.id) AS assignments
  FROM classes c`;

/** Whether the grader flagged the code (CheckResult.review present): ->> answers SQL NULL for a missing key or a JSON null. */
const flagged = (result: string) => `(${result}::jsonb ->> 'review') IS NOT NULL AS flagged`;

export class PostgresStore implements ClassroomStore {
  readonly #pool: pg.Pool;

  private constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /** Connects to the database at url (a postgres:// connection string) and migrates it. */
  static async open(url: string): Promise<PostgresStore> {
    const pool = new pg.Pool({
      connectionString: url,
      max: POOL_MAX_CONNECTIONS,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      idleTimeoutMillis: IDLE_CONNECTION_MS,
      application_name: 'go-build-lab',
    });
    // An idle connection that breaks (the database restarted) is dropped by the pool;
    // without a listener its error would end the process.
    pool.on('error', (err) => console.error(`[lab] classroom database: an idle connection failed: ${err.message}`));
    try {
      await migratePostgres(pool);
    } catch (err) {
      await pool.end();
      throw err;
    }
    return new PostgresStore(pool);
  }

  async #rows(sql: string, ...params: Param[]): Promise<Row[]> {
    return (await this.#pool.query(sql, params)).rows as Row[];
  }

  /** The one row of sql, mapped; null when there is none. */
  async #one<T>(map: (r: Row) => T, sql: string, ...params: Param[]): Promise<T | null> {
    const r = (await this.#rows(sql, ...params))[0];
    return r ? map(r) : null;
  }

  /** Runs a statement; answers how many rows it changed. */
  async #run(sql: string, ...params: Param[]): Promise<number> {
    return (await this.#pool.query(sql, params)).rowCount ?? 0;
  }

  /** Runs an insert or update; false when it broke a UNIQUE constraint. */
  async #unique(fn: () => Promise<unknown>): Promise<boolean> {
    try {
      await fn();
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  async createTeacher(t: TeacherRow): Promise<boolean> {
    return this.#unique(() =>
      this.#run(
        'INSERT INTO teachers (id, email, name, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)',
        t.id,
        t.email,
        t.name,
        t.passwordHash,
        t.createdAt,
      ),
    );
  }

  async teacherByEmail(email: string): Promise<TeacherRow | null> {
    return this.#one(teacher, 'SELECT * FROM teachers WHERE email = $1', email);
  }

  async teacherById(id: string): Promise<TeacherRow | null> {
    return this.#one(teacher, 'SELECT * FROM teachers WHERE id = $1', id);
  }

  async setPasswordHash(teacherId: string, hash: string): Promise<void> {
    await this.#run('UPDATE teachers SET password_hash = $1 WHERE id = $2', hash, teacherId);
  }

  async createSession(kind: SessionKind, tokenHash: string, subjectId: string, expiresAt: number): Promise<void> {
    const { table, subject } = SESSIONS[kind];
    await this.#run(`INSERT INTO ${table} (token_hash, ${subject}, expires_at) VALUES ($1, $2, $3)`, tokenHash, subjectId, expiresAt);
  }

  async sessionSubject(kind: SessionKind, tokenHash: string, now: number): Promise<string | null> {
    const { table, subject } = SESSIONS[kind];
    return this.#one((r) => r.subject as string, `SELECT ${subject} AS subject FROM ${table} WHERE token_hash = $1 AND expires_at > $2`, tokenHash, now);
  }

  async deleteSession(kind: SessionKind, tokenHash: string): Promise<void> {
    await this.#run(`DELETE FROM ${SESSIONS[kind].table} WHERE token_hash = $1`, tokenHash);
  }

  async deleteLearnerSessions(learnerId: string): Promise<void> {
    await this.#run('DELETE FROM learner_sessions WHERE learner_id = $1', learnerId);
  }

  async purgeExpiredSessions(now: number): Promise<number> {
    return inTransaction(this.#pool, async (c) => {
      let n = 0;
      for (const { table } of Object.values(SESSIONS)) n += (await c.query(`DELETE FROM ${table} WHERE expires_at <= $1`, [now])).rowCount ?? 0;
      return n;
    });
  }

  async createClass(c: ClassRow): Promise<boolean> {
    return this.#unique(() =>
      this.#run(
        'INSERT INTO classes (id, teacher_id, name, join_code, created_at) VALUES ($1, $2, $3, $4, $5)',
        c.id,
        c.teacherId,
        c.name,
        c.joinCode,
        c.createdAt,
      ),
    );
  }

  async classById(id: string): Promise<(ClassRow & ClassCounts) | null> {
    return this.#one(classWithCounts, `${CLASS_WITH_COUNTS} WHERE c.id = $1`, id);
  }

  async classesOfTeacher(teacherId: string): Promise<Array<ClassRow & ClassCounts>> {
    return (await this.#rows(`${CLASS_WITH_COUNTS} WHERE c.teacher_id = $1 ORDER BY c.created_at, c.seq`, teacherId)).map(classWithCounts);
  }

  async classByJoinCode(code: string): Promise<ClassRow | null> {
    return this.#one(klass, 'SELECT * FROM classes WHERE join_code = $1 AND archived_at IS NULL', code);
  }

  async updateClass(classId: string, change: { name?: string; archivedAt?: number | null }): Promise<void> {
    await inTransaction(this.#pool, async (c) => {
      if (change.name !== undefined) await c.query('UPDATE classes SET name = $1 WHERE id = $2', [change.name, classId]);
      if (change.archivedAt !== undefined) await c.query('UPDATE classes SET archived_at = $1 WHERE id = $2', [change.archivedAt, classId]);
    });
  }

  async deleteClass(classId: string): Promise<void> {
    // Learners (with their sessions and submissions) and assignments go by ON DELETE CASCADE.
    await this.#run('DELETE FROM classes WHERE id = $1', classId);
  }

  async setJoinCode(classId: string, code: string | null): Promise<boolean> {
    return this.#unique(() => this.#run('UPDATE classes SET join_code = $1 WHERE id = $2', code, classId));
  }

  async addLearner(l: LearnerRow, maxLearners: number): Promise<'ok' | 'full' | 'name-taken' | 'code-taken'> {
    try {
      return await inTransaction(this.#pool, async (c) => {
        // The class's row locked: joins into one class run one at a time, so the count
        // and the name check below still hold when the insert commits.
        await c.query('SELECT 1 FROM classes WHERE id = $1 FOR UPDATE', [l.classId]);
        // Names are compared here, not by a UNIQUE index: the key (NFKC, case folded) is
        // Unicode-aware, and classes stored before this rule may hold duplicates already.
        const names = (await c.query('SELECT name FROM learners WHERE class_id = $1', [l.classId])).rows.map((r) => r.name as string);
        if (names.length >= maxLearners) return 'full';
        const key = nameKey(l.name);
        if (names.some((name) => nameKey(name) === key)) return 'name-taken';
        await c.query('INSERT INTO learners (id, class_id, name, recovery_code, joined_at) VALUES ($1, $2, $3, $4, $5)', [
          l.id,
          l.classId,
          l.name,
          l.recoveryCode,
          l.joinedAt,
        ]);
        return 'ok' as const;
      });
    } catch (err) {
      if (isUniqueViolation(err)) return 'code-taken';
      throw err;
    }
  }

  async learnerById(id: string): Promise<LearnerRow | null> {
    return this.#one(learner, 'SELECT * FROM learners WHERE id = $1', id);
  }

  async learnerByRecoveryCode(code: string): Promise<LearnerRow | null> {
    return this.#one(learner, 'SELECT * FROM learners WHERE recovery_code = $1', code);
  }

  async learnersOfClass(classId: string): Promise<LearnerRow[]> {
    return (await this.#rows('SELECT * FROM learners WHERE class_id = $1 ORDER BY joined_at, seq', classId)).map(learner);
  }

  async setRecoveryCode(learnerId: string, code: string): Promise<boolean> {
    return this.#unique(() => this.#run('UPDATE learners SET recovery_code = $1 WHERE id = $2', code, learnerId));
  }

  async createAssignment(a: AssignmentRow): Promise<void> {
    await inTransaction(this.#pool, async (c) => {
      await c.query('INSERT INTO assignments (id, class_id, title, due_at, late_policy, created_at) VALUES ($1, $2, $3, $4, $5, $6)', [
        a.id,
        a.classId,
        a.title,
        a.due,
        a.latePolicy,
        a.createdAt,
      ]);
      for (const [i, lesson] of a.lessons.entries())
        await c.query('INSERT INTO assignment_lessons (assignment_id, position, lesson) VALUES ($1, $2, $3)', [a.id, i, lesson]);
    });
  }

  async updateAssignment(a: AssignmentRow): Promise<number> {
    return inTransaction(this.#pool, async (c) => {
      // Locked first (the UPDATE does it): two edits of one assignment run one after the other.
      await c.query('UPDATE assignments SET title = $1, due_at = $2, late_policy = $3, archived_at = $4 WHERE id = $5', [
        a.title,
        a.due,
        a.latePolicy,
        a.archivedAt ?? null,
        a.id,
      ]);
      const before = (await c.query('SELECT lesson FROM assignment_lessons WHERE assignment_id = $1', [a.id])).rows.map((r) => r.lesson as string);
      let removed = 0;
      for (const lesson of before) {
        if (a.lessons.includes(lesson)) continue;
        // Its submissions go too (ON DELETE CASCADE); counted first, for the answer.
        removed += Number((await c.query('SELECT COUNT(*) AS n FROM submissions WHERE assignment_id = $1 AND lesson = $2', [a.id, lesson])).rows[0].n);
        await c.query('DELETE FROM assignment_lessons WHERE assignment_id = $1 AND lesson = $2', [a.id, lesson]);
      }
      // Kept lessons are updated in place (deleting and inserting them again would cascade to their submissions).
      for (const [i, lesson] of a.lessons.entries()) {
        if (before.includes(lesson)) await c.query('UPDATE assignment_lessons SET position = $1 WHERE assignment_id = $2 AND lesson = $3', [i, a.id, lesson]);
        else await c.query('INSERT INTO assignment_lessons (assignment_id, position, lesson) VALUES ($1, $2, $3)', [a.id, i, lesson]);
      }
      return removed;
    });
  }

  async deleteAssignment(id: string): Promise<void> {
    // Its lessons and their submissions go by ON DELETE CASCADE.
    await this.#run('DELETE FROM assignments WHERE id = $1', id);
  }

  async assignmentById(id: string): Promise<AssignmentRow | null> {
    return this.#one(assignment, `${ASSIGNMENT_WITH_LESSONS} WHERE a.id = $1`, id);
  }

  async assignmentsOfClass(classId: string): Promise<AssignmentRow[]> {
    return (await this.#rows(`${ASSIGNMENT_WITH_LESSONS} WHERE a.class_id = $1 ORDER BY a.created_at, a.seq`, classId)).map(assignment);
  }

  async addSubmission(s: SubmissionRow, maxPerExercise: number): Promise<boolean> {
    return inTransaction(this.#pool, async (c) => {
      // The learner's row locked: their submissions are stored one at a time, so the cap holds.
      await c.query('SELECT 1 FROM learners WHERE id = $1 FOR UPDATE', [s.learnerId]);
      const n = Number(
        (
          await c.query('SELECT COUNT(*) AS n FROM submissions WHERE assignment_id = $1 AND learner_id = $2 AND lesson = $3', [
            s.assignmentId,
            s.learnerId,
            s.lesson,
          ])
        ).rows[0].n,
      );
      if (n >= maxPerExercise) return false;
      await c.query(
        'INSERT INTO submissions (id, assignment_id, learner_id, lesson, files, created_at, status, result, graded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
        [s.id, s.assignmentId, s.learnerId, s.lesson, JSON.stringify(s.files), s.createdAt, s.status, s.result ? JSON.stringify(s.result) : null, s.gradedAt],
      );
      return true;
    });
  }

  async setSubmissionResult(id: string, result: CheckResult, gradedAt: number): Promise<void> {
    await this.#run('UPDATE submissions SET status = $1, result = $2, graded_at = $3 WHERE id = $4', result.status, JSON.stringify(result), gradedAt, id);
  }

  async finishPending(id: string, result: CheckResult, gradedAt: number): Promise<boolean> {
    return (
      (await this.#run(
        "UPDATE submissions SET status = $1, result = $2, graded_at = $3 WHERE id = $4 AND status = 'pending'",
        result.status,
        JSON.stringify(result),
        gradedAt,
        id,
      )) === 1
    );
  }

  async pendingSubmissions(): Promise<Array<{ id: string; learnerId: string }>> {
    return (await this.#rows("SELECT id, learner_id FROM submissions WHERE status = 'pending' ORDER BY seq")).map((r) => ({
      id: r.id as string,
      learnerId: r.learner_id as string,
    }));
  }

  async pendingOfLearner(learnerId: string): Promise<number> {
    return Number((await this.#rows("SELECT COUNT(*) AS n FROM submissions WHERE learner_id = $1 AND status = 'pending'", learnerId))[0].n);
  }

  async submissionHistory(
    learnerId: string,
    filter: { assignmentId?: string; lesson?: string },
    limit: number,
  ): Promise<Array<SubmissionFacts & { result: CheckResult | null }>> {
    return (
      await this.#rows(
        `
      SELECT id, assignment_id, learner_id, lesson, created_at, status, result, override_status, override_comment
      FROM submissions WHERE learner_id = $1 AND ($2::text IS NULL OR assignment_id = $2) AND ($3::text IS NULL OR lesson = $3)
      ORDER BY seq DESC LIMIT $4`,
        learnerId,
        filter.assignmentId ?? null,
        filter.lesson ?? null,
        limit,
      )
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
      'SELECT * FROM submissions WHERE id = $1',
      id,
    );
  }

  async submissionFactsOfClass(classId: string): Promise<SubmissionFacts[]> {
    return (
      await this.#rows(
        `
      SELECT s.id, s.assignment_id, s.learner_id, s.lesson, s.created_at, s.status, s.override_status, s.override_comment, ${flagged('s.result')}
      FROM submissions s JOIN assignments a ON a.id = s.assignment_id
      WHERE a.class_id = $1 ORDER BY s.seq`,
        classId,
      )
    ).map(facts);
  }

  async submissionFactsOfLearner(learnerId: string): Promise<SubmissionFacts[]> {
    return (
      await this.#rows(
        `
      SELECT id, assignment_id, learner_id, lesson, created_at, status, override_status, override_comment, ${flagged('result')}
      FROM submissions WHERE learner_id = $1 ORDER BY seq`,
        learnerId,
      )
    ).map(facts);
  }

  async setOverride(id: string, override: Override | null): Promise<void> {
    await this.#run(
      'UPDATE submissions SET override_status = $1, override_comment = $2 WHERE id = $3',
      override?.status ?? null,
      override?.comment ?? null,
      id,
    );
  }

  async progressOfLearner(learnerId: string): Promise<Array<{ lesson: string; doneAt: number }>> {
    return (await this.#rows('SELECT lesson, done_at FROM learner_progress WHERE learner_id = $1 ORDER BY done_at, lesson', learnerId)).map((r) => ({
      lesson: r.lesson as string,
      doneAt: Number(r.done_at),
    }));
  }

  async markDone(learnerId: string, lesson: string, now: number): Promise<number> {
    // One statement: the no-op update makes RETURNING answer the kept first time too.
    const r = await this.#rows(
      `
      INSERT INTO learner_progress (learner_id, lesson, done_at) VALUES ($1, $2, $3)
      ON CONFLICT (learner_id, lesson) DO UPDATE SET done_at = learner_progress.done_at
      RETURNING done_at`,
      learnerId,
      lesson,
      now,
    );
    return Number(r[0].done_at);
  }

  async learnerFiles(learnerId: string, lesson: string): Promise<LearnerFilesRow | null> {
    return this.#one(
      (r) => ({ files: JSON.parse(r.files as string) as Record<string, string>, savedAt: Number(r.saved_at) }),
      'SELECT files, saved_at FROM learner_files WHERE learner_id = $1 AND lesson = $2',
      learnerId,
      lesson,
    );
  }

  async saveLearnerFiles(learnerId: string, lesson: string, files: Record<string, string>, now: number): Promise<number> {
    const r = await this.#rows(
      `
      INSERT INTO learner_files (learner_id, lesson, files, saved_at) VALUES ($1, $2, $3, $4)
      ON CONFLICT (learner_id, lesson) DO UPDATE SET files = excluded.files, saved_at = GREATEST(excluded.saved_at, learner_files.saved_at + 1)
      RETURNING saved_at`,
      learnerId,
      lesson,
      JSON.stringify(files),
      now,
    );
    return Number(r[0].saved_at);
  }

  async close(): Promise<void> {
    if (!this.#pool.ended && !this.#pool.ending) await this.#pool.end();
  }
}
