/** Fairness (server/fairness/): token buckets, and admission's slots, queue and per-learner and per-address shares. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBuckets } from '../../../server/fairness/token-bucket.ts';
import { Admission, Busy } from '../../../server/fairness/admission.ts';

test('token buckets: a burst, then the refill rate, per key', () => {
  const b = new TokenBuckets(3, 1);
  const t0 = 1_000_000;
  assert.deepEqual(
    [1, 2, 3, 4].map(() => b.take('a', 1, t0)),
    [true, true, true, false],
  );
  assert.equal(b.take('b', 1, t0), true, 'another key has its own bucket');
  assert.equal(b.take('a', 1, t0 + 500), false);
  assert.equal(b.take('a', 1, t0 + 1000), true, 'one token per second comes back');
  assert.equal(b.take('a', 1, t0 + 1000 + 60_000), true);
  assert.ok(b.waitSeconds('a', 3) >= 1);
});

test('admission: slots, then a FIFO queue, then Busy; per-learner share', async () => {
  const adm = new Admission({ slots: 1, maxQueued: 2, perLearner: 2 });
  const r1 = await adm.enter('x');
  const positions: number[] = [];
  const order: string[] = [];
  const p2 = adm
    .enter('y', (p) => positions.push(p))
    .then((r) => {
      order.push('y');
      return r;
    });
  const p3 = adm
    .enter('z', (p) => positions.push(p))
    .then((r) => {
      order.push('z');
      return r;
    });
  assert.deepEqual(positions, [1, 2]);
  assert.throws(
    () => adm.enter('w'),
    (e: unknown) =>
      e instanceof Busy && /the lab is full right now: 2 commands are waiting; try again in about \d+ s/.test(e.message) && e.retryAfterSeconds > 0,
  );
  r1();
  (await p2)();
  (await p3)();
  assert.deepEqual(order, ['y', 'z']);
  assert.equal(adm.running, 0);
  assert.equal(adm.queued, 0);
});

test('admission: one learner cannot take more than their share', async () => {
  const adm = new Admission({ slots: 4, maxQueued: 10, perLearner: 2 });
  const a = await adm.enter('flood');
  const b = await adm.enter('flood');
  assert.throws(() => adm.enter('flood'), /you already have 2 commands running or waiting/);
  const other = await adm.enter('someone else');
  other();
  a();
  (await adm.enter('flood'))();
  b();
});

test('admission: leaving the queue frees the place', async () => {
  const adm = new Admission({ slots: 1, maxQueued: 1, perLearner: 5 });
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
  const adm = new Admission({ slots: 3, maxQueued: 10, perLearner: 2, reserved: 1 });
  const a1 = await adm.enter('attacker-a');
  const b1 = await adm.enter('attacker-b');
  let a2Started = false;
  const a2 = adm.enter('attacker-a').then((r) => {
    a2Started = true;
    return r;
  });
  await new Promise((r) => setImmediate(r)); // every promise settled that could
  assert.equal(a2Started, false, 'a client with a command running cannot take the reserved slot');
  const newcomer = await Promise.race([adm.enter('newcomer'), new Promise((r) => setImmediate(() => r('waited')))]);
  assert.equal(typeof newcomer, 'function', 'the newcomer starts at once');
  (newcomer as () => void)();
  a1();
  (await a2)();
  b1();
});

test('admission: the queue serves clients with nothing running first', async () => {
  const adm = new Admission({ slots: 2, maxQueued: 10, perLearner: 3, reserved: 0 });
  const b1 = await adm.enter('busy');
  const b2 = await adm.enter('busy');
  const order: string[] = [];
  const b3 = adm.enter('busy').then((r) => {
    order.push('busy');
    return r;
  });
  const fresh = adm.enter('fresh').then((r) => {
    order.push('fresh');
    return r;
  });
  b1();
  (await fresh)();
  b2();
  (await b3)();
  assert.deepEqual(order, ['fresh', 'busy']);
});

const at = (learner: string, address: string) => ({ learner, address });

test('admission: learners behind one address each have their own share; the address only a backstop', async () => {
  const adm = new Admission({ slots: 2, maxQueued: 40, perLearner: 2, perAddress: 30 });
  // 30 learners of one school each press once: nobody is refused, 28 wait.
  const entered = Array.from({ length: 30 }, (_, i) => adm.enter(at(`l${i}`, 'school')));
  assert.equal(adm.running, 2);
  assert.equal(adm.queued, 28);
  // The 31st place from that address is the backstop's; another address still gets in.
  assert.throws(
    () => adm.enter(at('l30', 'school')),
    (e: unknown) => e instanceof Busy && /too many commands from your network/.test(e.message),
  );
  const other = adm.enter(at('home', 'elsewhere'));
  for (const p of entered) (await p)();
  (await other)();
  assert.equal(adm.running, 0);
  assert.equal(adm.queued, 0);
});

test('admission: the next slot goes to the address with the fewest commands running', async () => {
  const adm = new Admission({ slots: 2, maxQueued: 40, perLearner: 5, perAddress: 40, reserved: 0 });
  const f1 = await adm.enter(at('a1', 'flood'));
  const f2 = await adm.enter(at('a2', 'flood'));
  const order: string[] = [];
  const floods = Array.from({ length: 5 }, (_, i) =>
    adm.enter(at(`a${i + 3}`, 'flood')).then((r) => {
      order.push('flood');
      return r;
    }),
  );
  const school = adm.enter(at('s1', 'school')).then((r) => {
    order.push('school');
    return r;
  });
  f1();
  (await school)();
  f2();
  for (const p of floods) (await p)();
  assert.equal(order[0], 'school', `the school's command started first: ${order.join(', ')}`);
});

test('admission: a waiting command is told its position as it moves up', async () => {
  const adm = new Admission({ slots: 1, maxQueued: 10, perLearner: 5, reserved: 0 });
  const r1 = await adm.enter('a');
  const positions: number[] = [];
  const p2 = adm.enter('b');
  const p3 = adm.enter('c', (p) => positions.push(p));
  assert.deepEqual(positions, [2]);
  r1();
  assert.deepEqual(positions, [2, 1]);
  (await p2)();
  (await p3)();
});

test('admission: a command that lost its CPU priority gives its slot to the queue', async () => {
  const adm = new Admission({ slots: 1, maxQueued: 4, perLearner: 2, reserved: 0, backgroundSlots: 1 });
  const busyLoop = await adm.enter('attacker');
  let started = false;
  const newcomer = adm.enter('newcomer').then((r) => {
    started = true;
    return r;
  });
  await Promise.resolve();
  assert.equal(started, false, 'the only slot is taken');
  assert.equal(busyLoop.toBackground(), true);
  const r = await newcomer;
  assert.equal(started, true, 'the newcomer starts without waiting for the busy loop to end');
  assert.equal(adm.running, 1);
  assert.equal(adm.background, 1);
  // A second long command finds the background full: it keeps its slot, nobody else starts.
  assert.equal(r.toBackground(), false);
  let third = false;
  const p3 = adm.enter('third').then((x) => {
    third = true;
    return x;
  });
  await Promise.resolve();
  assert.equal(third, false);
  // Ending the background one frees its place, not a slot; ending the other starts the third.
  busyLoop();
  busyLoop();
  assert.equal(adm.background, 0);
  assert.equal(adm.running, 1);
  assert.equal(third, false);
  r();
  (await p3)();
  assert.equal(adm.running, 0);
});

test('admission: the background adds no places for a learner or an address', async () => {
  const adm = new Admission({ slots: 2, maxQueued: 4, perLearner: 2, perAddress: 3, reserved: 0, backgroundSlots: 4 });
  const at = (learner: string) => ({ learner, address: 'a' });
  const held = [await adm.enter(at('l1')), await adm.enter(at('l1'))];
  for (const r of held) assert.equal(r.toBackground(), true);
  assert.throws(
    () => adm.enter(at('l1')),
    (e: unknown) => e instanceof Busy && /already have 2 commands/.test(e.message),
  );
  const third = await adm.enter(at('l2'));
  assert.throws(
    () => adm.enter(at('l3')),
    (e: unknown) => e instanceof Busy && /too many commands from your network/.test(e.message),
  );
  assert.equal(third.toBackground(), true);
  assert.equal(third.toBackground(), true, 'asking again changes nothing');
  assert.equal(adm.background, 3);
  for (const r of [...held, third]) r();
  assert.equal(adm.background, 0);
  assert.equal(adm.running, 0);
});

test('admission: without background places a long command keeps its slot (the old rule)', async () => {
  const adm = new Admission({ slots: 1, maxQueued: 4, perLearner: 2, reserved: 0 });
  const r = await adm.enter('x');
  assert.equal(r.toBackground(), false);
  assert.equal(adm.running, 1);
  r();
});
