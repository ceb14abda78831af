/**
 * Acknowledged means durable: a burst of submissions (each answered 202 at
 * once, stored as pending), the server SIGKILLed while some are graded, one
 * or two are being graded and the rest wait, a new server on the same data
 * directory, and every acknowledged submission is there: the graded ones with
 * the grade the learner was told, the others graded again at the start
 * (never stored as "interrupted", never as a fail that is not the code's).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { newDataDir, startServer, type LabServer } from '../helpers/server.ts';
import { call, exerciseFiles, join, LESSON, newClass, newTeacher, submit, waitGraded } from '../helpers/classroom.ts';

const SUBMISSIONS = 12;
/** Kill the server once this many submissions are graded (the rest are being graded or wait). */
const KILL_AFTER = 4;

const dataDir = newDataDir();
const servers: LabServer[] = [];
after(async () => {
  for (const s of servers) await s.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('every acknowledged submission survives a SIGKILL of the server, and is graded', async () => {
  // All requests come from 127.0.0.1: sign up and join freely.
  const env = { SIGN_IN_BURST: '1000', CODE_ATTEMPTS_BURST: '1000', API_REQUESTS_BURST: '100000' };
  const first = await startServer({ dataDir, env });
  servers.push(first);
  const t = await newTeacher(first.url);
  const { classId, joinCode, assignmentId } = await newClass(first.url, t.cookie, [LESSON]);
  const learners: Array<Awaited<ReturnType<typeof join>>> = [];
  for (let i = 0; i < SUBMISSIONS; i++) learners.push(await join(first.url, joinCode, `learner ${i}`));

  // Odd learners submit wrong code: the results to find differ.
  const expected = (i: number) => (i % 2 ? 'fail' : 'pass');
  const ids: string[] = [];
  const started = Date.now();
  for (let i = 0; i < SUBMISSIONS; i++) {
    const a = await submit(first.url, assignmentId, learners[i].cookie, i % 2 ? exerciseFiles.wrong() : exerciseFiles.solution());
    assert.equal(a.status, 202, JSON.stringify(a.body));
    ids.push(a.body.submissionId);
  }
  console.log(`# ${SUBMISSIONS} submissions acknowledged in ${Date.now() - started} ms`);

  // Wait until KILL_AFTER are graded, remembering what each learner was told.
  const told = new Map<number, unknown>();
  while (told.size < KILL_AFTER) {
    for (let i = 0; i < SUBMISSIONS; i++) {
      if (told.has(i)) continue;
      const s = await call(first.url, 'GET', `/api/submissions/${ids[i]}`, { cookie: learners[i].cookie });
      if (!s.body.pending) told.set(i, s.body.result);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await first.kill();
  assert.ok(told.size < SUBMISSIONS, `killed with ${SUBMISSIONS - told.size} not graded`);

  const second = await startServer({ dataDir, env });
  servers.push(second);
  const requeued = Number(/(\d+) submissions were waiting for their grade/.exec(second.output())?.[1] ?? 0);
  assert.ok(requeued >= 1 && requeued <= SUBMISSIONS - told.size, `requeued ${requeued}`);
  console.log(`# graded before the kill: ${told.size}; queued again at the start: ${requeued}`);
  for (let i = 0; i < SUBMISSIONS; i++) {
    // The learner's cookie (its session is in the database too) and the teacher's both find it.
    const s = await waitGraded(second.url, ids[i], learners[i].cookie);
    assert.equal(s.result.status, expected(i), `learner ${i}: ${JSON.stringify(s.result)}`);
    if (told.has(i)) assert.deepEqual(s.result, told.get(i), 'a grade the learner was told stays as it was');
    assert.doesNotMatch(JSON.stringify(s.result), /interrupted/);
    assert.equal((await call(second.url, 'GET', `/api/submissions/${ids[i]}`, { cookie: t.cookie })).status, 200);
  }
  const grid = (await call(second.url, 'GET', `/api/classes/${classId}/results`, { cookie: t.cookie })).body;
  assert.deepEqual([grid.columns[0].counts, grid.columns[0].pending], [{ pass: SUBMISSIONS / 2, fail: SUBMISSIONS / 2, error: 0, 'not-started': 0 }, 0]);
});
