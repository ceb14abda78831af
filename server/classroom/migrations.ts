/**
 * The classroom database's schema, as one numbered history of migrations for
 * both engines (SQLite, the embedded default; PostgreSQL when DATABASE_URL is set).
 *
 * MIGRATIONS[i] takes the schema from version i to i+1. A migration is one
 * SQL text when both engines accept it, or a pair (sqlite, postgres) where
 * their dialects differ: PostgreSQL's INTEGER is 32 bits (times in ms need
 * BIGINT), and it has no rowid or AUTOINCREMENT. The pair must describe the
 * same tables and columns (tests/unit/server/classroom-store.test.ts compares
 * them), except `seq` columns that stand for SQLite's implicit rowid.
 *
 * SQLite keeps the version in `PRAGMA user_version` (0 for a new file);
 * PostgreSQL in the one-row table lab_schema_version (postgres-store.ts).
 * At start-up migrate() applies the missing ones in order, each in its own
 * transaction together with the new version number, so a crash leaves either
 * the old or the new version, never half of one. Never edit a migration that
 * shipped: add the next one.
 */
import type { DatabaseSync } from 'node:sqlite';

export type Migration = string | { sqlite: string; postgres: string };
export type Engine = 'sqlite' | 'postgres';

/** The SQL of migration m for one engine. */
export function migrationSql(m: Migration, engine: Engine): string {
  return typeof m === 'string' ? m : m[engine];
}

