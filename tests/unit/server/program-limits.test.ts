/** go run's program under tighter limits than the build (server/sandbox/program-limits.ts): when the window opens and closes, and whose limit hits are whose. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgramLimiter } from '../../../server/sandbox/program-limits.ts';
import type { CgroupUsage, CommandCgroup } from '../../../server/sandbox/cgroup.ts';
import type { RelayEvent } from '../../../server/phases/relay.ts';

/** A cgroup that records what the limiter asks of it; its counters are set by the test. */
function fakeCgroup() {
  const calls: string[] = [];
  const counters: CgroupUsage = { oomKills: 0, pidsMaxHits: 0 };
  const cgroup = {
    async usage() {
      return { ...counters };
    },
    async tighten() {
      calls.push('tighten');
    },
    async relax() {
      calls.push('relax');
    },
  } as unknown as CommandCgroup;
  return { cgroup, calls, counters };
}

const command = (cmd: number, sub: string): RelayEvent => ({ type: 'command', cmd, argv: ['go', sub, '.'], added: [] });
const run = (cmd: number, state: 'start' | 'end'): RelayEvent => ({ type: 'phase', cmd, phase: 'run', state, t: 1 });
const end = (cmd: number, code = 0): RelayEvent => ({ type: 'command-end', cmd, code });

test("go run: the program runs under the program limits, then the command's come back", async () => {
  const { cgroup, calls } = fakeCgroup();
  const l = new ProgramLimiter(cgroup);
  l.observe(command(1, 'run'));
  l.observe({ type: 'phase', cmd: 1, phase: 'link', state: 'start', t: 1 });
  assert.deepEqual(calls, [], "the build keeps the command's limits");
  l.observe(run(1, 'start'));
  await l.settle();
  assert.deepEqual(calls, ['tighten']);
  l.observe(run(1, 'end'));
  l.observe(end(1));
  await l.settle();
  assert.deepEqual(calls, ['tighten', 'relax'], 'relaxed once');
});

test("hits inside the program window are the program's; hits after it are not", async () => {
  const { cgroup, counters } = fakeCgroup();
  const l = new ProgramLimiter(cgroup);
  l.observe(command(1, 'run'));
  l.observe(run(1, 'start'));
  await l.settle();
  counters.oomKills = 1;
  l.observe(end(1, 1));
  await l.settle();
  counters.pidsMaxHits = 4; // a later command of the same Run (a fork bomb)
  assert.deepEqual(l.programHits({ ...counters }), { oomKills: 1, pidsMaxHits: 0 });
  // A window never closed (the sandbox was killed during the program) runs to the final counters.
  const other = fakeCgroup();
  const k = new ProgramLimiter(other.cgroup);
  k.observe(command(2, 'run'));
  k.observe(run(2, 'start'));
  await k.settle();
  other.counters.pidsMaxHits = 3;
  assert.deepEqual(k.programHits({ ...other.counters }), { oomKills: 0, pidsMaxHits: 3 });
});

test('no program limits for go test, or beside another go command', async () => {
  const { cgroup, calls } = fakeCgroup();
  const l = new ProgramLimiter(cgroup);
  l.observe(command(1, 'test'));
  l.observe(run(1, 'start')); // (go test reports `test`, not `run`; an odd trace changes nothing)
  l.observe(end(1));
  l.observe(command(2, 'run'));
  l.observe(command(3, 'build'));
  l.observe(run(2, 'start'));
  await l.settle();
  assert.deepEqual(calls, [], "a build beside the program keeps the command's room");
  l.observe(end(3));
  l.observe(end(2));
  // Tightened, then another go command starts while the program runs: relaxed at once.
  l.observe(command(4, 'run'));
  l.observe(run(4, 'start'));
  await l.settle();
  l.observe(command(5, 'build'));
  await l.settle();
  assert.deepEqual(calls, ['tighten', 'relax']);
});

test('the sandbox ended: a window still to close is not relaxed and runs to the final counters', async () => {
  const { cgroup, calls, counters } = fakeCgroup();
  const l = new ProgramLimiter(cgroup);
  l.observe(command(1, 'run'));
  l.observe(run(1, 'start'));
  await l.settle();
  counters.oomKills = 1; // the program hits the memory limit
  // The sandbox's end comes before the limiter processed the program's end (the usual order for a Run).
  l.observe(run(1, 'end'));
  l.observe(end(1, 1));
  await l.end();
  assert.deepEqual(calls, ['tighten'], 'no relax of a group about to be removed');
  assert.deepEqual(l.programHits({ ...counters }), { oomKills: 1, pidsMaxHits: 0 });
});

test("a program whose start and end come in one batch ran under the command's limits: nothing to tighten", async () => {
  const { cgroup, calls, counters } = fakeCgroup();
  const l = new ProgramLimiter(cgroup);
  l.observe(command(1, 'run'));
  l.observe(run(1, 'start'));
  l.observe(run(1, 'end'));
  await l.settle();
  assert.deepEqual(calls, []);
  counters.pidsMaxHits = 2;
  l.observe(end(1));
  await l.end();
  assert.deepEqual(l.programHits({ ...counters }), { oomKills: 0, pidsMaxHits: 0 }, "no window: the hits are the command's");
});
