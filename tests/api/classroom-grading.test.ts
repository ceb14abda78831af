/**
 * Classroom submissions, graded in the real sandbox by the same checks as
 * POST /api/check: pass, fail, a timeout stored as an error (never a fail),
 * late marking, overrides, regrade, the results grid and its CSV. Each
 * submission is answered 202 at once and graded by the queue
 * (tests/api/classroom-live.test.ts covers that under load); these tests
 * wait for the grade. The per-address Run rate does not apply to it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type LabServer } from '../helpers/server.ts';
import { call, exerciseFiles, join, LESSON, newClass, newTeacher, submitGraded } from '../helpers/classroom.ts';

const SECOND_LESSON = 'go-run/what-go-run-does';

describe('classroom submissions', () => {
  let lab: LabServer;
  // A short program time limit, so the endless submission is stopped soon.
  before(async () => {
    lab = await startServer({ env: { SIGN_IN_BURST: '1000', CODE_ATTEMPTS_BURST: '1000', API_REQUESTS_BURST: '100000', PROGRAM_TIMEOUT_MS: '3000' } });
  });
  after(() => lab?.stop());

  const submit = (assignmentId: string, cookie: string, files: Record<string, string>, lesson = LESSON) =>
    submitGraded(lab.url, assignmentId, cookie, files, lesson);

  test("pass, fail and a timeout (error, with the limit's words); the frozen files and result are kept; the last counts", async () => {
    const t = await newTeacher(lab.url);
    const { classId, joinCode, assignmentId } = await newClass(lab.url, t.cookie, [LESSON, SECOND_LESSON]);
    const l = await join(lab.url, joinCode, 'Ada');

    const started = Date.now();
    const pass = await submit(assignmentId, l.cookie, exerciseFiles.solution());
    console.log(`# one graded submission: ${Date.now() - started} ms`);
    assert.equal(pass.status, 202, JSON.stringify(pass.body));
    assert.equal(pass.body.status, 'pass');
    assert.equal(pass.body.late, false);
    assert.deepEqual(
      pass.body.tests.map((x: any) => `${x.name}:${x.status}`),
      ['TestMulCheck:pass', 'TestSumCheck:pass', 'go vet finds nothing:pass'],
    );

    const fail = await submit(assignmentId, l.cookie, exerciseFiles.wrong());
    assert.equal(fail.body.status, 'fail', JSON.stringify(fail.body));
    assert.match(fail.body.tests.find((x: any) => x.name === 'TestMulCheck').output, /Mul\(2, 3\) = 5, want 6/, 'the same checks as POST /api/check');

    const stored = await call(lab.url, 'GET', `/api/submissions/${fail.body.submissionId}`, { cookie: l.cookie });
    assert.deepEqual(stored.body.files, exerciseFiles.wrong(), 'the snapshot as sent');
    assert.deepEqual(stored.body.result, { status: fail.body.status, tests: fail.body.tests });
    assert.deepEqual(
      [stored.body.assignmentId, stored.body.learnerId, stored.body.lesson, stored.body.late, stored.body.override, stored.body.pending],
      [assignmentId, l.learnerId, LESSON, false, null, undefined],
    );

    const endless = await submit(assignmentId, l.cookie, exerciseFiles.endless());
    assert.equal(endless.status, 202);
    assert.equal(endless.body.status, 'error', JSON.stringify(endless.body));
    assert.match(endless.body.message, /the checks were stopped: the tests did not finish within 3s \(time limit\)/);

    const mine = await call(lab.url, 'GET', '/api/me/assignments', { cookie: l.cookie });
    assert.deepEqual(
      mine.body.assignments[0].exercises.map((e: any) => [e.lesson, e.status, e.submissionId]),
      [
        [LESSON, 'error', endless.body.submissionId],
        [SECOND_LESSON, 'not-started', null],
      ],
      'the last submission counts (no due time)',
    );
    assert.ok(Date.parse(mine.body.assignments[0].exercises[0].submittedAt) >= started);

    const grid = await call(lab.url, 'GET', `/api/classes/${classId}/results`, { cookie: t.cookie });
    assert.deepEqual(grid.body.rows[0].cells[0], {
      status: 'error',
      late: false,
      overridden: false,
      flagged: false,
      submissionId: endless.body.submissionId,
      submissions: 3,
      pending: false,
    });
    assert.deepEqual(
      grid.body.columns.map((c: any) => [c.lesson, c.counts, c.pending]),
      [
        [LESSON, { pass: 0, fail: 0, error: 1, 'not-started': 0 }, 0],
        [SECOND_LESSON, { pass: 0, fail: 0, error: 0, 'not-started': 1 }, 0],
      ],
    );
  });

  test('a due time in the past: marked late with policy "mark", not with "accept"; CSV says so', async () => {
    const t = await newTeacher(lab.url);
    const past = new Date(Date.now() - 3_600_000).toISOString();
    const marked = await newClass(lab.url, t.cookie, [LESSON], { due: past, latePolicy: 'mark' });
    const accepting = await call(lab.url, 'POST', `/api/classes/${marked.classId}/assignments`, {
      cookie: t.cookie,
      body: { title: 'Accepting', lessons: [LESSON], due: past, latePolicy: 'accept' },
    });
    const l = await join(lab.url, marked.joinCode, 'Late Larry');

    const a = await submit(marked.assignmentId, l.cookie, exerciseFiles.wrong());
    assert.deepEqual([a.body.status, a.body.late], ['fail', true]);
    const b = await submit(accepting.body.id, l.cookie, exerciseFiles.wrong());
    assert.deepEqual([b.body.status, b.body.late], ['fail', false]);

    assert.equal((await call(lab.url, 'GET', `/api/submissions/${a.body.submissionId}`, { cookie: t.cookie })).body.late, true);
    const grid = await call(lab.url, 'GET', `/api/classes/${marked.classId}/results`, { cookie: t.cookie });
    assert.deepEqual(
      grid.body.rows[0].cells.map((c: any) => [c.status, c.late]),
      [
        ['fail', true],
        ['fail', false],
      ],
    );
    const csv = await call(lab.url, 'GET', `/api/classes/${marked.classId}/results.csv`, { cookie: t.cookie });
    assert.equal(csv.body, `learner,Assignment / ${LESSON},Accepting / ${LESSON}\r\nLate Larry,fail (late),fail\r\n`);
  });

  test("override: the teacher's status replaces the cell's, with a comment; null removes it; the CSV marks it", async () => {
    const t = await newTeacher(lab.url);
    const { classId, joinCode, assignmentId } = await newClass(lab.url, t.cookie, [LESSON]);
    const l = await join(lab.url, joinCode, 'Olga');
    const s = await submit(assignmentId, l.cookie, exerciseFiles.wrong());
    assert.equal(s.body.status, 'fail');
    const override = (body: unknown) => call(lab.url, 'POST', `/api/submissions/${s.body.submissionId}/override`, { cookie: t.cookie, body });

    const o = await override({ status: 'pass', comment: 'the idea is right; Mul was a typo' });
    assert.equal(o.status, 200);
    assert.deepEqual(o.body.override, { status: 'pass', comment: 'the idea is right; Mul was a typo' });
    assert.equal(o.body.result.status, 'fail', 'the grade itself stays');
    const cell = (await call(lab.url, 'GET', `/api/classes/${classId}/results`, { cookie: t.cookie })).body.rows[0].cells[0];
    assert.deepEqual([cell.status, cell.overridden], ['pass', true]);
    assert.equal(
      (await call(lab.url, 'GET', '/api/me/assignments', { cookie: l.cookie })).body.assignments[0].exercises[0].status,
      'pass',
      'the learner sees it too',
    );
    assert.match((await call(lab.url, 'GET', `/api/classes/${classId}/results.csv`, { cookie: t.cookie })).body, /Olga,pass \(override\)/);
    assert.equal(
      (await call(lab.url, 'GET', `/api/submissions/${s.body.submissionId}`, { cookie: l.cookie })).body.override.comment,
      'the idea is right; Mul was a typo',
    );

    assert.equal((await override({ status: 'excellent' })).status, 400);
    assert.equal((await override({ status: 'pass', comment: 'x'.repeat(1001) })).status, 400);
    assert.equal((await override({ status: null })).body.override, null);
    assert.equal((await call(lab.url, 'GET', `/api/classes/${classId}/results`, { cookie: t.cookie })).body.rows[0].cells[0].status, 'fail');
  });

  test('regrade: the counted submissions are graded again, files unchanged; filters are checked', async () => {
    const t = await newTeacher(lab.url);
    const { classId, joinCode, assignmentId } = await newClass(lab.url, t.cookie, [LESSON]);
    const l1 = await join(lab.url, joinCode, 'one');
    const l2 = await join(lab.url, joinCode, 'two');
    await join(lab.url, joinCode, 'never submits');
    await submit(assignmentId, l1.cookie, exerciseFiles.wrong());
    const counted1 = await submit(assignmentId, l1.cookie, exerciseFiles.solution());
    const counted2 = await submit(assignmentId, l2.cookie, exerciseFiles.wrong());

    const r = await call(lab.url, 'POST', `/api/classes/${classId}/regrade`, { cookie: t.cookie, body: {} });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body, { regraded: 2, changed: 0, errors: 0 }, 'the two counted submissions, same code, same results');
    const after1 = await call(lab.url, 'GET', `/api/submissions/${counted1.body.submissionId}`, { cookie: t.cookie });
    assert.deepEqual([after1.body.result.status, after1.body.files], ['pass', exerciseFiles.solution()]);
    assert.equal((await call(lab.url, 'GET', `/api/submissions/${counted2.body.submissionId}`, { cookie: t.cookie })).body.result.status, 'fail');

    assert.deepEqual(
      (await call(lab.url, 'POST', `/api/classes/${classId}/regrade`, { cookie: t.cookie, body: { assignmentId, lesson: SECOND_LESSON } })).status,
      400,
    );
    assert.equal((await call(lab.url, 'POST', `/api/classes/${classId}/regrade`, { cookie: t.cookie, body: { assignmentId: 'nope' } })).status, 404);
  });

  test('CSV: attachment, header, and learner names that look like formulas are defused', async () => {
    const t = await newTeacher(lab.url);
    const { classId, joinCode } = await newClass(lab.url, t.cookie, [LESSON]);
    await join(lab.url, joinCode, '=HYPERLINK("http://evil.example","x")');
    await join(lab.url, joinCode, '@SUM(1+1)');
    await join(lab.url, joinCode, 'Plain, with comma');
    const res = await fetch(`${lab.url}/api/classes/${classId}/results.csv`, { headers: { cookie: t.cookie } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
    assert.equal(res.headers.get('content-disposition'), 'attachment; filename="Class-results.csv"');
    const lines = (await res.text()).split('\r\n');
    assert.deepEqual(lines, [
      `learner,Assignment / ${LESSON}`,
      `"'=HYPERLINK(""http://evil.example"",""x"")",not-started`,
      `'@SUM(1+1),not-started`,
      `"Plain, with comma",not-started`,
      '',
    ]);
  });
});

describe('classroom submissions and the Run rate', () => {
  let lab: LabServer;
  before(async () => {
    lab = await startServer({ env: { RUNS_BURST: '1', RUN_INTERVAL_MS: '600000' } });
  });
  after(() => lab?.stop());

  test('a spent per-address Run rate does not refuse a submission: stored, then graded', async () => {
    const t = await newTeacher(lab.url);
    const { classId, joinCode, assignmentId } = await newClass(lab.url, t.cookie, [LESSON]);
    const l = await join(lab.url, joinCode);
    const first = await submitGraded(lab.url, assignmentId, l.cookie, exerciseFiles.solution());
    const second = await submitGraded(lab.url, assignmentId, l.cookie, exerciseFiles.wrong());
    assert.deepEqual([first.status, first.body.status, second.status, second.body.status], [202, 'pass', 202, 'fail']);
    const grid = await call(lab.url, 'GET', `/api/classes/${classId}/results`, { cookie: t.cookie });
    assert.deepEqual([grid.body.rows[0].cells[0].submissions, grid.body.rows[0].cells[0].status], [2, 'fail']);
  });
});
