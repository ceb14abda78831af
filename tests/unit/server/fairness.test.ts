import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBuckets } from '../../../server/fairness/token-bucket.ts';
import { Admission, Busy } from '../../../server/fairness/admission.ts';

test('token buckets: a burst, then the refill rate, per key', () => {
  const b = new TokenBuckets(3, 1);
  const t0 = 1_000_000;
  assert.deepEqual([1, 2, 3, 4].map(() => b.take('a', 1, t0)), [true, true, true, false]);
  assert.equal(b.take('b', 1, t0), true, 'another key has its own bucket');
  assert.equal(b.take('a', 1, t0 + 500), false);
  assert.equal(b.take('a', 1, t0 + 1000), true, 'one token per second comes back');
  assert.equal(b.take('a', 1, t0 + 1000 + 60_000), true);
  assert.ok(b.waitSeconds('a', 3) >= 1);
});

test('admission: slots, then a FIFO queue, then Busy; per-client share', async () => {
  const adm = new Admission({ slots: 1, maxQueued: 2, perClient: 2 });
  const r1 = await adm.enter('x');
  const positions: number[] = [];
  const order: string[] = [];
  const p2 = adm.enter('y', (p) => positions.push(p)).then((r) => { order.push('y'); return r; });
  const p3 = adm.enter('z', (p) => positions.push(p)).then((r) => { order.push('z'); return r; });
  assert.deepEqual(positions, [1, 2]);
  assert.throws(() => adm.enter('w'), (e: unknown) => e instanceof Busy && /queue is full/.test(e.message) && e.retryAfterSeconds > 0);
  r1();
  (await p2)();
  (await p3)();
  assert.deepEqual(order, ['y', 'z']);
  assert.equal(adm.running, 0);
  assert.equal(adm.queued, 0);
});

test('admission: one client cannot take more than its share', async () => {
  const adm = new Admission({ slots: 4, maxQueued: 10, perClient: 2 });
  const a = await adm.enter('flood');
  const b = await adm.enter('flood');
  assert.throws(() => adm.enter('flood'), /too many commands at once from your address/);
  const other = await adm.enter('someone else');
  other();
  a();
  (await adm.enter('flood'))();
  b();
});

test('admission: leaving the queue frees the place', async () => {
  const adm = new Admission({ slots: 1, maxQueued: 1, perClient: 5 });
  const r = await adm.enter('a');
  const abort = new AbortController();
  const waiting = adm.enter('b', undefined, abort.signal);
  abort.abort();
  await assert.rejects(waiting, /cancelled/);
  assert.equal(adm.queued, 0);
  const again = adm.enter('c');
  r();
  (await again)();
});

test('admission: a reserved slot lets a newcomer start while busy clients wait', async () => {
  const adm = new Admission({ slots: 3, maxQueued: 10, perClient: 2, reserved: 1 });
  const a1 = await adm.enter('attacker-a');
  const b1 = await adm.enter('attacker-b');
  let a2Started = false;
  const a2 = adm.enter('attacker-a').then((r) => { a2Started = true; return r; });
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(a2Started, false, 'a client with a command running cannot take the reserved slot');
  const newcomer = await Promise.race([adm.enter('newcomer'), new Promise((r) => setTimeout(() => r('waited'), 50))]);
  assert.equal(typeof newcomer, 'function', 'the newcomer starts at once');
  (newcomer as () => void)();
  a1();
  (await a2)();
  b1();
});

test('admission: the queue serves clients with nothing running first', async () => {
  const adm = new Admission({ slots: 2, maxQueued: 10, perClient: 3, reserved: 0 });
  const b1 = await adm.enter('busy');
  const b2 = await adm.enter('busy');
  const order: string[] = [];
  const b3 = adm.enter('busy').then((r) => { order.push('busy'); return r; });
  const fresh = adm.enter('fresh').then((r) => { order.push('fresh'); return r; });
  b1();
  (await fresh)();
  b2();
  (await b3)();
  assert.deepEqual(order, ['fresh', 'busy']);
});
