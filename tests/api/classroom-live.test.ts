/**
 * The classroom's part of fairness: a submission is never refused for load (it
 * is stored and answered 202 at once, graded by a queue when a runner is
 * free), the teacher's grid and the learner hear about it over Server-Sent
 * Events, a grading cut off by a restart is graded again at the next start,
 * and the teacher edits, archives and deletes classes and assignments.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { newDataDir, startServer, type LabServer } from '../helpers/server.ts';
import { postRun, streamRun } from '../helpers/api.ts';
import { waitFor } from '../helpers/wait.ts';
import { call, exerciseFiles, join, LESSON, newClass, newTeacher, openEvents, submit, submitGraded, waitGraded } from '../helpers/classroom.ts';

const SECOND_LESSON = 'go-run/what-go-run-does';
/** Fails to compile: the cheapest grading there is (stored as an error: no test could run). */
const broken = () => ({ ...exerciseFiles.solution(), 'calc.go': 'package calc\n\nfunc {\n' });
/** Every request of these tests comes from 127.0.0.1: no per-address sign-in, join or API limits in the way. */
const OPEN_LIMITS = { SIGN_IN_BURST: '1000', CODE_ATTEMPTS_BURST: '1000', API_REQUESTS_BURST: '100000' };
/** One runner and no admission queue: while a Run holds the runner, every other command is refused (429). */
// No background places: a held Run would give its slot back after FULL_CPU_WEIGHT_MS (admission.ts).
const SATURATED = { ...OPEN_LIMITS, MAX_CONCURRENT_COMMANDS: '1', MAX_BACKGROUND_COMMANDS: '0', MAX_QUEUED_COMMANDS: '0' };
const LEARNERS = 4;
/** How long the occupying Run holds the only runner. */
const HOLD_MS = 6000;

