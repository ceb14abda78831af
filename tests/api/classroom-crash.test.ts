/**
 * Acknowledged means durable: a burst of submissions, the server SIGKILLed
 * while some are acknowledged and others are still being graded, a new
 * server on the same data directory, and every acknowledged submission is
 * there with the result that was acknowledged. Submissions that were stored
 * but not graded come back as errors ("interrupted"), and a regrade grades them.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { newDataDir, startServer, type LabServer } from '../helpers/server.ts';
import { call, exerciseFiles, join, LESSON, newClass, newTeacher } from '../helpers/classroom.ts';

const SUBMISSIONS = 12;
const CONCURRENT = 3;
/** Kill the server once this many submissions are acknowledged (the rest are in flight or not sent yet). */
const KILL_AFTER = 4;

const dataDir = newDataDir();
const servers: LabServer[] = [];
after(async () => {
  for (const s of servers) await s.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('every acknowledged submission survives a SIGKILL of the server, with its result', async () => {
  // All requests come from 127.0.0.1: let one address run CONCURRENT at once, and sign up and join freely.
  const env = { SIGN_IN_BURST: '1000', CODE_ATTEMPTS_BURST: '1000', API_REQUESTS_BURST: '100000', MAX_COMMANDS_PER_LEARNER: String(SUBMISSIONS) };
  const first = await startServer({ dataDir, env });
  servers.push(first);
  const t = await newTeacher(first.url);
  const { classId, joinCode, assignmentId } = await newClass(first.url, t.cookie, [LESSON]);
  const learners: Array<Awaited<ReturnType<typeof join>>> = [];
  for (let i = 0; i < SUBMISSIONS; i++) learners.push(await join(first.url, joinCode, `learner ${i}`));

  const acked: Array<{ id: string; status: string; learner: number; ms: number }> = [];
  let killed = false;
  let next = 0;
  const worker = async () => {
    while (next < SUBMISSIONS && !killed) {
      const i = next++;
      // Odd learners submit wrong code: the results to find differ.
      const files = i % 2 ? exerciseFiles.wrong() : exerciseFiles.solution();
      const started = Date.now();
      try {
        const a = await call(first.url, 'POST', `/api/assignments/${assignmentId}/submissions`, { cookie: learners[i].cookie, body: { lesson: LESSON, files } });
        assert.equal(a.status, 200, JSON.stringify(a.body));
        acked.push({ id: a.body.submissionId, status: a.body.status, learner: i, ms: Date.now() - started });
        if (acked.length >= KILL_AFTER && !killed) {
          killed = true;
          await first.kill();
        }
      } catch (err) {
        if (!killed) throw err; // after the kill, requests in flight fail: that is the point
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENT }, worker));
  assert.ok(killed, 'the server was killed mid-burst');
  assert.ok(acked.length >= KILL_AFTER && acked.length < SUBMISSIONS, `acknowledged ${acked.length} of ${SUBMISSIONS}`);
  console.log(`# acknowledged before the kill: ${acked.length}; latency ${acked.map((a) => a.ms).join(', ')} ms (${CONCURRENT} at a time)`);

  const second = await startServer({ dataDir, env });
  servers.push(second);
  for (const a of acked) {
    // The learner's cookie (its session is in the database too) and the teacher's both find it.
    const s: { status: number; body: any } = await call(second.url, 'GET', `/api/submissions/${a.id}`, { cookie: learners[a.learner].cookie });
    assert.equal(s.status, 200, `submission ${a.id} of learner ${a.learner}`);
    assert.equal(s.body.result.status, a.status);
    assert.equal(s.body.result.status, a.learner % 2 ? 'fail' : 'pass');
    assert.equal(s.body.pending, undefined);
    assert.equal((await call(second.url, 'GET', `/api/submissions/${a.id}`, { cookie: t.cookie })).status, 200);
  }

  // Stored but not graded when the server died: errors now, never pending, never a fail.
  const grid = await call(second.url, 'GET', `/api/classes/${classId}/results`, { cookie: t.cookie });
  const cells = grid.body.rows.map((r: any) => r.cells[0]);
  const ackedIds = new Set(acked.map((a) => a.id));
  const interrupted = cells.filter((c: any) => c.submissionId && !ackedIds.has(c.submissionId));
  assert.ok(interrupted.length >= 1, 'submissions in flight at the kill were stored before grading');
  for (const c of interrupted) {
    assert.equal(c.status, 'error');
    const s = await call(second.url, 'GET', `/api/submissions/${c.submissionId}`, { cookie: t.cookie });
    assert.match(s.body.result.message, /interrupted/);
  }
  assert.match(second.output(), new RegExp(`${interrupted.length} submissions were being graded when the server stopped`));
  console.log(`# stored but interrupted: ${interrupted.length}; never stored: ${SUBMISSIONS - acked.length - interrupted.length}`);

  // A regrade grades the interrupted ones for real.
  const r = await call(second.url, 'POST', `/api/classes/${classId}/regrade`, { cookie: t.cookie, body: {} });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body, { regraded: acked.length + interrupted.length, changed: interrupted.length, errors: 0 });
  const regraded = (await call(second.url, 'GET', `/api/classes/${classId}/results`, { cookie: t.cookie })).body;
  assert.equal(regraded.columns[0].counts.error, 0);
});
