/**
 * Progress follows the learner (docs/api.md "Classes"): the ✓ done
 * lessons and the lesson files one browser saves under the learner's cookie
 * come back to another browser signed in with the recovery code; the copies
 * are bounded (413), and only ever the learner's own (401 without a cookie,
 * 404 for a lesson that does not exist, another learner sees none of it).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join as joinPath } from 'node:path';
import { classroomRows, startServer, type LabServer } from '../helpers/server.ts';
import { call, join, LESSON, newClass, newTeacher } from '../helpers/classroom.ts';
import { MAX_LEARNER_FILES_BYTES, MAX_LEARNER_FILES_COUNT } from '../../server/classroom/limits.ts';

const q = (lesson: string) => `?lesson=${encodeURIComponent(lesson)}`;
const OTHER_LESSON = 'go-run/files-or-packages';

describe('learner progress and files on the server', () => {
  let lab: LabServer;
  let code: string;
  before(async () => {
    // Every request comes from 127.0.0.1 within seconds: the per-address limits would answer 429.
    lab = await startServer({ env: { SIGN_IN_BURST: '1000', CODE_ATTEMPTS_BURST: '1000', API_REQUESTS_BURST: '100000' } });
    const teacher = await newTeacher(lab.url);
    code = (await newClass(lab.url, teacher.cookie, [LESSON])).joinCode;
  });
  after(async () => {
    await lab?.stop();
  });

  test('progress and files saved by one browser come back to another signed in with the recovery code', async () => {
    const first = await join(lab.url, code, 'Ada');
    const empty = await call(lab.url, 'GET', '/api/me/progress', { cookie: first.cookie });
    assert.equal(empty.status, 200);
    assert.deepEqual(empty.body, { learnerId: first.learnerId, done: [] });

    const marked = await call(lab.url, 'PUT', `/api/me/progress${q(LESSON)}`, { cookie: first.cookie });
    assert.equal(marked.status, 200, JSON.stringify(marked.body));
    assert.deepEqual(
      marked.body.done.map((d: { lesson: string }) => d.lesson),
      [LESSON],
    );
    const doneAt = marked.body.done[0].doneAt;
    assert.ok(!Number.isNaN(Date.parse(doneAt)));
    // Marking again keeps the first time: done is done.
    const again = await call(lab.url, 'PUT', `/api/me/progress${q(LESSON)}`, { cookie: first.cookie });
    assert.deepEqual(again.body.done, [{ lesson: LESSON, doneAt }]);

    // No copy yet: null, with the starting files (the browser tells a fresh workspace by them).
    const none = await call(lab.url, 'GET', `/api/me/files${q(LESSON)}`, { cookie: first.cookie });
    assert.equal(none.status, 200);
    assert.equal(none.body.files, null);
    assert.equal(none.body.savedAt, null);
    const starting = readFileSync(joinPath(import.meta.dirname, '..', '..', 'content', LESSON, 'files', 'go.mod'), 'utf8');
    assert.equal(none.body.startingFiles['go.mod'], starting);

    const files = { 'calc.go': 'package calc\n\n// edited in browser one\n', 'go.mod': starting };
    const saved = await call(lab.url, 'PUT', `/api/me/files${q(LESSON)}`, { cookie: first.cookie, body: { files } });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    assert.equal(saved.body.lesson, LESSON);
    // Saved again at once: a later time, so browsers can tell the copies apart.
    const files2 = { ...files, 'calc.go': 'package calc\n\n// edited twice\n' };
    const saved2 = await call(lab.url, 'PUT', `/api/me/files${q(LESSON)}`, { cookie: first.cookie, body: { files: files2 } });
    assert.ok(Date.parse(saved2.body.savedAt) > Date.parse(saved.body.savedAt), `${saved2.body.savedAt} after ${saved.body.savedAt}`);

    // Another browser: no cookie of its own, then the recovery code.
    const recovered = await call(lab.url, 'POST', '/api/recover', { body: { recoveryCode: first.recoveryCode } });
    assert.equal(recovered.status, 200);
    const second = recovered.cookie!;
    assert.notEqual(second, first.cookie);
    assert.deepEqual((await call(lab.url, 'GET', '/api/me/progress', { cookie: second })).body, {
      learnerId: first.learnerId,
      done: [{ lesson: LESSON, doneAt }],
    });
    const back = await call(lab.url, 'GET', `/api/me/files${q(LESSON)}`, { cookie: second });
    assert.deepEqual(back.body.files, files2);
    assert.equal(back.body.savedAt, saved2.body.savedAt);
    // Other lessons have no copy.
    assert.equal((await call(lab.url, 'GET', `/api/me/files${q(OTHER_LESSON)}`, { cookie: second })).body.files, null);
  });

  test('without the learner cookie: 401; a teacher cookie is no learner', async () => {
    const teacher = await newTeacher(lab.url);
    for (const cookie of [undefined, teacher.cookie, 'lab_learner=' + 'A'.repeat(43)]) {
      assert.equal((await call(lab.url, 'GET', '/api/me/progress', { cookie })).status, 401);
      assert.equal((await call(lab.url, 'PUT', `/api/me/progress${q(LESSON)}`, { cookie })).status, 401);
      assert.equal((await call(lab.url, 'GET', `/api/me/files${q(LESSON)}`, { cookie })).status, 401);
      assert.equal((await call(lab.url, 'PUT', `/api/me/files${q(LESSON)}`, { cookie, body: { files: { 'a.go': 'x' } } })).status, 401);
    }
  });

  test('another learner sees none of it; unknown lessons are 404, a missing one 400', async () => {
    const ada = await join(lab.url, code, 'Ada L');
    const bob = await join(lab.url, code, 'Bob');
    await call(lab.url, 'PUT', `/api/me/progress${q(LESSON)}`, { cookie: ada.cookie });
    await call(lab.url, 'PUT', `/api/me/files${q(LESSON)}`, { cookie: ada.cookie, body: { files: { 'calc.go': 'ada' } } });
    assert.deepEqual((await call(lab.url, 'GET', '/api/me/progress', { cookie: bob.cookie })).body, { learnerId: bob.learnerId, done: [] });
    assert.equal((await call(lab.url, 'GET', `/api/me/files${q(LESSON)}`, { cookie: bob.cookie })).body.files, null);

    for (const [method, path] of [
      ['PUT', '/api/me/progress'],
      ['GET', '/api/me/files'],
      ['PUT', '/api/me/files'],
    ] as const) {
      const body = method === 'PUT' && path.endsWith('files') ? { files: { 'a.go': 'x' } } : undefined;
      assert.equal((await call(lab.url, method, `${path}${q('no/such-lesson')}`, { cookie: ada.cookie, body })).status, 404, `${method} ${path}`);
      assert.equal((await call(lab.url, method, path, { cookie: ada.cookie, body })).status, 400, `${method} ${path} without a lesson`);
    }
    // A cross-site page cannot write with the learner's cookie.
    const cross = await call(lab.url, 'PUT', `/api/me/files${q(LESSON)}`, {
      cookie: ada.cookie,
      body: { files: { 'calc.go': 'evil' } },
      headers: { origin: 'https://evil.example' },
    });
    assert.equal(cross.status, 403);
    assert.deepEqual((await call(lab.url, 'GET', `/api/me/files${q(LESSON)}`, { cookie: ada.cookie })).body.files, { 'calc.go': 'ada' });
  });

  test('a copy is bounded: too many bytes or files is 413, and the stored copy stays', async () => {
    const l = await join(lab.url, code, 'Cy');
    const path = `/api/me/files${q(LESSON)}`;
    await call(lab.url, 'PUT', path, { cookie: l.cookie, body: { files: { 'calc.go': 'kept' } } });

    // Each file within the per-file limit, together over the copy's.
    const piece = 'x'.repeat(MAX_LEARNER_FILES_BYTES / 4);
    const big = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`f${i}.go`, piece]));
    const tooBig = await call(lab.url, 'PUT', path, { cookie: l.cookie, body: { files: big } });
    assert.equal(tooBig.status, 413, JSON.stringify(tooBig.body));
    assert.match(tooBig.body.error, /at most 64 KiB/);

    const many = Object.fromEntries(Array.from({ length: MAX_LEARNER_FILES_COUNT + 1 }, (_, i) => [`f${i}.go`, 'x']));
    const tooMany = await call(lab.url, 'PUT', path, { cookie: l.cookie, body: { files: many } });
    assert.ok([400, 413].includes(tooMany.status), `${tooMany.status} ${JSON.stringify(tooMany.body)}`);

    // A body far over the bound is refused unread.
    const huge = await call(lab.url, 'PUT', path, { cookie: l.cookie, body: { files: { 'a.go': 'y'.repeat(MAX_LEARNER_FILES_BYTES * 5) } } });
    assert.equal(huge.status, 413);

    assert.equal((await call(lab.url, 'PUT', path, { cookie: l.cookie, body: { files: 'not files' } })).status, 400);
    assert.deepEqual((await call(lab.url, 'GET', path, { cookie: l.cookie })).body.files, { 'calc.go': 'kept' });
  });

  test("deleting the class deletes its learners' progress and files", async () => {
    const teacher = await newTeacher(lab.url);
    const cls = await newClass(lab.url, teacher.cookie, [LESSON]);
    const l = await join(lab.url, cls.joinCode, 'Dee');
    await call(lab.url, 'PUT', `/api/me/progress${q(LESSON)}`, { cookie: l.cookie });
    await call(lab.url, 'PUT', `/api/me/files${q(LESSON)}`, { cookie: l.cookie, body: { files: { 'calc.go': 'dee' } } });
    assert.equal((await call(lab.url, 'DELETE', `/api/classes/${cls.classId}`, { cookie: teacher.cookie })).status, 204);
    assert.equal((await call(lab.url, 'GET', '/api/me/progress', { cookie: l.cookie })).status, 401);
    assert.equal((await call(lab.url, 'POST', '/api/recover', { body: { recoveryCode: l.recoveryCode } })).status, 404);
    // The rows themselves are gone (ON DELETE CASCADE), not only out of reach.
    for (const table of ['learner_progress', 'learner_files']) {
      assert.equal(Number((await classroomRows(lab, `SELECT COUNT(*) AS n FROM ${table} WHERE learner_id = ?`, l.learnerId))[0].n), 0, table);
    }
  });
});
