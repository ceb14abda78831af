import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launcherArgv } from '../../../server/sandbox/launcher.ts';
import { explainExit, bytes } from '../../../server/sandbox/sandbox.ts';

const rlimits = { openFiles: 1024, fileSizeBytes: 64 << 20 };

test('limits are in force before bwrap starts: cgroups, then rlimits, then the uid drop', () => {
  const argv = launcherArgv({ cgroupProcs: ['/cg/memory/x/cgroup.procs', '/cg/pids/x/cgroup.procs'], rlimits, hostUser: { uid: 61007, gid: 61007 } }, ['--unshare-all', '--', 'true']);
  const at = (word: string) => argv.indexOf(word);
  assert.equal(argv[0], '/bin/sh');
  assert.ok(argv.includes('/cg/pids/x/cgroup.procs'));
  assert.ok(at('prlimit') < at('setpriv') && at('setpriv') < at('bwrap'));
  assert.ok(argv.includes('--nofile=1024:1024') && argv.includes(`--fsize=${64 << 20}:${64 << 20}`) && argv.includes('--core=0:0'));
  assert.deepEqual(argv.slice(at('setpriv'), at('bwrap')), ['setpriv', '--reuid', '61007', '--regid', '61007', '--clear-groups', '--']);
  assert.deepEqual(argv.slice(at('bwrap')), ['bwrap', '--unshare-all', '--', 'true']);
});

test('without root: no cgroup step, no uid change', () => {
  const argv = launcherArgv({ cgroupProcs: [], rlimits, hostUser: null }, ['--', 'true']);
  assert.equal(argv[0], 'prlimit');
  assert.equal(argv.includes('setpriv'), false);
});

test('the kernel\'s counters name the limit that stopped a command', () => {
  const limits = { memoryBytes: 256 << 20, tasks: 128, cpuCores: 1, ...rlimits };
  const none = { oomKills: 0, pidsMaxHits: 0, memoryPeakBytes: 0 };
  assert.deepEqual(explainExit(137, null, { ...none, oomKills: 1 }, limits), { reason: 'oom', message: 'out of memory (256 MiB limit)' });
  assert.deepEqual(explainExit(2, null, { ...none, pidsMaxHits: 3 }, limits), { reason: 'pids', message: 'too many processes (limit 128)' });
  assert.equal(explainExit(0, null, { ...none, pidsMaxHits: 3 }, limits).reason, 'exited', 'a command that survived its failed forks ended by itself');
  assert.equal(explainExit(153, null, none, limits).reason, 'disk');
  assert.deepEqual(explainExit(1, null, none, limits), { reason: 'exited' });
  assert.equal(bytes(1 << 30), '1 GiB');
  assert.equal(bytes(1 << 20), '1 MiB');
});