describe('submissions while every runner is taken', () => {
  let lab: LabServer;
  before(async () => {
    lab = await startServer({ env: { ...SATURATED, RUN_TIMEOUT_MS: String(HOLD_MS) } });
  });
  after(() => lab?.stop());

  test('accepted at once (202, pending), shown pending, then graded; the teacher and the learner hear it', async () => {
    const t = await newTeacher(lab.url);
    const { classId, joinCode, assignmentId } = await newClass(lab.url, t.cookie, [LESSON]);
    const learners = [];
    for (let i = 0; i < LEARNERS; i++) learners.push(await join(lab.url, joinCode, `learner ${i}`));
    const grid = await openEvents(lab.url, `/api/classes/${classId}/events`, t.cookie);
    assert.equal(grid.status, 200);
    assert.match(grid.headers.get('content-type') ?? '', /^text\/event-stream/);

    // Take the only runner, and show it is taken: a Check-sized command is refused now.
    // Its first output says it runs (a probe sent before that could take the runner itself).
    const holder = streamRun(lab.url, { files: {}, command: 'echo holding; sleep 600' });
    await holder.output(/holding/);
    const holding = holder.done;
    const refused = (await postRun(lab.url, { files: {}, command: 'true' })).status === 429 ? 1 : 0;
    assert.equal(refused, 1, 'the runner is taken: another command is refused');

    const acceptMs: number[] = [];
    const accepted = [];
    for (const [i, l] of learners.entries()) {
      const started = Date.now();
      const a = await submit(lab.url, assignmentId, l.cookie, i % 2 ? exerciseFiles.wrong() : exerciseFiles.solution());
      acceptMs.push(Date.now() - started);
      assert.equal(a.status, 202, JSON.stringify(a.body));
      assert.deepEqual(Object.keys(a.body).sort(), ['late', 'pending', 'submissionId']);
      assert.equal(a.body.pending, true);
      accepted.push(a.body.submissionId as string);
    }
    console.log(`# accepted ${LEARNERS} submissions with every runner taken: ${acceptMs.join(', ')} ms`);
    assert.ok(Math.max(...acceptMs) < 2000, 'answered at once, not after a grading');

    // The grid shows them pending (never "not started"), and the teacher heard each one.
    const pendingGrid = await call(lab.url, 'GET', `/api/classes/${classId}/results`, { cookie: t.cookie });
    assert.deepEqual(
      pendingGrid.body.rows.map((r: any) => [r.cells[0].status, r.cells[0].pending]),
      learners.map(() => ['pending', true]),
    );
    assert.equal(pendingGrid.body.columns[0].pending, LEARNERS);
    for (const id of accepted) await grid.next((e) => e.event === 'submission' && e.data.submissionId === id && e.data.status === 'pending');
    const mine = await call(lab.url, 'GET', '/api/me/assignments', { cookie: learners[0].cookie });
    assert.deepEqual([mine.body.assignments[0].exercises[0].status, mine.body.assignments[0].exercises[0].pending], ['pending', true]);

    // The learner's stream: "pending" now, then the grade, then the stream ends.
    const watch = await openEvents(lab.url, `/api/submissions/${accepted[0]}/events`, learners[0].cookie);
    assert.equal(watch.status, 200);
    const first = await watch.next((e) => e.event === 'submission');
    assert.equal(first.data.pending, true);
    assert.equal(first.data.files, undefined, 'no files on the stream');

    const run = await holding;
    const runEnded = Date.now();
    assert.equal(run.exit?.reason, 'timeout', 'the Run held the runner to its time limit');
    const graded = await watch.next((e) => e.event === 'submission' && !e.data.pending, 120_000);
    await watch.ended;
    assert.equal(graded.data.result.status, 'pass');
    // What the learner was told is what is stored.
    const stored = await call(lab.url, 'GET', `/api/submissions/${accepted[0]}`, { cookie: learners[0].cookie });
    const { files: _, ...storedInfo } = stored.body;
    assert.deepEqual(graded.data, storedInfo);

    for (const [i, id] of accepted.entries()) {
      const e = await grid.next((x) => x.event === 'submission' && x.data.submissionId === id && x.data.status !== 'pending', 120_000);
      assert.equal(e.data.status, i % 2 ? 'fail' : 'pass');
      assert.equal((await waitGraded(lab.url, id, learners[i].cookie)).result.status, e.data.status);
    }
    console.log(`# all ${LEARNERS} graded ${Date.now() - runEnded} ms after the runner came free`);
    const done = await call(lab.url, 'GET', `/api/classes/${classId}/results`, { cookie: t.cookie });
    assert.deepEqual(
      done.body.rows.map((r: any) => [r.cells[0].status, r.cells[0].pending]),
      learners.map((_, i) => [i % 2 ? 'fail' : 'pass', false]),
    );
    assert.deepEqual([done.body.columns[0].counts, done.body.columns[0].pending], [{ pass: LEARNERS / 2, fail: LEARNERS / 2, error: 0, 'not-started': 0 }, 0]);
    grid.close();
  });

  test("one learner's flood: at most 10 waiting (429 with Retry-After beyond), graded in turns with the others", async () => {
    const t = await newTeacher(lab.url);
    const { classId, joinCode, assignmentId } = await newClass(lab.url, t.cookie, [LESSON]);
    const flooder = await join(lab.url, joinCode, 'Flo');
    const other = await join(lab.url, joinCode, 'Otto');
    // Its first line of output says the command runs: the only runner is taken.
    const holder = streamRun(lab.url, { files: {}, command: 'echo holding; sleep 600' });
    await holder.output(/holding/);
    const holding = holder.done;
    const answers = [];
    for (let i = 0; i < 11; i++) answers.push(await submit(lab.url, assignmentId, flooder.cookie, broken()));
    assert.deepEqual(
      answers.map((a) => a.status),
      [...Array(10).fill(202), 429],
    );
    assert.match(answers[10].body.error, /10 submissions waiting to be checked/);
    assert.ok(Number(answers[10].headers.get('retry-after')) > 0);
    const theirs = await submit(lab.url, assignmentId, other.cookie, exerciseFiles.solution());
    assert.equal(theirs.status, 202, 'another learner is not held back by the flood');
    await holding;
    // Turns per learner: Otto's one is graded before most of Flo's ten, although it came after them all.
    const ottoGraded = await waitGraded(lab.url, theirs.body.submissionId, other.cookie);
    assert.equal(ottoGraded.result.status, 'pass');
    const history = await call(lab.url, 'GET', `/api/classes/${classId}/learners/${flooder.learnerId}/submissions`, { cookie: t.cookie });
    const stillPending = history.body.submissions.filter((s: any) => s.pending).length;
    console.log(`# when the other learner's submission was graded, ${stillPending} of the flooder's 10 still waited`);
    assert.ok(stillPending >= 7, `turns: ${stillPending} of 10 still pending`);
    for (const a of answers.slice(0, 10)) assert.equal((await waitGraded(lab.url, a.body.submissionId, flooder.cookie)).result.status, 'error');
  });
});

