/**
 * Kernel-enforced limits for one sandboxed command: a cgroup per command in
 * the memory, pids and cpu controllers (cgroup v1, as on the lab's machines;
 * a v2 machine gets the same through the unified hierarchy).
 *
 *   memory  memory.limit_in_bytes = memory.memsw.limit_in_bytes  (no swap);
 *           the kernel OOM-kills inside the group, counted in oom_kill
 *   pids    pids.max: processes + threads; failed forks counted in pids.events
 *   cpu     cpu.cfs_quota_us: at most N cores per command, so one learner
 *           cannot take the whole machine; cpu.shares equal for all
 *
 * Inside it, a `program` group (memory and pids) with the tighter limits of a
 * learner's program: `go run` starts the program through the lab's
 * program runner (gowrap adds -exec), which joins this group first, so the
 * build gets the command's limits and the program its own. The program
 * group's cgroup.procs files are bound into the sandbox (bwrap.ts) and owned
 * by the session's uid; joining it can only tighten limits, never loosen them.
 * cgroup v2 has no such group: there a process may only move between groups
 * below its cgroup namespace's root, which the sandbox's is not (docs/security.md).
 *
 * Only root can make cgroups here; without them the sandbox falls back to
 * rlimits (see limits.ts) and says so at start-up.
 */
