/**
 * The one-command move of a classroom from SQLite to PostgreSQL
 * (scripts/copy-sqlite-to-postgres.ts, server/classroom/store-copy.ts):
 * every row arrives, orders that rest on the stored order survive, the
 * copy refuses a database that already holds a classroom, and the lab
 * goes on writing after it. Runs on a real PostgreSQL (tests/helpers/postgres.ts).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { copySqliteToPostgres } from '../../../server/classroom/store-copy.ts';
import { PostgresStore } from '../../../server/classroom/postgres-store.ts';
import { SqliteStore } from '../../../server/classroom/sqlite-store.ts';
import type { ClassroomStore } from '../../../server/classroom/store.ts';
import { dropTestDatabases, testDatabase } from '../../helpers/postgres.ts';

after(dropTestDatabases);

const ROOT = join(import.meta.dirname, '..', '..', '..');
const NOW = Date.UTC(2026, 2, 1);

/** A classroom with a bit of everything, with ties in times and ids against the stored order. */
async function fill(store: ClassroomStore): Promise<void> {
  await store.createTeacher({ id: 't', email: 'a@b.org', name: 'Ada', passwordHash: 'scrypt$x', createdAt: NOW });
  await store.createSession('teacher', 'th', 't', NOW + 3_600_000);
  for (const id of ['cz', 'ca']) await store.createClass({ id, teacherId: 't', name: `Class ${id}`, joinCode: `J${id}`, createdAt: NOW });
  await store.updateClass('ca', { archivedAt: NOW + 5 });
  for (const id of ['lz', 'la', 'lm']) await store.addLearner({ id, classId: 'cz', name: `Zoë ${id}`, recoveryCode: `R${id}`, joinedAt: NOW }, 50);
  await store.createSession('learner', 'lh', 'la', NOW + 3_600_000);
  for (const id of ['az', 'aa'])
    await store.createAssignment({
      id,
      classId: 'cz',
      title: `Week ${id}`,
      lessons: ['p/z', 'p/a'],
      due: NOW + 86_400_000,
      latePolicy: 'mark',
      createdAt: NOW,
    });
  const base = {
    assignmentId: 'az',
    lesson: 'p/a',
    files: { 'main.go': 'package main\n// ünïcödé\n' },
    createdAt: NOW,
    status: 'pending' as const,
    result: null,
    gradedAt: null,
    override: null,
  };
  for (const [id, learnerId] of [
    ['sz', 'lz'],
    ['sa', 'la'],
    ['sm', 'lz'],
  ])
    await store.addSubmission({ ...base, id, learnerId }, 9);
  await store.finishPending('sa', { status: 'fail', tests: [{ name: 'TestX', status: 'fail', message: 'want 2' }], review: 'looks copied' }, NOW + 9);
  await store.setOverride('sa', { status: 'pass', comment: 'ok by me' });
  await store.markDone('la', 'p/z', NOW + 1);
  await store.saveLearnerFiles('la', 'p/a', { 'main.go': 'v2' }, NOW + 2);
}

/** What the lab reads of a classroom, through the store. */
async function view(store: ClassroomStore) {
  return {
    teacher: await store.teacherByEmail('a@b.org'),
    teacherSession: await store.sessionSubject('teacher', 'th', NOW),
    learnerSession: await store.sessionSubject('learner', 'lh', NOW),
    classes: await store.classesOfTeacher('t'),
    learners: await store.learnersOfClass('cz'),
    assignments: await store.assignmentsOfClass('cz'),
    facts: await store.submissionFactsOfClass('cz'),
    submission: await store.submissionById('sa'),
    pending: await store.pendingSubmissions(),
    history: await store.submissionHistory('lz', {}, 10),
    progress: await store.progressOfLearner('la'),
    files: await store.learnerFiles('la', 'p/a'),
  };
}

test('copy: every row arrives, and the lab reads the same classroom from PostgreSQL', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'clb-copy-'));
  try {
    const file = join(dir, 'classroom.sqlite');
    const sqlite = new SqliteStore(file);
    await fill(sqlite);
    const before = await view(sqlite);
    await sqlite.close();

    const { url } = await testDatabase();
    const counts = await copySqliteToPostgres(file, url);
    assert.deepEqual(counts, {
      teachers: 1,
      teacher_sessions: 1,
      classes: 2,
      learners: 3,
      learner_sessions: 1,
      assignments: 2,
      assignment_lessons: 4,
      submissions: 3,
      learner_progress: 1,
      learner_files: 1,
    });

    const postgres = await PostgresStore.open(url);
    try {
      assert.deepEqual(await view(postgres), before);
      assert.deepEqual(
        before.classes.map((c) => c.id),
        ['cz', 'ca'],
        "the stored order, not the ids'",
      );
      // The lab goes on: new rows come after the copied ones (the sequences continued).
      await postgres.createClass({ id: 'c0', teacherId: 't', name: 'New', joinCode: null, createdAt: NOW });
      assert.deepEqual(
        (await postgres.classesOfTeacher('t')).map((c) => c.id),
        ['cz', 'ca', 'c0'],
      );
      await postgres.addSubmission(
        {
          id: 's0',
          assignmentId: 'az',
          learnerId: 'lz',
          lesson: 'p/a',
          files: {},
          createdAt: NOW,
          status: 'pending',
          result: null,
          gradedAt: null,
          override: null,
        },
        9,
      );
      assert.equal((await postgres.submissionHistory('lz', {}, 1))[0].id, 's0');
    } finally {
      await postgres.close();
    }

    // A second copy into the same database is refused, and changes nothing.
    await assert.rejects(copySqliteToPostgres(file, url), /already holds classroom data/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('copy: the command copies a file, and refuses a missing one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'clb-copy-'));
  try {
    const file = join(dir, 'classroom.sqlite');
    const sqlite = new SqliteStore(file);
    await fill(sqlite);
    await sqlite.close();
    const { url } = await testDatabase();
    const run = (...args: string[]) => promisify(execFile)(process.execPath, [join(ROOT, 'scripts/copy-sqlite-to-postgres.ts'), ...args], { cwd: ROOT });

    const { stdout } = await run(file, url);
    assert.match(stdout, /^submissions\s+3$/m);
    assert.match(stdout, /copied .* to postgresql:\/\/lab@localhost\//);
    const postgres = await PostgresStore.open(url);
    assert.equal((await postgres.learnersOfClass('cz')).length, 3);
    await postgres.close();

    await assert.rejects(run(join(dir, 'missing.sqlite'), url), (e: { code?: number; stderr?: string }) => e.code === 1 && /no such file/.test(e.stderr ?? ''));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
