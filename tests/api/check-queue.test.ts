/**
 * POST /api/check while the lab is busy: the streamed form
 * (Accept: application/x-ndjson) tells a waiting check its place in the line
 * as it moves, then `started` and the result; a full line refuses it with 429,
 * words and a Retry-After, and takes it once there is room. The machine has
 * one runner here, held by Runs that sleep until the test lets them go.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckResult } from '../../src/lib/protocol.ts';
import { startServer, type LabServer } from '../helpers/server.ts';
import { newSession } from '../helpers/api.ts';
import { FrameReader, holdRun, queuedAt, running, type HeldRun } from '../helpers/queue.ts';

const CONTENT = join(import.meta.dirname, '..', '..', 'content');
const LESSON = 'go-run/what-go-run-does';
const file = (path: string) => readFileSync(join(CONTENT, LESSON, path), 'utf8');
const SOLUTION = { 'main.go': file('exercise/solution/main.go'), 'go.mod': file('files/go.mod') };
const STARTING = { 'main.go': file('files/main.go'), 'go.mod': file('files/go.mod') };

/** One runner and a line of two: a few held Runs fill the machine. */
// No background places: a held Run would give its slot back after FULL_CPU_WEIGHT_MS (admission.ts).
const QUEUE_LIMITS = { MAX_CONCURRENT_COMMANDS: '1', MAX_BACKGROUND_COMMANDS: '0', MAX_QUEUED_COMMANDS: '2', RUN_TIMEOUT_MS: '600000' };
/** A check that never answers fails its test instead of hanging the suite (the holds sleep for minutes). */
const TEST_TIMEOUT_MS = 180_000;

describe('POST /api/check, streamed, while the lab is busy', { timeout: TEST_TIMEOUT_MS }, () => {
  let lab: LabServer;
  const held: HeldRun[] = [];
  before(async () => {
    lab = await startServer({ env: QUEUE_LIMITS });
  });
  after(async () => {
    for (const h of held) h.letGo();
    await lab?.stop();
  });

  const session = async () => (await newSession(lab.url, LESSON)).cookie;
  const hold = async (cookie: string) => {
    const h = await holdRun(lab.url, cookie);
    held.push(h);
    return h;
  };
  const check = (cookie: string, files: Record<string, string>, accept = 'application/x-ndjson') =>
    fetch(`${lab.url}/api/check`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept, cookie },
      body: JSON.stringify({ lesson: LESSON, files }),
    });

  test('a waiting check hears its place move up the line, then starts and gets its result', async () => {
    const first = await hold(await session());
    await running(first);
    const second = await hold(await session());
    await queuedAt(second, 1);

    const res = await check(await session(), SOLUTION);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/x-ndjson/);
    const frames = new FrameReader(res);
    assert.deepEqual(await frames.next(), { type: 'queued', position: 2 });

    // The Run ahead of it leaves the line: the check moves up.
    second.letGo();
    assert.deepEqual(await frames.next(), { type: 'queued', position: 1 });

    // The runner is free: the check starts, and its result is the last line.
    first.letGo();
    assert.deepEqual(await frames.next(), { type: 'started' });
    const rest = await frames.rest();
    assert.equal(rest.length, 1, JSON.stringify(rest));
    assert.equal(rest[0].type, 'result');
    const result = rest[0].result as CheckResult;
    assert.equal(result.status, 'pass', JSON.stringify(result));
    assert.deepEqual(
      result.tests.map((t) => t.status),
      ['pass', 'pass', 'pass', 'pass', 'pass'],
    );

    const positions = frames.seen.filter((f) => f.type === 'queued').map((f) => f.position);
    assert.deepEqual(positions, [2, 1]);
  });

  test('with a free runner there is no queued line: started, then the result', async () => {
    const frames = new FrameReader(await check(await session(), STARTING));
    const all = await frames.rest();
    assert.deepEqual(
      all.map((f) => f.type),
      ['started', 'result'],
      JSON.stringify(all),
    );
    const result = all[1].result as CheckResult;
    assert.equal(result.status, 'fail');
    assert.deepEqual(
      result.tests.map((t) => t.status),
      ['fail', 'pass', 'fail', 'fail', 'fail'],
    );
  });

  test('a full line refuses a check (both forms) with 429, words and Retry-After; with room it is taken', async () => {
    const running1 = await hold(await session());
    await running(running1);
    const waiting1 = await hold(await session());
    await queuedAt(waiting1, 1);
    const waiting2 = await hold(await session());
    await queuedAt(waiting2, 2);

    const learner = await session();
    for (const accept of ['application/x-ndjson', 'application/json']) {
      const refused = await check(learner, SOLUTION, accept);
      assert.equal(refused.status, 429, accept);
      assert.match(refused.headers.get('content-type') ?? '', /^application\/json/);
      const retry = Number(refused.headers.get('retry-after'));
      assert.ok(Number.isInteger(retry) && retry >= 1, `Retry-After ${refused.headers.get('retry-after')}`);
      assert.match((await refused.json()).error, /the lab is full right now: 2 commands are waiting; try again in about \d+ s/);
    }

    // A place in the line frees up: the same learner's check is taken, and waits its turn.
    waiting1.letGo();
    await queuedAt(waiting2, 1);
    // Other files than before: graded afresh (the same files would be answered from the recent grades at once).
    const frames = new FrameReader(await check(learner, { ...SOLUTION, 'main.go': `${SOLUTION['main.go']}\n// once more\n` }));
    assert.deepEqual(await frames.next(), { type: 'queued', position: 2 });
    running1.letGo();
    waiting2.letGo();
    const last = (await frames.rest()).at(-1);
    assert.equal(last?.type, 'result', JSON.stringify(frames.seen));
  });

  test('without Accept: application/x-ndjson (or with q=0) the answer is one JSON object, as before', async () => {
    for (const accept of ['application/json', '*/*', 'application/x-ndjson;q=0']) {
      const res = await check(await session(), STARTING, accept);
      assert.equal(res.status, 200, accept);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/, accept);
      const result = (await res.json()) as CheckResult;
      assert.equal(result.status, 'fail', accept);
    }
  });
});
