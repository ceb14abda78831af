/**
 * The classroom database on both engines (server/classroom/): migrations on an
 * empty and an already-migrated database, and the store's behaviour and
 * constraints. Every store test runs on SQLite and on a real PostgreSQL
 * (tests/helpers/postgres.ts); PostgreSQL not starting fails them.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { migrate, MigrationError, MIGRATIONS, type Migration } from '../../../server/classroom/migrations.ts';
import { migratePostgres, PostgresStore } from '../../../server/classroom/postgres-store.ts';
import { openStore, SQLITE_DATABASE_FILE } from '../../../server/classroom/store-open.ts';
import { SqliteStore } from '../../../server/classroom/sqlite-store.ts';
import { testDatabase } from '../../helpers/postgres.ts';
import { STORE_ENGINES } from '../../helpers/stores.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'clb-db-'));
const version = (db: DatabaseSync) => (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;

async function postgresUrl(): Promise<string> {
  return (await testDatabase()).url;
}

test('sqlite migrations: an empty database is brought to the newest version; a migrated one is left alone', () => {
  const db = new DatabaseSync(':memory:');
  assert.deepEqual(migrate(db), { from: 0, to: MIGRATIONS.length });
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);
  for (const t of ['teachers', 'teacher_sessions', 'classes', 'learners', 'learner_sessions', 'assignments', 'assignment_lessons', 'submissions'])
    assert.ok(tables.includes(t), t);
  assert.deepEqual(migrate(db), { from: MIGRATIONS.length, to: MIGRATIONS.length });
  db.close();
});

test('sqlite migrations: a later migration applies on top; a failing one leaves the old version; a newer database is refused', () => {
  const db = new DatabaseSync(':memory:');
  migrate(db);
  const next = [...MIGRATIONS, 'ALTER TABLE teachers ADD COLUMN locale TEXT'];
  assert.deepEqual(migrate(db, next), { from: MIGRATIONS.length, to: next.length });
  db.prepare("INSERT INTO teachers (id, email, name, password_hash, created_at, locale) VALUES ('t', 'e', 'n', 'h', 0, 'fr')").run();

  const broken = [...next, 'CREATE TABLE ok_so_far (x); THIS IS NOT SQL'];
  assert.throws(
    () => migrate(db, broken),
    (e: unknown) => e instanceof MigrationError && new RegExp(`migration ${broken.length} failed`).test((e as Error).message),
  );
  assert.equal(version(db), next.length, 'the failed migration rolled back, version too');
  assert.equal((db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'ok_so_far'").get() as { n: number }).n, 0);

  assert.throws(() => migrate(db, MIGRATIONS), /newer than this server knows/);
  db.close();
});

test('postgres migrations: empty to newest, then left alone; a later one on top; a failing one rolls back; a newer database is refused', async () => {
  const pool = new pg.Pool({ connectionString: await postgresUrl() });
  try {
    assert.deepEqual(await migratePostgres(pool), { from: 0, to: MIGRATIONS.length });
    assert.deepEqual(await migratePostgres(pool), { from: MIGRATIONS.length, to: MIGRATIONS.length });
    const next: Migration[] = [...MIGRATIONS, 'ALTER TABLE teachers ADD COLUMN locale TEXT'];
    assert.deepEqual(await migratePostgres(pool, next), { from: MIGRATIONS.length, to: next.length });
    await pool.query("INSERT INTO teachers (id, email, name, password_hash, created_at, locale) VALUES ('t', 'e', 'n', 'h', 0, 'fr')");

    const broken = [...next, 'CREATE TABLE ok_so_far (x INTEGER); THIS IS NOT SQL'];
    await assert.rejects(
      migratePostgres(pool, broken),
      (e: unknown) => e instanceof MigrationError && new RegExp(`migration ${broken.length} failed`).test((e as Error).message),
    );
    assert.equal((await pool.query('SELECT version FROM lab_schema_version')).rows[0].version, next.length, 'the failed migration rolled back, version too');
    assert.equal((await pool.query("SELECT to_regclass('ok_so_far') AS t")).rows[0].t, null);

    await assert.rejects(migratePostgres(pool, MIGRATIONS), /newer than this server knows/);
  } finally {
    await pool.end();
  }
});

test('postgres migrations: two servers starting together on one database migrate it once', async () => {
  const url = await postgresUrl();
  const pools = [new pg.Pool({ connectionString: url }), new pg.Pool({ connectionString: url })];
  try {
    const results = await Promise.all(pools.map((p) => migratePostgres(p)));
    for (const r of results) assert.equal(r.to, MIGRATIONS.length);
    assert.equal((await pools[0].query('SELECT COUNT(*)::int AS n FROM lab_schema_version')).rows[0].n, 1);
  } finally {
    for (const p of pools) await p.end();
  }
});

test('one migration history: both engines end with the same tables and columns', async () => {
  const db = new DatabaseSync(':memory:');
  migrate(db);
  const sqlite = new Map<string, string[]>();
  for (const { name } of db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as Array<{ name: string }>) {
    sqlite.set(name, (db.prepare(`PRAGMA table_info(${name})`).all() as Array<{ name: string }>).map((c) => c.name).sort());
  }
  db.close();
  const pool = new pg.Pool({ connectionString: await postgresUrl() });
  try {
    await migratePostgres(pool);
    const rows = (
      await pool.query("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'lab_schema_version'")
    ).rows;
    const postgres = new Map<string, string[]>();
    for (const r of rows) postgres.set(r.table_name, [...(postgres.get(r.table_name) ?? []), r.column_name]);
    assert.deepEqual([...postgres.keys()].sort(), [...sqlite.keys()].sort());
    for (const [table, columns] of sqlite) {
      // seq stands for SQLite's implicit rowid in PostgreSQL (migrations.ts).
      const pgColumns = postgres
        .get(table)!
        .filter((c) => c !== 'seq' || columns.includes('seq'))
        .sort();
      assert.deepEqual(pgColumns, columns, table);
    }
  } finally {
    await pool.end();
  }
});

test('sqlite store: WAL, synchronous FULL, foreign keys on; a private directory', async () => {
  const dir = tmp();
  const path = join(dir, 'classroom', 'classroom.sqlite');
  try {
    const store = new SqliteStore(path);
    await store.close();
    assert.equal(statSync(dirname(path)).mode & 0o777, 0o700);
    const raw = new DatabaseSync(path);
    assert.equal((raw.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode, 'wal');
    raw.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

for (const engine of STORE_ENGINES) {
  describe(`store on ${engine.name}`, () => {
    test('a unique email; reopening keeps the data', async () => {
      const { store, reopen } = await engine.open();
      assert.equal(await store.createTeacher({ id: 't1', email: 'a@b.org', name: 'A', passwordHash: 'h', createdAt: 1 }), true);
      assert.equal(await store.createTeacher({ id: 't2', email: 'a@b.org', name: 'B', passwordHash: 'h', createdAt: 2 }), false, 'email taken');
      await store.close();
      const again = await reopen();
      assert.equal((await again.teacherByEmail('a@b.org'))?.id, 't1');
      assert.equal(await again.teacherById('t2'), null);
      await again.close();
    });

    test('join codes unique among open classes; learners per class capped; submissions ordered and capped; pending fails at start', async () => {
      const { store } = await engine.open();
      await store.createTeacher({ id: 't', email: 'a@b.org', name: 'A', passwordHash: 'h', createdAt: 1 });
      assert.equal(await store.createClass({ id: 'c1', teacherId: 't', name: 'A', joinCode: 'AAAAAA', createdAt: 1 }), true);
      assert.equal(await store.createClass({ id: 'c2', teacherId: 't', name: 'B', joinCode: 'AAAAAA', createdAt: 2 }), false);
      assert.equal(await store.createClass({ id: 'c2', teacherId: 't', name: 'B', joinCode: 'BBBBBB', createdAt: 2 }), true);
      assert.equal(await store.setJoinCode('c1', null), true);
      assert.equal(await store.setJoinCode('c2', null), true, 'two closed classes (no code) do not collide');
      assert.equal(await store.setJoinCode('c2', 'AAAAAA'), true, "a closed class's old code is free again");
      assert.equal(await store.classByJoinCode('AAAAAA').then((c) => c?.id), 'c2');

      assert.equal(await store.addLearner({ id: 'l1', classId: 'c1', name: 'x', recoveryCode: 'R1', joinedAt: 1 }, 2), 'ok');
      assert.equal(await store.addLearner({ id: 'l2', classId: 'c1', name: 'y', recoveryCode: 'R1', joinedAt: 2 }, 2), 'code-taken');
      assert.equal(await store.addLearner({ id: 'l2', classId: 'c1', name: 'y', recoveryCode: 'R2', joinedAt: 2 }, 2), 'ok');
      assert.equal(await store.addLearner({ id: 'l3', classId: 'c1', name: 'z', recoveryCode: 'R3', joinedAt: 3 }, 2), 'full');

      // Not in sorted order: the teacher's order must come back, not the lesson ids' or the primary key's.
      await store.createAssignment({ id: 'a', classId: 'c1', title: 'W', lessons: ['p/r', 'p/q'], due: null, latePolicy: 'mark', createdAt: 1 });
      assert.deepEqual((await store.assignmentById('a'))?.lessons, ['p/r', 'p/q']);
      assert.deepEqual(
        (await store.assignmentsOfClass('c1')).map((x) => x.lessons),
        [['p/r', 'p/q']],
      );
      const base = {
        assignmentId: 'a',
        learnerId: 'l1',
        lesson: 'p/q',
        files: { 'a.go': 'x' },
        createdAt: 5,
        status: 'pending' as const,
        result: null,
        gradedAt: null,
        override: null,
      };
      assert.equal(await store.addSubmission({ ...base, id: 's1' }, 2), true);
      assert.equal(await store.addSubmission({ ...base, id: 's2' }, 2), true);
      assert.equal(await store.addSubmission({ ...base, id: 's3' }, 2), false, 'capped per exercise');
      // SQLite says "FOREIGN KEY constraint failed", PostgreSQL "violates foreign key constraint".
      await assert.rejects(
        store.addSubmission({ ...base, id: 's4', lesson: 'not/in-assignment' }, 9),
        /foreign key/i,
        'a lesson outside the assignment cannot be stored',
      );
      await store.setSubmissionResult('s1', { status: 'pass', tests: [] }, 6);
      assert.deepEqual(
        (await store.submissionFactsOfClass('c1')).map((s) => `${s.id}:${s.status}`),
        ['s1:pass', 's2:pending'],
        'same created_at: stored order',
      );
      assert.deepEqual(await store.pendingSubmissions(), [{ id: 's2', learnerId: 'l1' }]);
      assert.equal(await store.pendingOfLearner('l1'), 1);
      await store.setSubmissionResult('s2', { status: 'error', message: 'interrupted', tests: [] }, 7);
      assert.equal((await store.submissionById('s2'))?.result?.message, 'interrupted');
      assert.deepEqual((await store.submissionById('s2'))?.files, { 'a.go': 'x' });
      await store.close();
    });

    test("sessions: unexpired only, by kind; purged when expired; a learner's all deleted", async () => {
      const { store } = await engine.open();
      await store.createTeacher({ id: 't', email: 'a@b.org', name: 'A', passwordHash: 'h', createdAt: 1 });
      await store.createClass({ id: 'c', teacherId: 't', name: 'A', joinCode: null, createdAt: 1 });
      await store.addLearner({ id: 'l', classId: 'c', name: 'x', recoveryCode: 'R', joinedAt: 1 }, 5);
      // Times beyond 2^31 ms: PostgreSQL's INTEGER would overflow (hence BIGINT).
      const now = Date.UTC(2026, 0, 1);
      await store.createSession('teacher', 'th', 't', now + 1000);
      await store.createSession('learner', 'lh1', 'l', now + 1000);
      await store.createSession('learner', 'lh2', 'l', now - 1);
      assert.equal(await store.sessionSubject('teacher', 'th', now), 't');
      assert.equal(await store.sessionSubject('learner', 'th', now), null, 'another kind');
      assert.equal(await store.sessionSubject('learner', 'lh2', now), null, 'expired');
      assert.equal(await store.purgeExpiredSessions(now), 1);
      await store.deleteLearnerSessions('l');
      assert.equal(await store.sessionSubject('learner', 'lh1', now), null);
      await store.deleteSession('teacher', 'th');
      assert.equal(await store.sessionSubject('teacher', 'th', now), null);
      await store.setPasswordHash('t', 'h2');
      assert.equal((await store.teacherById('t'))?.passwordHash, 'h2');
      await store.close();
    });

    test('classes: counts, creation order with ties, rename and archive; delete takes everything with it', async () => {
      const { store } = await engine.open();
      await store.createTeacher({ id: 't', email: 'a@b.org', name: 'A', passwordHash: 'h', createdAt: 1 });
      // Ids against the stored order, one created_at: the stored order must win.
      for (const id of ['cz', 'ca', 'cm']) await store.createClass({ id, teacherId: 't', name: id, joinCode: `J-${id}`, createdAt: 9 });
      assert.deepEqual(
        (await store.classesOfTeacher('t')).map((c) => c.id),
        ['cz', 'ca', 'cm'],
      );
      await store.addLearner({ id: 'l', classId: 'cz', name: 'x', recoveryCode: 'R', joinedAt: 1 }, 5);
      await store.createAssignment({ id: 'a', classId: 'cz', title: 'W', lessons: ['p/q'], due: Date.UTC(2030, 0, 1), latePolicy: 'accept', createdAt: 1 });
      await store.addSubmission(
        { id: 's', assignmentId: 'a', learnerId: 'l', lesson: 'p/q', files: {}, createdAt: 2, status: 'pending', result: null, gradedAt: null, override: null },
        5,
      );
      assert.deepEqual(await store.classById('cz').then((c) => c && [c.learners, c.assignments, c.archivedAt]), [1, 1, null]);
      assert.equal((await store.assignmentById('a'))?.due, Date.UTC(2030, 0, 1));

      await store.updateClass('cz', { name: 'Renamed', archivedAt: 50 });
      const archived = await store.classById('cz');
      assert.deepEqual([archived?.name, archived?.archivedAt], ['Renamed', 50]);
      assert.equal(await store.classByJoinCode('J-cz'), null, 'an archived class cannot be joined');
      await store.updateClass('cz', { archivedAt: null });
      assert.equal((await store.classByJoinCode('J-cz'))?.name, 'Renamed');

      await store.markDone('l', 'p/q', 3);
      await store.saveLearnerFiles('l', 'p/q', { 'a.go': 'x' }, 3);
      await store.deleteClass('cz');
      assert.equal(await store.classById('cz'), null);
      assert.deepEqual(await store.progressOfLearner('l'), []);
      assert.equal(await store.learnerFiles('l', 'p/q'), null);
      assert.equal(await store.learnerById('l'), null);
      assert.equal(await store.assignmentById('a'), null);
      assert.equal(await store.submissionById('s'), null);
      await store.close();
    });

    test('learners: joining order; recovery codes unique; two joins with one name at once: one succeeds', async () => {
      const { store } = await engine.open();
      await store.createTeacher({ id: 't', email: 'a@b.org', name: 'A', passwordHash: 'h', createdAt: 1 });
      await store.createClass({ id: 'c', teacherId: 't', name: 'A', joinCode: null, createdAt: 1 });
      for (const id of ['lz', 'la']) await store.addLearner({ id, classId: 'c', name: id, recoveryCode: `R-${id}`, joinedAt: 4 }, 50);
      assert.deepEqual(
        (await store.learnersOfClass('c')).map((l) => l.id),
        ['lz', 'la'],
      );
      assert.equal(await store.setRecoveryCode('la', 'R-lz'), false);
      assert.equal(await store.setRecoveryCode('la', 'R-new'), true);
      assert.equal((await store.learnerByRecoveryCode('R-new'))?.id, 'la');

      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          store.addLearner({ id: `same${i}`, classId: 'c', name: i % 2 ? 'Sam' : 'SAM', recoveryCode: `R-same${i}`, joinedAt: 5 }, 50),
        ),
      );
      assert.deepEqual(answers.filter((a) => a === 'ok').length, 1, answers.join());
      assert.ok(
        answers.every((a) => a === 'ok' || a === 'name-taken'),
        answers.join(),
      );
      await store.close();
    });

    test('submissions: capped at once too; history newest first, filtered; overrides; flagged for review', async () => {
      const { store } = await engine.open();
      await store.createTeacher({ id: 't', email: 'a@b.org', name: 'A', passwordHash: 'h', createdAt: 1 });
      await store.createClass({ id: 'c', teacherId: 't', name: 'A', joinCode: null, createdAt: 1 });
      await store.addLearner({ id: 'l', classId: 'c', name: 'x', recoveryCode: 'R', joinedAt: 1 }, 5);
      await store.createAssignment({ id: 'a', classId: 'c', title: 'W', lessons: ['p/q', 'p/r'], due: null, latePolicy: 'mark', createdAt: 1 });
      const base = {
        assignmentId: 'a',
        learnerId: 'l',
        lesson: 'p/q',
        files: { 'main.go': 'package main' },
        createdAt: 5,
        status: 'pending' as const,
        result: null,
        gradedAt: null,
        override: null,
      };
      const stored = await Promise.all(Array.from({ length: 6 }, (_, i) => store.addSubmission({ ...base, id: `q${i}` }, 3)));
      assert.equal(stored.filter(Boolean).length, 3, 'the cap holds for submissions arriving together');
      await store.addSubmission({ ...base, id: 'r1', lesson: 'p/r' }, 3);

      const ids = (await store.submissionHistory('l', {}, 10)).map((s) => s.id);
      assert.equal(ids[0], 'r1', 'newest first');
      assert.equal(ids.length, 4);
      assert.deepEqual(
        (await store.submissionHistory('l', { lesson: 'p/r' }, 10)).map((s) => s.id),
        ['r1'],
      );
      assert.equal((await store.submissionHistory('l', { assignmentId: 'a', lesson: 'p/q' }, 2)).length, 2, 'limit');
      assert.deepEqual(await store.submissionHistory('l', { assignmentId: 'other' }, 10), []);

      const [first] = ids.slice(-1);
      assert.equal(await store.finishPending(first, { status: 'fail', tests: [], review: 'calls os.Exit in a test' }, 9), true);
      assert.equal(await store.finishPending(first, { status: 'pass', tests: [] }, 10), false, 'not pending any more');
      await store.setOverride(first, { status: 'pass', comment: 'fine' });
      const f = (await store.submissionFactsOfLearner('l')).find((s) => s.id === first)!;
      assert.deepEqual([f.status, f.override, f.flagged], ['fail', { status: 'pass', comment: 'fine' }, true]);
      assert.equal((await store.submissionFactsOfClass('c')).filter((s) => s.flagged).length, 1, 'pending or unflagged ones are not flagged');
      assert.equal((await store.submissionById(first))?.gradedAt, 9);
      await store.setOverride(first, null);
      assert.equal((await store.submissionById(first))?.override, null);
      await store.close();
    });

    test("assignments: editing keeps kept lessons' submissions, drops removed ones; delete", async () => {
      const { store } = await engine.open();
      await store.createTeacher({ id: 't', email: 'a@b.org', name: 'A', passwordHash: 'h', createdAt: 1 });
      await store.createClass({ id: 'c', teacherId: 't', name: 'A', joinCode: null, createdAt: 1 });
      await store.addLearner({ id: 'l', classId: 'c', name: 'x', recoveryCode: 'R', joinedAt: 1 }, 5);
      const a = { id: 'a', classId: 'c', title: 'W', lessons: ['p/1', 'p/2', 'p/3'], due: null, latePolicy: 'mark' as const, createdAt: 1 };
      await store.createAssignment(a);
      await store.createAssignment({ ...a, id: 'b', lessons: [], createdAt: 1 });
      assert.deepEqual(
        (await store.assignmentsOfClass('c')).map((x) => [x.id, x.lessons]),
        [
          ['a', ['p/1', 'p/2', 'p/3']],
          ['b', []],
        ],
      );
      for (const lesson of ['p/1', 'p/2', 'p/2']) {
        await store.addSubmission(
          {
            id: `s-${lesson}-${Math.random()}`,
            assignmentId: 'a',
            learnerId: 'l',
            lesson,
            files: {},
            createdAt: 2,
            status: 'pending',
            result: null,
            gradedAt: null,
            override: null,
          },
          5,
        );
      }
      assert.equal(await store.updateAssignment({ ...a, title: 'W2', lessons: ['p/3', 'p/1', 'p/4'], archivedAt: 77 }), 2, "p/2's two submissions went");
      const edited = await store.assignmentById('a');
      assert.deepEqual([edited?.title, edited?.lessons, edited?.archivedAt], ['W2', ['p/3', 'p/1', 'p/4'], 77]);
      assert.deepEqual(
        (await store.submissionFactsOfLearner('l')).map((s) => s.lesson),
        ['p/1'],
      );
      await store.deleteAssignment('a');
      assert.equal(await store.assignmentById('a'), null);
      assert.deepEqual(await store.submissionFactsOfLearner('l'), []);
      await store.close();
    });

    test('progress keeps the first time; saved files get a time of their own at each save', async () => {
      const { store } = await engine.open();
      await store.createTeacher({ id: 't', email: 'a@b.org', name: 'A', passwordHash: 'h', createdAt: 1 });
      await store.createClass({ id: 'c', teacherId: 't', name: 'A', joinCode: null, createdAt: 1 });
      await store.addLearner({ id: 'l', classId: 'c', name: 'x', recoveryCode: 'R', joinedAt: 1 }, 5);
      const t = Date.UTC(2026, 5, 1);
      assert.equal(await store.markDone('l', 'p/b', t), t);
      assert.equal(await store.markDone('l', 'p/b', t + 50), t, 'the first time stays');
      assert.equal(await store.markDone('l', 'p/a', t + 10), t + 10);
      assert.deepEqual(await store.progressOfLearner('l'), [
        { lesson: 'p/b', doneAt: t },
        { lesson: 'p/a', doneAt: t + 10 },
      ]);

      assert.equal(await store.learnerFiles('l', 'p/a'), null);
      assert.equal(await store.saveLearnerFiles('l', 'p/a', { 'main.go': 'v1' }, t), t);
      assert.equal(await store.saveLearnerFiles('l', 'p/a', { 'main.go': 'v2' }, t), t + 1, 'same clock time: one more');
      assert.equal(await store.saveLearnerFiles('l', 'p/a', { 'main.go': 'v3' }, t - 100), t + 2, 'a clock gone back: still later');
      assert.deepEqual(await store.learnerFiles('l', 'p/a'), { files: { 'main.go': 'v3' }, savedAt: t + 2 });
      await store.close();
    });
  });
}

test('openStore: SQLite under the data directory without DATABASE_URL; PostgreSQL with it; no fallback when it is unreachable', async () => {
  const dir = tmp();
  try {
    const sqlite = await openStore({ dataDir: dir, databaseUrl: null });
    assert.ok(sqlite instanceof SqliteStore);
    await sqlite.close();
    assert.ok(statSync(join(dir, SQLITE_DATABASE_FILE)).isFile());

    const postgres = await openStore({ dataDir: dir, databaseUrl: await postgresUrl() });
    assert.ok(postgres instanceof PostgresStore);
    await postgres.close();

    const nowhere = `postgresql://lab@localhost/lab?host=${encodeURIComponent(join(dir, 'no-server-here'))}`;
    await assert.rejects(openStore({ dataDir: dir, databaseUrl: nowhere }), /ENOENT|connect/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
