/** The classroom database: migrations on an empty and an already-migrated file, and the store's constraints (server/classroom/). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { migrate, MigrationError, MIGRATIONS } from '../../../server/classroom/migrations.ts';
import { SqliteStore } from '../../../server/classroom/sqlite-store.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'clb-db-'));
const version = (db: DatabaseSync) => (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;

test('migrations: an empty database is brought to the newest version; a migrated one is left alone', () => {
  const db = new DatabaseSync(':memory:');
  assert.deepEqual(migrate(db), { from: 0, to: MIGRATIONS.length });
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);
  for (const t of ['teachers', 'teacher_sessions', 'classes', 'learners', 'learner_sessions', 'assignments', 'assignment_lessons', 'submissions']) assert.ok(tables.includes(t), t);
  assert.deepEqual(migrate(db), { from: MIGRATIONS.length, to: MIGRATIONS.length });
  db.close();
});

test('migrations: a later migration applies on top; a failing one leaves the old version; a newer database is refused', () => {
  const db = new DatabaseSync(':memory:');
  migrate(db);
  const next = [...MIGRATIONS, 'ALTER TABLE teachers ADD COLUMN locale TEXT'];
  assert.deepEqual(migrate(db, next), { from: MIGRATIONS.length, to: next.length });
  db.prepare("INSERT INTO teachers (id, email, name, password_hash, created_at, locale) VALUES ('t', 'e', 'n', 'h', 0, 'fr')").run();

  const broken = [...next, 'CREATE TABLE ok_so_far (x); THIS IS NOT SQL'];
  assert.throws(() => migrate(db, broken), (e: unknown) => e instanceof MigrationError && new RegExp(`migration ${broken.length} failed`).test((e as Error).message));
  assert.equal(version(db), next.length, 'the failed migration rolled back, version too');
  assert.equal((db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'ok_so_far'").get() as { n: number }).n, 0);

  assert.throws(() => migrate(db, MIGRATIONS), /newer than this server knows/);
  db.close();
});

test('store: WAL, synchronous FULL, foreign keys on; a private directory; reopening keeps the data', async () => {
  const dir = tmp();
  const path = join(dir, 'classroom', 'classroom.sqlite');
  try {
    const store = new SqliteStore(path);
    assert.equal(await store.createTeacher({ id: 't1', email: 'a@b.org', name: 'A', passwordHash: 'h', createdAt: 1 }), true);
    assert.equal(await store.createTeacher({ id: 't2', email: 'a@b.org', name: 'B', passwordHash: 'h', createdAt: 2 }), false, 'email taken');
    store.close();
    assert.equal(statSync(dirname(path)).mode & 0o777, 0o700);

    const raw = new DatabaseSync(path);
    assert.equal((raw.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode, 'wal');
    raw.close();

    const again = new SqliteStore(path);
    assert.equal((await again.teacherByEmail('a@b.org'))?.id, 't1');
    again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('store: join codes unique among open classes; learners per class capped; submissions ordered and capped; pending fails at start', async () => {
  const store = new SqliteStore(':memory:');
  await store.createTeacher({ id: 't', email: 'a@b.org', name: 'A', passwordHash: 'h', createdAt: 1 });
  assert.equal(await store.createClass({ id: 'c1', teacherId: 't', name: 'A', joinCode: 'AAAAAA', createdAt: 1 }), true);
  assert.equal(await store.createClass({ id: 'c2', teacherId: 't', name: 'B', joinCode: 'AAAAAA', createdAt: 2 }), false);
  assert.equal(await store.createClass({ id: 'c2', teacherId: 't', name: 'B', joinCode: 'BBBBBB', createdAt: 2 }), true);
  assert.equal(await store.setJoinCode('c1', null), true);
  assert.equal(await store.setJoinCode('c2', null), true, 'two closed classes (no code) do not collide');
  assert.equal(await store.setJoinCode('c2', 'AAAAAA'), true, 'a closed class\'s old code is free again');
  assert.equal(await store.classByJoinCode('AAAAAA').then((c) => c?.id), 'c2');

  assert.equal(await store.addLearner({ id: 'l1', classId: 'c1', name: 'x', recoveryCode: 'R1', joinedAt: 1 }, 2), 'ok');
  assert.equal(await store.addLearner({ id: 'l2', classId: 'c1', name: 'y', recoveryCode: 'R1', joinedAt: 2 }, 2), 'code-taken');
  assert.equal(await store.addLearner({ id: 'l2', classId: 'c1', name: 'y', recoveryCode: 'R2', joinedAt: 2 }, 2), 'ok');
  assert.equal(await store.addLearner({ id: 'l3', classId: 'c1', name: 'z', recoveryCode: 'R3', joinedAt: 3 }, 2), 'full');

  // Not in sorted order: the teacher's order must come back, not the lesson ids' or the primary key's.
  await store.createAssignment({ id: 'a', classId: 'c1', title: 'W', lessons: ['p/r', 'p/q'], due: null, latePolicy: 'mark', createdAt: 1 });
  assert.deepEqual((await store.assignmentById('a'))?.lessons, ['p/r', 'p/q']);
  assert.deepEqual((await store.assignmentsOfClass('c1')).map((x) => x.lessons), [['p/r', 'p/q']]);
  const base = { assignmentId: 'a', learnerId: 'l1', lesson: 'p/q', files: { 'a.go': 'x' }, createdAt: 5, status: 'pending' as const, result: null, gradedAt: null, override: null };
  assert.equal(await store.addSubmission({ ...base, id: 's1' }, 2), true);
  assert.equal(await store.addSubmission({ ...base, id: 's2' }, 2), true);
  assert.equal(await store.addSubmission({ ...base, id: 's3' }, 2), false, 'capped per exercise');
  await assert.rejects(store.addSubmission({ ...base, id: 's4', lesson: 'not/in-assignment' }, 9), /FOREIGN KEY/, 'a lesson outside the assignment cannot be stored');
  await store.setSubmissionResult('s1', { status: 'pass', tests: [] }, 6);
  assert.deepEqual((await store.submissionFactsOfClass('c1')).map((s) => `${s.id}:${s.status}`), ['s1:pass', 's2:pending'], 'same created_at: stored order');
  assert.equal(await store.failPending({ status: 'error', message: 'interrupted', tests: [] }, 7), 1);
  assert.equal((await store.submissionById('s2'))?.result?.message, 'interrupted');
  assert.deepEqual((await store.submissionById('s2'))?.files, { 'a.go': 'x' });
  store.close();
});
