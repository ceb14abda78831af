/**
 * "Is the host clean?" after a sandboxed command: no process of a sandbox uid
 * still alive, no cgroup of the server's commands left, no workspace mount of
 * a throwaway run left, and the server answering.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LabServer } from './server.ts';

export const SANDBOX_UID_BASE = 61000;
export const SANDBOX_UID_COUNT = 1000;

/** A sandbox started ahead of a session's next Run (server/sandbox/warm.ts): not a leftover. */
const WAITING_NAME = 'lab-waiting-for-command';

function isWaiting(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(WAITING_NAME);
  } catch {
    return false;
  }
}

/** The lab server whose command cgroup holds the process (golab/s<pid>/…), if any. */
function serverOf(pid: number): number | null {
  try {
    const m = readFileSync(`/proc/${pid}/cgroup`, 'utf8').match(/:memory:\/golab\/s(\d+)\//);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/**
 * Live (non-zombie) processes of sandbox uids, except waiting sandboxes and the
 * commands of *other* lab servers on the machine (a developer's own, say):
 * "pid uid stat command" lines. With serverPid, only that server's and strays.
 */
export function sandboxProcesses(serverPid?: number): string[] {
  const out = execFileSync('ps', ['-eo', 'pid=,uid=,stat=,args='], { encoding: 'utf8' });
  return out.split('\n').filter((line) => {
    const [pid, uid, stat] = line.trim().split(/\s+/);
    const n = Number(uid);
    if (!(n >= SANDBOX_UID_BASE && n < SANDBOX_UID_BASE + SANDBOX_UID_COUNT) || stat?.startsWith('Z') || isWaiting(Number(pid))) return false;
    const owner = serverOf(Number(pid));
    return serverPid === undefined || owner === null || owner === serverPid;
  });
}

/** Waiting sandboxes of one server. */
export function waitingSandboxes(serverPid: number): number {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p) && isWaiting(Number(p)) && serverOf(Number(p)) === serverPid).length;
}

function commandCgroups(serverPid: number): string[] {
  const found: string[] = [];
  for (const controller of ['memory', 'pids', 'cpu']) {
    const dir = join('/sys/fs/cgroup', controller, 'golab', `s${serverPid}`);
    if (existsSync(dir)) {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (!e.isDirectory()) continue;
        // A waiting sandbox's group holds only waiting processes.
        let text: string;
        try {
          text = readFileSync(join(dir, e.name, 'cgroup.procs'), 'utf8');
        } catch {
          continue; // removed between the listing and the read: gone, as it should be
        }
        const procs = text.split('\n').filter(Boolean).map(Number);
        if (procs.length && procs.every(isWaiting)) continue;
        found.push(join(dir, e.name));
      }
    }
  }
  return found;
}

/** Mount points below dir (from /proc/self/mountinfo). */
export function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m) => m?.startsWith(dir + '/'));
}

/** Waits (briefly: the kernel reaps asynchronously) until the host is clean, then asserts it. */
export async function assertHostClean(lab: LabServer, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let procs: string[] = [];
  let groups: string[] = [];
  let mounts: string[] = [];
  for (;;) {
    procs = sandboxProcesses(lab.pid);
    groups = commandCgroups(lab.pid);
    mounts = mountsUnder(join(lab.dataDir, 'scratch'));
    if ((!procs.length && !groups.length && !mounts.length) || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(procs, [], 'no sandboxed process outlives its command');
  assert.deepEqual(groups, [], 'no command cgroup is left behind');
  assert.deepEqual(mounts, [], 'no throwaway workspace stays mounted');
  const health = await fetch(`${lab.url}/healthz`);
  assert.equal(health.status, 200, 'the server still answers');
}