import { existsSync } from 'node:fs';
import { chown, mkdir, readFile, readdir, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Parent group of every command's cgroup, in each controller: golab/s<server pid>/c-<id>.
 * The server pid level lets a server clean up after a crashed predecessor
 * without touching another live server's commands (tests run several).
 */
export const CGROUP_PARENT = 'golab';
const SERVER_GROUP = `s${process.pid}`;
const V1_ROOT = '/sys/fs/cgroup';
const CFS_PERIOD_US = 100_000;
/** CPU weight of a long-running command, against the default 1024 (v1) / 100 (v2). */
const DEMOTED_CPU_SHARES = 128;
const DEMOTED_CPU_WEIGHT = 12;

export interface CgroupLimits {
  memoryBytes: number;
  tasks: number;
  /** CPU cores (fractional allowed) one command may use at most. */
  cpuCores: number;
  /** Memory and tasks of the program a command runs (its `program` group). */
  program: { memoryBytes: number; tasks: number };
}

/** Name of the program's group inside a command's group. */
export const PROGRAM_GROUP = 'program';
/** The controllers the program group has (cpu stays the command's). */
const PROGRAM_CONTROLLERS = ['memory', 'pids'] as const;

export interface CgroupUsage {
  /** Times the kernel OOM killer ran in the group. */
  oomKills: number;
  /** Forks/clones refused because pids.max was reached. */
  pidsMaxHits: number;
  /** Peak memory use, bytes. */
  memoryPeakBytes: number;
  /** The same two counters of the program group (0 where there is none). */
  programOomKills: number;
  programPidsMaxHits: number;
}

export type CgroupMode = 'v1' | 'v2' | 'none';

export function detectCgroups(): CgroupMode {
  if (process.getuid?.() !== 0) return 'none';
  if (existsSync(join(V1_ROOT, 'memory', 'memory.limit_in_bytes')) && existsSync(join(V1_ROOT, 'pids'))) return 'v1';
  if (existsSync(join(V1_ROOT, 'cgroup.controllers'))) return 'v2';
  return 'none';
}

/** One command's cgroup (a directory per controller on v1, one on v2). */
export class CommandCgroup {
  readonly mode: CgroupMode;
  readonly name: string;
  /** `cgroup.procs` files the launcher writes its pid into before exec'ing bwrap. */
  readonly procsFiles: string[];
  /**
   * The program group's cgroup.procs per controller ({} where there is none):
   * bound into the sandbox for the program runner to join.
   */
  readonly programProcs: Record<string, string>;
  readonly #dirs: Record<string, string>;
  readonly #programDirs: Record<string, string>;

  private constructor(mode: CgroupMode, name: string) {
    this.mode = mode;
    this.name = name;
    this.#dirs = mode === 'v1'
      ? Object.fromEntries(['memory', 'pids', 'cpu'].map((c) => [c, join(V1_ROOT, c, CGROUP_PARENT, SERVER_GROUP, name)]))
      : mode === 'v2' ? { unified: join(V1_ROOT, CGROUP_PARENT, SERVER_GROUP, name) } : {};
    this.#programDirs = mode === 'v1' ? Object.fromEntries(PROGRAM_CONTROLLERS.map((c) => [c, join(this.#dirs[c], PROGRAM_GROUP)])) : {};
    this.procsFiles = Object.values(this.#dirs).map((d) => join(d, 'cgroup.procs'));
    this.programProcs = Object.fromEntries(Object.entries(this.#programDirs).map(([c, d]) => [c, join(d, 'cgroup.procs')]));
  }

  /**
   * Makes the group with its limits. On v1, `owner` gets write access to the
   * group's cgroup.procs only (so the launcher, already running as that uid,
   * can join it); every limit file stays root's.
   */
  static async create(mode: CgroupMode, name: string, limits: CgroupLimits, owner: { uid: number; gid: number } | null = null): Promise<CommandCgroup> {
    const cg = new CommandCgroup(mode, name);
    if (mode === 'none') return cg;
    if (mode === 'v2') await enableV2Controllers();
    for (const dir of [...Object.values(cg.#dirs), ...Object.values(cg.#programDirs)]) {
      await mkdir(dir, { recursive: true });
      if (owner && mode === 'v1') await chown(join(dir, 'cgroup.procs'), owner.uid, owner.gid);
    }
    const quota = String(Math.max(1000, Math.round(limits.cpuCores * CFS_PERIOD_US)));
    if (mode === 'v1') {
      const d = cg.#dirs;
      await writeFile(join(d.memory, 'memory.limit_in_bytes'), String(limits.memoryBytes));
      // memsw exists only with swap accounting; where it does, it closes the swap door.
      await writeFile(join(d.memory, 'memory.memsw.limit_in_bytes'), String(limits.memoryBytes)).catch(() => {});
      await writeFile(join(d.memory, 'memory.swappiness'), '0').catch(() => {});
      await writeFile(join(d.pids, 'pids.max'), String(limits.tasks));
      await writeFile(join(d.cpu, 'cpu.cfs_period_us'), String(CFS_PERIOD_US));
      await writeFile(join(d.cpu, 'cpu.cfs_quota_us'), quota);
      const p = cg.#programDirs;
      await writeFile(join(p.memory, 'memory.limit_in_bytes'), String(limits.program.memoryBytes));
      await writeFile(join(p.memory, 'memory.memsw.limit_in_bytes'), String(limits.program.memoryBytes)).catch(() => {});
      await writeFile(join(p.memory, 'memory.swappiness'), '0').catch(() => {});
      await writeFile(join(p.pids, 'pids.max'), String(limits.program.tasks));
    } else {
      const d = cg.#dirs.unified;
      await writeFile(join(d, 'memory.max'), String(limits.memoryBytes));
      await writeFile(join(d, 'memory.swap.max'), '0').catch(() => {});
      await writeFile(join(d, 'pids.max'), String(limits.tasks));
      await writeFile(join(d, 'cpu.max'), `${quota} ${CFS_PERIOD_US}`);
    }
    return cg;
  }

  async usage(): Promise<CgroupUsage> {
    const usage: CgroupUsage = { oomKills: 0, pidsMaxHits: 0, memoryPeakBytes: 0, programOomKills: 0, programPidsMaxHits: 0 };
    const read = (path: string) => readFile(path, 'utf8').catch(() => '');
    const field = (text: string, key: string) => Number(text.match(new RegExp(`^${key} (\\d+)$`, 'm'))?.[1] ?? 0);
    if (this.mode === 'v1') {
      const d = this.#dirs;
      usage.oomKills = field(await read(join(d.memory, 'memory.oom_control')), 'oom_kill');
      usage.pidsMaxHits = field(await read(join(d.pids, 'pids.events')), 'max');
      usage.memoryPeakBytes = Number((await read(join(d.memory, 'memory.max_usage_in_bytes'))).trim() || 0);
      // On v1 each counter stays in the group it happened in: the one whose
      // limit the OOM killer enforced, the one whose task's fork was refused.
      const p = this.#programDirs;
      usage.programOomKills = field(await read(join(p.memory, 'memory.oom_control')), 'oom_kill');
      usage.programPidsMaxHits = field(await read(join(p.pids, 'pids.events')), 'max');
    } else if (this.mode === 'v2') {
      const d = this.#dirs.unified;
      usage.oomKills = field(await read(join(d, 'memory.events')), 'oom_kill');
      usage.pidsMaxHits = field(await read(join(d, 'pids.events')), 'max');
      usage.memoryPeakBytes = Number((await read(join(d, 'memory.peak'))).trim() || 0);
    }
    return usage;
  }

  /**
   * Lowers the group's CPU weight: a command that has been running for a while
   * (a build of a big program, a busy loop) yields to ones that just started
   * (a learner pressing Run on hello world), without a hard cap changing.
   */
  async demote(): Promise<void> {
    if (this.mode === 'v1') await writeFile(join(this.#dirs.cpu, 'cpu.shares'), String(DEMOTED_CPU_SHARES)).catch(() => {});
    else if (this.mode === 'v2') await writeFile(join(this.#dirs.unified, 'cpu.weight'), String(DEMOTED_CPU_WEIGHT)).catch(() => {});
  }



  /** Kills whatever is left and removes the group. */
  async destroy(): Promise<void> {
    // Children first: a group with a child cannot be removed.
    if (!(await killAndRemove([...Object.values(this.#programDirs), ...Object.values(this.#dirs)])).removed) {
      throw new Error(`cgroup ${this.name} could not be removed: processes are still in it`);
    }
  }

}

/**
 * Kills every process in the groups (one group's directories, one per
 * controller) and removes them, retrying while the kernel finishes the kills.
 */
async function killAndRemove(dirs: string[]): Promise<{ removed: boolean; killed: number }> {
  let killed = 0;
  for (let attempt = 0; attempt < 50; attempt++) {
    for (const dir of dirs) {
      const procs = (await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => '')).split('\n').filter(Boolean);
      for (const pid of procs) {
        try {
          process.kill(Number(pid), 'SIGKILL');
          killed++;
        } catch { /* already gone */ }
      }
    }
    let removed = true;
    for (const dir of dirs) {
      try {
        await rmdir(dir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') removed = false;
      }
    }
    if (removed) return { removed, killed };
    await new Promise((r) => setTimeout(r, 20));
  }
  return { removed: false, killed };
}

async function enableV2Controllers(): Promise<void> {
  const parent = join(V1_ROOT, CGROUP_PARENT);
  await mkdir(join(parent, SERVER_GROUP), { recursive: true });
  await writeFile(join(V1_ROOT, 'cgroup.subtree_control'), '+memory +pids +cpu').catch(() => {});
  await writeFile(join(parent, 'cgroup.subtree_control'), '+memory +pids +cpu').catch(() => {});
  await writeFile(join(parent, SERVER_GROUP, 'cgroup.subtree_control'), '+memory +pids +cpu').catch(() => {});
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the command groups of servers that are gone (a crash, a kill -9),
 * killing anything still in them; and, with `own`, this server's (at shutdown).
 * Returns how many processes were killed.
 */
export async function sweepCgroups(mode: CgroupMode, own = false): Promise<number> {
  if (mode === 'none') return 0;
  const roots = mode === 'v1' ? ['memory', 'pids', 'cpu'].map((c) => join(V1_ROOT, c, CGROUP_PARENT)) : [join(V1_ROOT, CGROUP_PARENT)];
  let killed = 0;
  for (const root of roots) {
    const servers = await readdir(root).catch(() => [] as string[]);
    for (const server of servers) {
      const pid = Number(server.slice(1));
      if (!server.startsWith('s') || !Number.isInteger(pid)) continue;
      if (pid === process.pid ? !own : alive(pid)) continue;
      const dir = join(root, server);
      for (const group of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
        if (!group.isDirectory()) continue;
        const groupDir = join(dir, group.name);
        const children = (await readdir(groupDir, { withFileTypes: true }).catch(() => [])).filter((c) => c.isDirectory()).map((c) => join(groupDir, c.name));
        killed += (await killAndRemove([...children, groupDir])).killed;
      }
      await rmdir(dir).catch(() => {});
    }
  }
  return killed;
}