export const MIGRATIONS: readonly Migration[] = [
  // 1: teachers, classes, learners, assignments, submissions.
  {
    sqlite: `
  CREATE TABLE teachers (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL
  );
  CREATE TABLE teacher_sessions (
    token_hash TEXT PRIMARY KEY,
    teacher_id TEXT NOT NULL REFERENCES teachers(id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX teacher_sessions_expiry ON teacher_sessions(expires_at);

  -- join_code is NULL while joining is closed; UNIQUE allows many NULLs,
  -- so a code is unique among open classes only.
  CREATE TABLE classes (
    id         TEXT PRIMARY KEY,
    teacher_id TEXT NOT NULL REFERENCES teachers(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    join_code  TEXT UNIQUE,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX classes_teacher ON classes(teacher_id);

  CREATE TABLE learners (
    id            TEXT PRIMARY KEY,
    class_id      TEXT NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    recovery_code TEXT NOT NULL UNIQUE,
    joined_at     INTEGER NOT NULL
  );
  CREATE INDEX learners_class ON learners(class_id);
  CREATE TABLE learner_sessions (
    token_hash TEXT PRIMARY KEY,
    learner_id TEXT NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX learner_sessions_learner ON learner_sessions(learner_id);
  CREATE INDEX learner_sessions_expiry ON learner_sessions(expires_at);

  CREATE TABLE assignments (
    id          TEXT PRIMARY KEY,
    class_id    TEXT NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
    title       TEXT NOT NULL,
    due_at      INTEGER,
    late_policy TEXT NOT NULL CHECK (late_policy IN ('accept', 'mark')),
    created_at  INTEGER NOT NULL
  );
  CREATE INDEX assignments_class ON assignments(class_id, created_at);
  CREATE TABLE assignment_lessons (
    assignment_id TEXT NOT NULL REFERENCES assignments(id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    lesson        TEXT NOT NULL,
    PRIMARY KEY (assignment_id, lesson)
  );

  -- seq orders submissions as they were stored (created_at can tie).
  -- files: the frozen snapshot (JSON), never updated; result: the CheckResult (JSON) once graded.
  CREATE TABLE submissions (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    id               TEXT NOT NULL UNIQUE,
    assignment_id    TEXT NOT NULL,
    learner_id       TEXT NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
    lesson           TEXT NOT NULL,
    files            TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'pass', 'fail', 'error')),
    result           TEXT,
    graded_at        INTEGER,
    override_status  TEXT CHECK (override_status IN ('pass', 'fail')),
    override_comment TEXT,
    FOREIGN KEY (assignment_id, lesson) REFERENCES assignment_lessons(assignment_id, lesson) ON DELETE CASCADE
  );
  CREATE INDEX submissions_cell ON submissions(assignment_id, learner_id, lesson, seq);
  CREATE INDEX submissions_learner ON submissions(learner_id, seq);
  CREATE INDEX submissions_pending ON submissions(status) WHERE status = 'pending';
  `,
    postgres: `
  CREATE TABLE teachers (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    BIGINT NOT NULL
  );
  CREATE TABLE teacher_sessions (
    token_hash TEXT PRIMARY KEY,
    teacher_id TEXT NOT NULL REFERENCES teachers(id) ON DELETE CASCADE,
    expires_at BIGINT NOT NULL
  );
  CREATE INDEX teacher_sessions_expiry ON teacher_sessions(expires_at);

  -- seq: the order rows were stored in (SQLite's rowid), for ties in created_at.
  CREATE TABLE classes (
    seq        BIGINT GENERATED ALWAYS AS IDENTITY,
    id         TEXT PRIMARY KEY,
    teacher_id TEXT NOT NULL REFERENCES teachers(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    join_code  TEXT UNIQUE,
    created_at BIGINT NOT NULL
  );
  CREATE INDEX classes_teacher ON classes(teacher_id);

  CREATE TABLE learners (
    seq           BIGINT GENERATED ALWAYS AS IDENTITY,
    id            TEXT PRIMARY KEY,
    class_id      TEXT NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    recovery_code TEXT NOT NULL UNIQUE,
    joined_at     BIGINT NOT NULL
  );
  CREATE INDEX learners_class ON learners(class_id);
  CREATE TABLE learner_sessions (
    token_hash TEXT PRIMARY KEY,
    learner_id TEXT NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
    expires_at BIGINT NOT NULL
  );
  CREATE INDEX learner_sessions_learner ON learner_sessions(learner_id);
  CREATE INDEX learner_sessions_expiry ON learner_sessions(expires_at);

  CREATE TABLE assignments (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY,
    id          TEXT PRIMARY KEY,
    class_id    TEXT NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
    title       TEXT NOT NULL,
    due_at      BIGINT,
    late_policy TEXT NOT NULL CHECK (late_policy IN ('accept', 'mark')),
    created_at  BIGINT NOT NULL
  );
  CREATE INDEX assignments_class ON assignments(class_id, created_at);
  CREATE TABLE assignment_lessons (
    assignment_id TEXT NOT NULL REFERENCES assignments(id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    lesson        TEXT NOT NULL,
    PRIMARY KEY (assignment_id, lesson)
  );

  CREATE TABLE submissions (
    seq              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id               TEXT NOT NULL UNIQUE,
    assignment_id    TEXT NOT NULL,
    learner_id       TEXT NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
    lesson           TEXT NOT NULL,
    files            TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'pass', 'fail', 'error')),
    result           TEXT,
    graded_at        BIGINT,
    override_status  TEXT CHECK (override_status IN ('pass', 'fail')),
    override_comment TEXT,
    FOREIGN KEY (assignment_id, lesson) REFERENCES assignment_lessons(assignment_id, lesson) ON DELETE CASCADE
  );
  CREATE INDEX submissions_cell ON submissions(assignment_id, learner_id, lesson, seq);
  CREATE INDEX submissions_learner ON submissions(learner_id, seq);
  CREATE INDEX submissions_pending ON submissions(status) WHERE status = 'pending';
  `,
  },
  // 2: archived classes and assignments (NULL: active; else when they were archived).
  {
    sqlite: `
  ALTER TABLE classes ADD COLUMN archived_at INTEGER;
  ALTER TABLE assignments ADD COLUMN archived_at INTEGER;
  `,
    postgres: `
  ALTER TABLE classes ADD COLUMN archived_at BIGINT;
  ALTER TABLE assignments ADD COLUMN archived_at BIGINT;
  `,
  },
  // 3: a learner's progress and lesson files on the server, so they follow the learner to
  // another browser (progress-routes.ts). One row per learner and lesson: bounded by the lessons.
  {
    sqlite: `
  CREATE TABLE learner_progress (
    learner_id TEXT NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
    lesson     TEXT NOT NULL,
    done_at    INTEGER NOT NULL,
    PRIMARY KEY (learner_id, lesson)
  );
  -- files: the lesson's files as JSON {name: content}, replaced whole at each save.
  CREATE TABLE learner_files (
    learner_id TEXT NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
    lesson     TEXT NOT NULL,
    files      TEXT NOT NULL,
    saved_at   INTEGER NOT NULL,
    PRIMARY KEY (learner_id, lesson)
  );
  `,
    postgres: `
  CREATE TABLE learner_progress (
    learner_id TEXT NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
    lesson     TEXT NOT NULL,
    done_at    BIGINT NOT NULL,
    PRIMARY KEY (learner_id, lesson)
  );
  -- files: the lesson's files as JSON {name: content}, replaced whole at each save.
  CREATE TABLE learner_files (
    learner_id TEXT NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
    lesson     TEXT NOT NULL,
    files      TEXT NOT NULL,
    saved_at   BIGINT NOT NULL,
    PRIMARY KEY (learner_id, lesson)
  );
  `,
  },
];

export class MigrationError extends Error {}

/** Brings a SQLite database to the newest version (PostgreSQL: postgres-store.ts's migratePostgres); answers the versions before and after. */
export function migrate(db: DatabaseSync, migrations: readonly Migration[] = MIGRATIONS): { from: number; to: number } {
  const version = () => Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
  const from = version();
  if (from > migrations.length) {
    throw new MigrationError(
      `the classroom database is at schema version ${from}, newer than this server knows (${migrations.length}): it was written by a newer version of the lab`,
    );
  }
  for (let v = from; v < migrations.length; v++) {
    // IMMEDIATE: take the write lock first, so two servers on one file cannot both migrate.
    db.exec('BEGIN IMMEDIATE');
    try {
      // Another process may have migrated between our read and the lock.
      if (version() !== v) {
        db.exec('ROLLBACK');
        continue;
      }
      db.exec(migrationSql(migrations[v], 'sqlite'));
      db.exec(`PRAGMA user_version = ${v + 1}`);
      db.exec('COMMIT');
    } catch (err) {
      db.exec('ROLLBACK');
      throw new MigrationError(`classroom database migration ${v + 1} failed: ${(err as Error).message}`);
    }
  }
  return { from, to: version() };
}