describe('a grading cut off by a restart', () => {
  const dataDir = newDataDir();
  const servers: LabServer[] = [];
  after(async () => {
    for (const s of servers) await s.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('is graded again at the next start, with the same files; nothing says "interrupted"', async () => {
    // The endless submission holds the only runner for a minute on the first server.
    const first = await startServer({ dataDir, env: { ...SATURATED, PROGRAM_TIMEOUT_MS: '60000', RUN_TIMEOUT_MS: '90000' } });
    servers.push(first);
    const t = await newTeacher(first.url);
    const { classId, joinCode, assignmentId } = await newClass(first.url, t.cookie, [LESSON]);
    const l = [await join(first.url, joinCode, 'Endless'), await join(first.url, joinCode, 'Right'), await join(first.url, joinCode, 'Wrong')];
    const files = [exerciseFiles.endless(), exerciseFiles.solution(), exerciseFiles.wrong()];
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const a = await submit(first.url, assignmentId, l[i].cookie, files[i]);
      assert.equal(a.status, 202);
      ids.push(a.body.submissionId);
      // The endless one first: its grading starts and takes the runner before the others queue.
      if (i === 0) {
        await waitFor(
          async () => (await postRun(first.url, { files: {}, command: 'true' })).status === 429,
          'the endless grading to take the only runner (a command is refused)',
          { timeoutMs: 60_000 },
        );
      }
    }
    for (let i = 0; i < 3; i++) assert.equal((await call(first.url, 'GET', `/api/submissions/${ids[i]}`, { cookie: l[i].cookie })).body.pending, true);
    await first.kill();

    const second = await startServer({ dataDir, env: { ...OPEN_LIMITS, PROGRAM_TIMEOUT_MS: '3000' } });
    servers.push(second);
    assert.match(second.output(), /3 submissions were waiting for their grade when the server stopped; they are queued to be graded again/);
    const expected = ['error', 'pass', 'fail'];
    for (let i = 0; i < 3; i++) {
      const s = await waitGraded(second.url, ids[i], l[i].cookie);
      assert.equal(s.result.status, expected[i], JSON.stringify(s.result));
      assert.deepEqual(s.files, files[i]);
      assert.doesNotMatch(JSON.stringify(s.result), /interrupted/);
    }
    assert.match((await waitGraded(second.url, ids[0], t.cookie)).result.message, /time limit/);
    const grid = await call(second.url, 'GET', `/api/classes/${classId}/results`, { cookie: t.cookie });
    assert.deepEqual(
      grid.body.rows.map((r: any) => r.cells[0].status),
      expected,
    );
  });
});

describe('the teacher edits, archives and deletes; history; event streams', () => {
  let lab: LabServer;
  before(async () => {
    lab = await startServer({ env: OPEN_LIMITS });
  });
  after(() => lab?.stop());

  test('rename and archive a class: archived takes no joins and no submissions; restored, it does again', async () => {
    const t = await newTeacher(lab.url);
    const { classId, joinCode, assignmentId } = await newClass(lab.url, t.cookie, [LESSON]);
    const l = await join(lab.url, joinCode, 'Ada');
    const events = await openEvents(lab.url, `/api/classes/${classId}/events`, t.cookie);
    const patch = (body: unknown, cookie = t.cookie) => call(lab.url, 'PATCH', `/api/classes/${classId}`, { cookie, body });

    const renamed = await patch({ name: '  Year 9  ' });
    assert.equal(renamed.status, 200);
    assert.deepEqual([renamed.body.name, renamed.body.archived], ['Year 9', false]);
    await events.next((e) => e.event === 'change' && e.data.what === 'class');
    assert.equal((await patch({})).status, 400);
    assert.equal((await patch({ archived: 'yes' })).status, 400);
    assert.equal((await patch({ name: '' })).status, 400);
    assert.equal((await patch({ name: 'x' }, (await newTeacher(lab.url)).cookie)).status, 404, "another teacher's class");

    assert.equal((await patch({ archived: true })).body.archived, true);
    assert.equal((await call(lab.url, 'POST', '/api/join', { body: { code: joinCode, name: 'Late' } })).status, 404, 'no joins');
    assert.equal((await submit(lab.url, assignmentId, l.cookie, broken())).status, 409, 'no submissions');
    assert.deepEqual((await call(lab.url, 'GET', '/api/me/assignments', { cookie: l.cookie })).body.assignments, []);
    assert.equal((await call(lab.url, 'GET', '/api/classes', { cookie: t.cookie })).body[0].archived, true);

    assert.equal((await patch({ archived: false })).body.archived, false);
    assert.equal((await call(lab.url, 'POST', '/api/join', { body: { code: joinCode, name: 'Late' } })).status, 201, 'the same code works again');
    assert.equal((await submit(lab.url, assignmentId, l.cookie, broken())).status, 202);
    events.close();
  });

  test('edit an assignment: title, due, policy; removing a lesson removes its submissions; archive; delete', async () => {
    const t = await newTeacher(lab.url);
    const { classId, joinCode, assignmentId } = await newClass(lab.url, t.cookie, [LESSON, SECOND_LESSON]);
    const l = await join(lab.url, joinCode, 'Bo');
    const kept = (await submitGraded(lab.url, assignmentId, l.cookie, exerciseFiles.solution())).body.submissionId;
    const path = `/api/classes/${classId}/assignments/${assignmentId}`;
    const patch = (body: unknown) => call(lab.url, 'PATCH', path, { cookie: t.cookie, body });

    const past = new Date(Date.now() - 3_600_000).toISOString();
    const edited = await patch({ title: 'Week 2', due: past, latePolicy: 'mark' });
    assert.equal(edited.status, 200, JSON.stringify(edited.body));
    assert.deepEqual(
      [edited.body.title, edited.body.due, edited.body.latePolicy, edited.body.lessons, edited.body.removedSubmissions],
      ['Week 2', past, 'mark', [LESSON, SECOND_LESSON], 0],
    );
    assert.equal((await call(lab.url, 'GET', `/api/classes/${classId}/results`, { cookie: t.cookie })).body.columns[0].assignmentTitle, 'Week 2');
    assert.equal((await patch({ due: null })).body.due, null);
    assert.equal((await patch({ latePolicy: 'sometimes' })).status, 400);
    assert.equal((await patch({ lessons: [] })).status, 400);
    assert.equal((await call(lab.url, 'PATCH', `/api/classes/${classId}/assignments/nope`, { cookie: t.cookie, body: { title: 'x' } })).status, 404);

    // Reordered, one removed, one added: kept lessons keep their submissions.
    const removed = await patch({ lessons: [SECOND_LESSON, LESSON] });
    assert.deepEqual([removed.body.lessons, removed.body.removedSubmissions], [[SECOND_LESSON, LESSON], 0]);
    assert.equal((await call(lab.url, 'GET', `/api/submissions/${kept}`, { cookie: t.cookie })).status, 200);
    const dropped = await patch({ lessons: [SECOND_LESSON] });
    assert.equal(dropped.body.removedSubmissions, 1);
    assert.equal((await call(lab.url, 'GET', `/api/submissions/${kept}`, { cookie: t.cookie })).status, 404, 'its submissions went with the lesson');

    assert.equal((await patch({ archived: true })).body.archived, true);
    assert.deepEqual((await call(lab.url, 'GET', '/api/me/assignments', { cookie: l.cookie })).body.assignments, [], 'hidden from learners');
    assert.equal((await submit(lab.url, assignmentId, l.cookie, broken(), SECOND_LESSON)).status, 409);
    assert.equal((await call(lab.url, 'GET', `/api/classes/${classId}/results`, { cookie: t.cookie })).body.columns[0].archived, true, 'kept for the teacher');
    assert.equal((await patch({ archived: false })).body.archived, false);

    assert.equal((await call(lab.url, 'DELETE', path, { cookie: t.cookie })).status, 204);
    assert.equal((await call(lab.url, 'DELETE', path, { cookie: t.cookie })).status, 404);
    assert.deepEqual((await call(lab.url, 'GET', `/api/classes/${classId}/results`, { cookie: t.cookie })).body.columns, []);
  });

  test('delete a class: its grids are told and closed; learners, submissions and sessions are gone', async () => {
    const t = await newTeacher(lab.url);
    const { classId, joinCode, assignmentId } = await newClass(lab.url, t.cookie, [LESSON]);
    const l = await join(lab.url, joinCode, 'Cy');
    const s = (await submitGraded(lab.url, assignmentId, l.cookie, broken())).body.submissionId;
    const events = await openEvents(lab.url, `/api/classes/${classId}/events`, t.cookie);
    assert.equal((await call(lab.url, 'DELETE', `/api/classes/${classId}`, { cookie: t.cookie, headers: { origin: 'https://evil.example' } })).status, 403);
    assert.equal((await call(lab.url, 'DELETE', `/api/classes/${classId}`, { cookie: (await newTeacher(lab.url)).cookie })).status, 404);
    assert.equal((await call(lab.url, 'DELETE', `/api/classes/${classId}`, { cookie: t.cookie })).status, 204);
    await events.next((e) => e.event === 'deleted');
    await events.ended;
    assert.equal((await call(lab.url, 'GET', `/api/classes/${classId}`, { cookie: t.cookie })).status, 404);
    assert.equal((await call(lab.url, 'GET', `/api/submissions/${s}`, { cookie: t.cookie })).status, 404);
    assert.equal((await call(lab.url, 'GET', '/api/me/assignments', { cookie: l.cookie })).status, 401, 'the learner is gone with the class');
  });

  test("history: a learner's submissions newest first with results, filtered; the teacher's own classes only", async () => {
    const t = await newTeacher(lab.url);
    const { classId, joinCode, assignmentId } = await newClass(lab.url, t.cookie, [LESSON, SECOND_LESSON]);
    const l = await join(lab.url, joinCode, 'Dee');
    const a = (await submitGraded(lab.url, assignmentId, l.cookie, broken())).body.submissionId;
    const b = (await submitGraded(lab.url, assignmentId, l.cookie, exerciseFiles.solution())).body.submissionId;
    const h = await call(
      lab.url,
      'GET',
      `/api/classes/${classId}/learners/${l.learnerId}/submissions?assignmentId=${assignmentId}&lesson=${encodeURIComponent(LESSON)}`,
      { cookie: t.cookie },
    );
    assert.equal(h.status, 200);
    assert.deepEqual([h.body.name, h.body.truncated], ['Dee', false]);
    assert.deepEqual(
      h.body.submissions.map((s: any) => [s.id, s.result.status, s.files]),
      [
        [b, 'pass', undefined],
        [a, 'error', undefined],
      ],
    );
    assert.ok(Date.parse(h.body.submissions[0].createdAt) >= Date.parse(h.body.submissions[1].createdAt));
    const other = await call(lab.url, 'GET', `/api/classes/${classId}/learners/${l.learnerId}/submissions?lesson=${encodeURIComponent(SECOND_LESSON)}`, {
      cookie: t.cookie,
    });
    assert.deepEqual(other.body.submissions, []);
    assert.equal((await call(lab.url, 'GET', `/api/classes/${classId}/learners/nope/submissions`, { cookie: t.cookie })).status, 404);
    assert.equal(
      (await call(lab.url, 'GET', `/api/classes/${classId}/learners/${l.learnerId}/submissions`, { cookie: (await newTeacher(lab.url)).cookie })).status,
      404,
    );
    assert.equal((await call(lab.url, 'GET', `/api/classes/${classId}/learners/${l.learnerId}/submissions`, { cookie: l.cookie })).status, 401);
  });

  test("event streams: signed-in owners only, at most 4 per teacher; a graded submission's stream tells and ends", async () => {
    const t = await newTeacher(lab.url);
    const { classId, joinCode, assignmentId } = await newClass(lab.url, t.cookie, [LESSON]);
    const l = await join(lab.url, joinCode, 'Eve');
    assert.equal((await call(lab.url, 'GET', `/api/classes/${classId}/events`)).status, 401);
    assert.equal((await call(lab.url, 'GET', `/api/classes/${classId}/events`, { cookie: (await newTeacher(lab.url)).cookie })).status, 404);
    const streams = [];
    for (let i = 0; i < 4; i++) streams.push(await openEvents(lab.url, `/api/classes/${classId}/events`, t.cookie));
    assert.deepEqual(
      streams.map((s) => s.status),
      [200, 200, 200, 200],
    );
    const fifth = await openEvents(lab.url, `/api/classes/${classId}/events`, t.cookie);
    assert.equal(fifth.status, 429);
    streams.pop()!.close();
    // The server sees the close when the connection ends: ask until the place is back.
    const again = await waitFor(async () => {
      const s = await openEvents(lab.url, `/api/classes/${classId}/events`, t.cookie);
      return s.status === 200 ? s : null;
    }, "the closed stream's place to be free");
    assert.equal(again.status, 200, 'a closed stream frees its place');

    // A learner joining is news for the grid.
    await join(lab.url, joinCode, 'Fay');
    await again.next((e) => e.event === 'change' && e.data.what === 'learners');

    const s = (await submitGraded(lab.url, assignmentId, l.cookie, broken())).body.submissionId;
    const watch = await openEvents(lab.url, `/api/submissions/${s}/events`, l.cookie);
    const only = await watch.next((e) => e.event === 'submission');
    await watch.ended;
    assert.deepEqual([only.data.pending, only.data.result.status], [undefined, 'error']);
    const stranger = await join(lab.url, joinCode, 'Gus');
    assert.equal((await openEvents(lab.url, `/api/submissions/${s}/events`, stranger.cookie)).status, 404);
    for (const x of [...streams, again]) x.close();
  });
});
