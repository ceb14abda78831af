/**
 * The classroom API (docs/api.md, "Classes"): every operation and every
 * authorization rule, against a real server. Grading itself (pass, fail,
 * late, regrade) is in classroom-grading.test.ts, the crash test in
 * classroom-crash.test.ts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startServer, type LabServer } from '../helpers/server.ts';
import { siteWithoutExercises } from '../helpers/manifest.ts';
import { call, exerciseFiles, join, LESSON, newClass, newTeacher } from '../helpers/classroom.ts';

// Every lesson has an exercise: this server's manifest says this one has none (tests/helpers/manifest.ts).
const NO_EXERCISE_LESSON = 'go-run/files-or-packages';

describe('classroom API', () => {
  let lab: LabServer;
  // The tests sign up and join far more often than people do, all from 127.0.0.1.
  let site: ReturnType<typeof siteWithoutExercises>;
  before(async () => {
    site = siteWithoutExercises(NO_EXERCISE_LESSON);
    // Every request of the suite comes from 127.0.0.1, hundreds within seconds: the per-address API rate would answer 429.
    lab = await startServer({ env: { SIGN_IN_BURST: '1000', CODE_ATTEMPTS_BURST: '1000', API_REQUESTS_BURST: '100000', SITE_DIR: site.dir } });
  });
  after(async () => {
    await lab?.stop();
    site?.remove();
  });

  test('teacher: sign up, me, log out, log in; the cookie is HttpOnly, SameSite=Lax, Path=/', async () => {
    const email = `Ada.${Date.now()}@Example.org`;
    const up = await call(lab.url, 'POST', '/api/teacher/signup', { body: { email, password: 'correct horse battery', name: '  Ada  ' } });
    assert.equal(up.status, 201, JSON.stringify(up.body));
    assert.deepEqual(Object.keys(up.body).sort(), ['email', 'id', 'name']);
    assert.equal(up.body.email, email.toLowerCase());
    assert.equal(up.body.name, 'Ada');
    const setCookie = up.headers.get('set-cookie')!;
    assert.match(setCookie, /^lab_teacher=[A-Za-z0-9_-]{43}; /);
    for (const attr of ['HttpOnly', 'SameSite=Lax', 'Path=/']) assert.ok(setCookie.includes(attr), `${attr} in ${setCookie}`);

    assert.deepEqual((await call(lab.url, 'GET', '/api/teacher/me', { cookie: up.cookie! })).body, up.body);
    const out = await call(lab.url, 'POST', '/api/teacher/logout', { cookie: up.cookie! });
    assert.equal(out.status, 204);
    assert.match(out.headers.get('set-cookie') ?? '', /lab_teacher=; .*Max-Age=0/);
    assert.equal(
      (await call(lab.url, 'GET', '/api/teacher/me', { cookie: up.cookie! })).status,
      401,
      'the session is gone on the server, not just in the browser',
    );

    const again = await call(lab.url, 'POST', '/api/teacher/login', { body: { email: email.toUpperCase(), password: 'correct horse battery' } });
    assert.equal(again.status, 200);
    assert.equal(again.body.id, up.body.id);
    assert.equal((await call(lab.url, 'GET', '/api/teacher/me', { cookie: again.cookie! })).status, 200);

    assert.equal((await call(lab.url, 'POST', '/api/teacher/signup', { body: { email, password: 'another password', name: 'B' } })).status, 409);
    const wrong = await call(lab.url, 'POST', '/api/teacher/login', { body: { email, password: 'not the password' } });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error, 'wrong email or password');
    const unknown = await call(lab.url, 'POST', '/api/teacher/login', { body: { email: 'nobody@example.org', password: 'not the password' } });
    assert.deepEqual([unknown.status, unknown.body.error], [401, 'wrong email or password'], 'an unknown email looks the same');
  });

  test('teacher: bad input is 400 with a message that names the field', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ email: 'not-an-email', password: 'correct horse battery', name: 'A' }, /"email" is not an email address/],
      [{ email: 'a@b.org', password: 'short', name: 'A' }, /"password" must have at least 10 characters/],
      [{ email: 'a@b.org', password: 'correct horse battery', name: '' }, /"name" must not be empty/],
      [{ email: 'a@b.org', password: 'correct horse battery', name: 'x'.repeat(81) }, /"name" is longer than 80 characters/],
      [{ email: 'a@b.org', password: 'correct horse battery' }, /missing field "name"/],
      [[1, 2], /must be a JSON object/],
      ['{', /malformed JSON/],
    ];
    for (const [body, message] of cases) {
      const a = await call(lab.url, 'POST', '/api/teacher/signup', { body });
      assert.equal(a.status, 400, JSON.stringify(body));
      assert.match(a.body.error, message);
    }
    const notJson = await fetch(`${lab.url}/api/teacher/login`, { method: 'POST', body: 'email=a' });
    assert.equal(notJson.status, 415);
  });

  test('no cookie: 401; a forged or malformed cookie: 401', async () => {
    const forgedTeacher = `lab_teacher=${randomBytes(32).toString('base64url')}`;
    const forgedLearner = `lab_learner=${randomBytes(32).toString('base64url')}`;
    const teacherRoutes: Array<[string, string]> = [
      ['GET', '/api/teacher/me'],
      ['GET', '/api/classes'],
      ['POST', '/api/classes'],
      ['GET', '/api/classes/x'],
      ['GET', '/api/classes/x/results'],
      ['GET', '/api/classes/x/results.csv'],
      ['POST', '/api/classes/x/regrade'],
      ['POST', '/api/classes/x/join-code'],
      ['POST', '/api/classes/x/assignments'],
      ['POST', '/api/submissions/x/override'],
    ];
    for (const [method, path] of teacherRoutes) {
      for (const cookie of [undefined, forgedTeacher, 'lab_teacher=garbage', forgedLearner]) {
        const a = await call(lab.url, method, path, { cookie, body: method === 'POST' ? {} : undefined });
        assert.equal(a.status, 401, `${method} ${path} with ${cookie}`);
      }
    }
    for (const [method, path] of [
      ['GET', '/api/me/assignments'],
      ['POST', '/api/assignments/x/submissions'],
      ['GET', '/api/submissions/x'],
    ]) {
      for (const cookie of [undefined, forgedLearner, forgedTeacher]) {
        assert.equal((await call(lab.url, method, path, { cookie, body: method === 'POST' ? {} : undefined })).status, 401, `${method} ${path} with ${cookie}`);
      }
    }
  });

  test('cross-origin writes are refused (403); same-origin and script requests are not', async () => {
    const t = await newTeacher(lab.url);
    const evil = { origin: 'http://evil.example' };
    for (const [path, body] of [
      ['/api/classes', { name: 'C' }],
      ['/api/teacher/signup', { email: 'x@y.org', password: 'correct horse battery', name: 'X' }],
      ['/api/join', { code: 'ABCDEF', name: 'x' }],
      ['/api/teacher/logout', {}],
    ] as const) {
      const a = await call(lab.url, 'POST', path, { cookie: t.cookie, body, headers: evil });
      assert.equal(a.status, 403, path);
      assert.equal(a.body.error, 'cross-origin request refused');
    }
    assert.equal((await call(lab.url, 'POST', '/api/classes', { cookie: t.cookie, body: { name: 'C' }, headers: { origin: 'null' } })).status, 403);
    assert.equal(
      (await call(lab.url, 'POST', '/api/classes', { cookie: t.cookie, body: { name: 'C' }, headers: { 'sec-fetch-site': 'cross-site' } })).status,
      403,
    );
    assert.equal((await call(lab.url, 'GET', '/api/teacher/me', { cookie: t.cookie })).status, 200, 'the refused logout did not log out');
    assert.equal((await call(lab.url, 'GET', '/api/classes', { cookie: t.cookie })).body.length, 0, 'nothing was created');
    assert.equal(
      (await call(lab.url, 'POST', '/api/classes', { cookie: t.cookie, body: { name: 'C' }, headers: { origin: lab.url, 'sec-fetch-site': 'same-origin' } }))
        .status,
      201,
    );
    assert.equal((await call(lab.url, 'POST', '/api/classes', { cookie: t.cookie, body: { name: 'C' } })).status, 201, 'no Origin: a script');
  });

  test('classes: create, list, detail with assignments and learners', async () => {
    const t = await newTeacher(lab.url);
    const created = await call(lab.url, 'POST', '/api/classes', { cookie: t.cookie, body: { name: 'Go 101' } });
    assert.equal(created.status, 201);
    assert.match(created.body.joinCode, /^[A-HJKMNP-Z2-9]{8}$/);
    const asg = await call(lab.url, 'POST', `/api/classes/${created.body.id}/assignments`, {
      cookie: t.cookie,
      body: { title: 'Week 1', lessons: [LESSON], due: '2030-01-01T12:00:00+01:00', latePolicy: 'accept' },
    });
    assert.equal(asg.status, 201);
    const l = await join(lab.url, created.body.joinCode, 'Grace');

    const list = await call(lab.url, 'GET', '/api/classes', { cookie: t.cookie });
    assert.deepEqual(
      list.body.map((c: any) => [c.id, c.name, c.joinCode, c.learners, c.assignments]),
      [[created.body.id, 'Go 101', created.body.joinCode, 1, 1]],
    );
    assert.ok(!Number.isNaN(Date.parse(list.body[0].createdAt)));
    const detail = await call(lab.url, 'GET', `/api/classes/${created.body.id}`, { cookie: t.cookie });
    assert.equal(detail.status, 200);
    assert.deepEqual(
      detail.body.assignments.map((a: any) => [a.id, a.title, a.lessons, a.due, a.latePolicy, a.classId]),
      [[asg.body.id, 'Week 1', [LESSON], '2030-01-01T11:00:00.000Z', 'accept', created.body.id]],
    );
    assert.deepEqual(
      detail.body.learners.map((x: any) => [x.id, x.name, x.recoveryCode]),
      [[l.learnerId, 'Grace', l.recoveryCode]],
      'the teacher sees the recovery code',
    );
    assert.equal((await call(lab.url, 'POST', '/api/classes', { cookie: t.cookie, body: { name: ' ' } })).status, 400);
  });

  test('assignments: lessons must have exercises (400 names the bad one); due and late policy are checked', async () => {
    const t = await newTeacher(lab.url);
    const { classId } = await newClass(lab.url, t.cookie, [LESSON]);
    const create = (body: unknown) => call(lab.url, 'POST', `/api/classes/${classId}/assignments`, { cookie: t.cookie, body });
    const cases: Array<[unknown, RegExp]> = [
      [{ title: 'A', lessons: [LESSON, NO_EXERCISE_LESSON] }, new RegExp(`lesson "${NO_EXERCISE_LESSON}" has no exercise`)],
      [{ title: 'A', lessons: ['nope/nope'] }, /unknown lesson "nope\/nope"/],
      [{ title: 'A', lessons: [LESSON, LESSON] }, /listed twice/],
      [{ title: 'A', lessons: [] }, /non-empty array/],
      [{ title: 'A', lessons: Array(21).fill(LESSON) }, /at most 20/],
      [{ lessons: [LESSON] }, /missing field "title"/],
      [{ title: 'A', lessons: [LESSON], due: 'tomorrow' }, /"due" must be an ISO 8601 time/],
      [{ title: 'A', lessons: [LESSON], due: '2030-01-01T12:00:00' }, /with a time zone/],
      [{ title: 'A', lessons: [LESSON], latePolicy: 'reject' }, /"latePolicy" must be "accept" or "mark"/],
    ];
    for (const [body, message] of cases) {
      const a = await create(body);
      assert.equal(a.status, 400, JSON.stringify(body));
      assert.match(a.body.error, message);
    }
    const ok = await create({ title: 'A', lessons: [LESSON] });
    assert.equal(ok.status, 201);
    const detail = await call(lab.url, 'GET', `/api/classes/${classId}`, { cookie: t.cookie });
    const made = detail.body.assignments.find((a: any) => a.id === ok.body.id);
    assert.deepEqual([made.due, made.latePolicy], [null, 'mark'], 'defaults: no due time, late submissions marked');
  });

  test('join codes: case and dashes do not matter; rotate retires the old code; close stops joining; rotate reopens', async () => {
    const t = await newTeacher(lab.url);
    const { classId, joinCode } = await newClass(lab.url, t.cookie, [LESSON]);
    const typed = `${joinCode.slice(0, 3).toLowerCase()}-${joinCode.slice(3)}`;
    const j = await call(lab.url, 'POST', '/api/join', { body: { code: typed, name: 'Linus' } });
    assert.equal(j.status, 201);
    assert.deepEqual([j.body.classId, j.body.className, j.body.name], [classId, 'Class', 'Linus']);
    assert.match(j.body.recoveryCode, /^[A-HJKMNP-Z2-9]{4}(-[A-HJKMNP-Z2-9]{4}){3}$/);
    assert.match(j.headers.get('set-cookie')!, /^lab_learner=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax/);

    const bad = await call(lab.url, 'POST', '/api/join', { body: { code: 'ZZZZZZ', name: 'x' } });
    assert.deepEqual([bad.status, bad.body.error], [404, 'no open class with this code']);
    assert.equal((await call(lab.url, 'POST', '/api/join', { body: { code: joinCode, name: 'x'.repeat(41) } })).status, 400);
    assert.equal((await call(lab.url, 'POST', '/api/join', { body: { code: joinCode, name: '' } })).status, 400);
    assert.equal((await call(lab.url, 'POST', '/api/join', { body: { name: 'x' } })).status, 400);

    const rotated = await call(lab.url, 'POST', `/api/classes/${classId}/join-code`, { cookie: t.cookie, body: { action: 'rotate' } });
    assert.equal(rotated.status, 200);
    assert.notEqual(rotated.body.joinCode, joinCode);
    assert.equal((await call(lab.url, 'POST', '/api/join', { body: { code: joinCode, name: 'late' } })).status, 404, 'the old code stopped working');
    await join(lab.url, rotated.body.joinCode, 'with the new code');

    const closed = await call(lab.url, 'POST', `/api/classes/${classId}/join-code`, { cookie: t.cookie, body: { action: 'close' } });
    assert.deepEqual(closed.body, { joinCode: null });
    assert.equal((await call(lab.url, 'POST', '/api/join', { body: { code: rotated.body.joinCode, name: 'x' } })).status, 404);
    assert.equal((await call(lab.url, 'GET', `/api/classes/${classId}`, { cookie: t.cookie })).body.joinCode, null);
    assert.equal((await call(lab.url, 'POST', `/api/classes/${classId}/join-code`, { cookie: t.cookie, body: { action: 'open' } })).status, 400);
    const reopened = await call(lab.url, 'POST', `/api/classes/${classId}/join-code`, { cookie: t.cookie, body: { action: 'rotate' } });
    await join(lab.url, reopened.body.joinCode, 'after reopening');
    assert.equal((await call(lab.url, 'GET', `/api/classes/${classId}`, { cookie: t.cookie })).body.learners.length, 3);
  });

  test('recovery codes: get back in on another computer; the teacher resets one and the old code and sessions stop working', async () => {
    const t = await newTeacher(lab.url);
    const { classId, joinCode } = await newClass(lab.url, t.cookie, [LESSON]);
    const l = await join(lab.url, joinCode, 'Barbara');
    const rec = await call(lab.url, 'POST', '/api/recover', { body: { recoveryCode: l.recoveryCode.toLowerCase().replace(/-/g, ' ') } });
    assert.equal(rec.status, 200);
    assert.deepEqual([rec.body.learnerId, rec.body.recoveryCode, rec.body.classId, rec.body.name], [l.learnerId, l.recoveryCode, classId, 'Barbara']);
    assert.ok(rec.cookie && rec.cookie !== l.cookie, 'a new cookie for the other computer');
    assert.equal((await call(lab.url, 'GET', '/api/me/assignments', { cookie: rec.cookie! })).body.learner.id, l.learnerId);
    assert.equal((await call(lab.url, 'POST', '/api/recover', { body: { recoveryCode: 'AAAA-BBBB-CCCC-DDDD' } })).status, 404);
    assert.equal((await call(lab.url, 'POST', '/api/recover', { body: {} })).status, 400);

    const reset = await call(lab.url, 'POST', `/api/classes/${classId}/learners/${l.learnerId}/recovery-code`, { cookie: t.cookie });
    assert.equal(reset.status, 200);
    assert.notEqual(reset.body.recoveryCode, l.recoveryCode);
    assert.equal((await call(lab.url, 'POST', '/api/recover', { body: { recoveryCode: l.recoveryCode } })).status, 404, 'the old code stopped working');
    assert.equal((await call(lab.url, 'GET', '/api/me/assignments', { cookie: l.cookie })).status, 401, 'sessions made with the old code end too');
    const back = await call(lab.url, 'POST', '/api/recover', { body: { recoveryCode: reset.body.recoveryCode } });
    assert.equal(back.status, 200);
    assert.equal((await call(lab.url, 'GET', `/api/classes/${classId}`, { cookie: t.cookie })).body.learners[0].recoveryCode, reset.body.recoveryCode);
    assert.equal((await call(lab.url, 'POST', `/api/classes/${classId}/learners/nope/recovery-code`, { cookie: t.cookie })).status, 404);
  });

  test("authorization: another teacher, learners of another class and other learners get 404; overrides are the teacher's", async () => {
    const t1 = await newTeacher(lab.url, 'First');
    const t2 = await newTeacher(lab.url, 'Second');
    const A = await newClass(lab.url, t1.cookie, [LESSON]);
    const B = await newClass(lab.url, t2.cookie, [LESSON]);
    const a1 = await join(lab.url, A.joinCode, 'a1');
    const a2 = await join(lab.url, A.joinCode, 'a2');
    const b1 = await join(lab.url, B.joinCode, 'b1');

    // The second teacher and the first teacher's class.
    for (const [method, path, body] of [
      ['GET', `/api/classes/${A.classId}`],
      ['GET', `/api/classes/${A.classId}/results`],
      ['GET', `/api/classes/${A.classId}/results.csv`],
      ['POST', `/api/classes/${A.classId}/join-code`, { action: 'close' }],
      ['POST', `/api/classes/${A.classId}/assignments`, { title: 'x', lessons: [LESSON] }],
      ['POST', `/api/classes/${A.classId}/learners/${a1.learnerId}/recovery-code`, {}],
      ['POST', `/api/classes/${A.classId}/regrade`, {}],
    ] as Array<[string, string, unknown?]>) {
      const a = await call(lab.url, method, path, { cookie: t2.cookie, body });
      assert.deepEqual([a.status, a.body.error], [404, 'no such class'], `${method} ${path}`);
    }
    assert.deepEqual(
      (await call(lab.url, 'GET', '/api/classes', { cookie: t2.cookie })).body.map((c: any) => c.id),
      [B.classId],
    );
    assert.ok((await call(lab.url, 'GET', `/api/classes/${A.classId}`, { cookie: t1.cookie })).body.joinCode, 'the refused close changed nothing');
    // A learner's cookie is not a teacher's.
    assert.equal((await call(lab.url, 'GET', `/api/classes/${A.classId}`, { cookie: a1.cookie })).status, 401);

    // A learner of class B and class A's assignment.
    const files = exerciseFiles.solution();
    const cross = await call(lab.url, 'POST', `/api/assignments/${A.assignmentId}/submissions`, { cookie: b1.cookie, body: { lesson: LESSON, files } });
    assert.deepEqual([cross.status, cross.body.error], [404, 'no such assignment']);
    const notInIt = await call(lab.url, 'POST', `/api/assignments/${A.assignmentId}/submissions`, {
      cookie: a1.cookie,
      body: { lesson: 'go-run/what-go-run-does', files },
    });
    assert.equal(notInIt.status, 400);
    assert.match(notInIt.body.error, /is not part of this assignment/);
    assert.equal(
      (await call(lab.url, 'POST', `/api/assignments/${A.assignmentId}/submissions`, { cookie: a1.cookie, body: { lesson: LESSON, files: { '../x': '' } } }))
        .status,
      400,
    );

    const sub = await call(lab.url, 'POST', `/api/assignments/${A.assignmentId}/submissions`, { cookie: a1.cookie, body: { lesson: LESSON, files } });
    assert.equal(sub.status, 202, JSON.stringify(sub.body));
    const id = sub.body.submissionId;
    const get = (cookie?: string) => call(lab.url, 'GET', `/api/submissions/${id}`, { cookie });
    assert.equal((await get(a1.cookie)).status, 200, 'its learner');
    assert.equal((await get(t1.cookie)).status, 200, 'the teacher of its class');
    assert.equal((await get(`${t2.cookie}; ${b1.cookie}`)).status, 404, 'another teacher, a learner of another class');
    assert.equal((await get(a2.cookie)).status, 404, 'another learner of the same class');
    assert.equal((await get()).status, 401);
    assert.equal((await call(lab.url, 'GET', '/api/submissions/nope', { cookie: a1.cookie })).status, 404);

    const o = (cookie: string) => call(lab.url, 'POST', `/api/submissions/${id}/override`, { cookie, body: { status: 'fail', comment: 'x' } });
    assert.equal((await o(a1.cookie)).status, 401, 'a learner cannot override (not a teacher)');
    assert.equal((await o(t2.cookie)).status, 404);
    assert.equal((await get(a1.cookie)).body.override, null);

    // Each learner sees their own class only.
    const mine = await call(lab.url, 'GET', '/api/me/assignments', { cookie: b1.cookie });
    assert.deepEqual(
      mine.body.assignments.map((a: any) => a.id),
      [B.assignmentId],
    );
    assert.deepEqual(
      mine.body.assignments[0].exercises.map((e: any) => [e.lesson, e.status, e.submissionId]),
      [[LESSON, 'not-started', null]],
    );
  });

  test('unknown classroom paths are 404, wrong methods 405 with Allow', async () => {
    assert.equal((await call(lab.url, 'GET', '/api/classes/x/nothing')).status, 404);
    const m = await call(lab.url, 'DELETE', '/api/classes');
    assert.equal(m.status, 405);
    assert.equal(m.headers.get('allow'), 'POST, GET');
    assert.equal((await call(lab.url, 'GET', '/api/teacher/login')).status, 405);
  });
});

describe('classroom API: rate limits', () => {
  let lab: LabServer;
  before(async () => {
    lab = await startServer({ env: { SIGN_IN_BURST: '4', SIGN_IN_PER_MINUTE: '1', CODE_ATTEMPTS_BURST: '3', CODE_ATTEMPTS_PER_MINUTE: '1' } });
  });
  after(() => lab?.stop());

  test('sign-in: 429 with Retry-After after the burst, even with the right password', async () => {
    const t = await newTeacher(lab.url); // one attempt from this address
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const a = await call(lab.url, 'POST', '/api/teacher/login', { body: { email: t.email, password: i < 3 ? 'guess number ' + i : t.password } });
      statuses.push(a.status);
      if (a.status === 429) {
        assert.ok(Number(a.headers.get('retry-after')) >= 1);
        assert.match(a.body.error, /too many sign-in attempts/);
      }
    }
    assert.deepEqual(statuses, [401, 401, 401, 429]);
  });

  test('join codes: 429 after the burst of attempts', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(lab.url, 'POST', '/api/join', { body: { code: 'ZZZZZZ', name: 'x' } })).status);
    assert.deepEqual(statuses, [404, 404, 404, 429]);
  });
});
