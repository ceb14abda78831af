/** The launcher (server/sandbox/launcher.ts) that joins cgroups, sets rlimits and drops to the sandbox uid before bwrap, and naming the limit that stopped a command. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from '../../../server/sandbox/launcher.ts';
import { explainExit, bytes } from '../../../server/sandbox/sandbox.ts';

const rlimits = { openFiles: 1024, fileSizeBytes: 64 << 20 };
const procs = ['/cg/memory/x/cgroup.procs', '/cg/pids/x/cgroup.procs'];

test('v1: spawned as the sandbox uid; the shell joins the cgroups and sets rlimits, then bwrap', () => {
  const { argv, spawnAs } = launch({ cgroupProcs: procs, rlimits, hostUser: { uid: 61007, gid: 61007 }, dropAfterJoin: false }, [
    '--unshare-all',
    '--',
    'true',
  ]);
  assert.deepEqual(spawnAs, { uid: 61007, gid: 61007 });
  assert.equal(argv[0], '/bin/sh');
  const rest = argv.slice(4);
  assert.deepEqual(rest, ['2', ...procs, '1024', String((64 << 20) / 512), 'bwrap', '--unshare-all', '--', 'true']);
  assert.equal(argv.includes('setpriv'), false);
});

test('v2: the shell joins as root, then setpriv drops to the uid before bwrap', () => {
  const { argv, spawnAs } = launch({ cgroupProcs: procs, rlimits, hostUser: { uid: 61007, gid: 61007 }, dropAfterJoin: true }, ['--', 'true']);
  assert.equal(spawnAs, null);
  const at = (w: string) => argv.indexOf(w);
  assert.deepEqual(argv.slice(at('setpriv'), at('bwrap')), ['setpriv', '--reuid', '61007', '--regid', '61007', '--clear-groups', '--']);
});

test('the launcher script really joins, limits and execs (run with no cgroups)', async () => {
  const { execFileSync } = await import('node:child_process');
  const { argv } = launch({ cgroupProcs: [], rlimits: { openFiles: 77, fileSizeBytes: 512 * 1000 }, hostUser: null, dropAfterJoin: false }, []);
  // Replace bwrap by a shell that reports its limits.
  const i = argv.indexOf('bwrap');
  const out = execFileSync(argv[0], [...argv.slice(1, i), '/bin/sh', '-c', 'ulimit -n; ulimit -f; ulimit -c'], { encoding: 'utf8' });
  assert.equal(out, '77\n1000\n0\n');
});

test("the kernel's counters name the limit that stopped a command", () => {
  const limits = { memoryBytes: 1 << 30, tasks: 256, cpuCores: 1, diskQuotaBytes: 128 << 20, program: { memoryBytes: 256 << 20, tasks: 128 }, ...rlimits };
  const none = { oomKills: 0, pidsMaxHits: 0 };
  // Hits while the program's limits were in force name those; others the command's (the build's).
  assert.deepEqual(explainExit(137, null, { ...none, oomKills: 1 }, limits), { reason: 'oom', message: 'out of memory (1 GiB limit)' });
  assert.deepEqual(explainExit(137, null, { ...none, oomKills: 1 }, limits, { oomKills: 1, pidsMaxHits: 0 }), {
    reason: 'oom',
    message: 'out of memory (256 MiB limit)',
  });
  assert.deepEqual(explainExit(2, null, { ...none, pidsMaxHits: 3 }, limits), { reason: 'pids', message: 'too many processes (limit 256)' });
  assert.deepEqual(explainExit(2, null, { ...none, pidsMaxHits: 3 }, limits, { oomKills: 0, pidsMaxHits: 2 }), {
    reason: 'pids',
    message: 'too many processes (limit 128)',
  });
  assert.equal(explainExit(0, null, { ...none, pidsMaxHits: 3 }, limits).reason, 'exited', 'a command that survived its failed forks ended by itself');
  assert.equal(explainExit(153, null, none, limits).reason, 'disk');
  assert.deepEqual(explainExit(1, null, none, limits), { reason: 'exited' });
  assert.equal(bytes(1 << 30), '1 GiB');
  assert.equal(bytes(1 << 20), '1 MiB');
});
