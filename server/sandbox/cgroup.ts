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
 * While the program of `go run` runs, the group's memory and tasks limits are
 * tightened to the program's on top of what the toolchain holds (tighten /
 * relax, driven by the toolchain's own trace: program-limits.ts). Changing a
 * group's limits costs one write; moving the program into a group of its own
 * would cost an RCU grace period per controller on cgroup v1 (~15 ms, a third
 * of a warm hello world; docs/security.md).
 *
 * Above the commands, the server's own group (golab/s<pid>) carries the
 * machine-wide memory budget (setServerMemoryBudget): the kernel charges every
 * command's memory to it too, so the sum of all sandboxes cannot exceed it
 * however many run at once. When the budget is full the kernel OOM-kills the
 * largest process among them, counted in that process's own group (v1; on v2
 * the count goes up the tree to it as well), so the command's own message
 * ("out of memory") still says why it ended.
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
/** The kernel's default weights, which promote() goes back to. */
const DEFAULT_CPU_SHARES = 1024;
const DEFAULT_CPU_WEIGHT = 100;
/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

export interface CgroupLimits {
  memoryBytes: number;
  tasks: number;
  /** CPU cores (fractional allowed) one command may use at most. */
  cpuCores: number;
  /** Memory and tasks of the program a command runs, on top of what the toolchain holds then. */
  program: { memoryBytes: number; tasks: number };
}

export interface CgroupUsage {
  /** Times the kernel OOM killer ran in the group. */
  oomKills: number;
  /** Forks/clones refused because pids.max was reached. */
  pidsMaxHits: number;
  /** The most memory the group held (bytes), when the kernel says (tells the lab's budget from the command's own limit). */
  peakMemoryBytes?: number;
}

export type CgroupMode = 'v1' | 'v2' | 'none';

export function detectCgroups(): CgroupMode {
  if (process.getuid?.() !== 0) return 'none';
  if (existsSync(join(V1_ROOT, 'memory', 'memory.limit_in_bytes')) && existsSync(join(V1_ROOT, 'pids'))) return 'v1';
  if (existsSync(join(V1_ROOT, 'cgroup.controllers'))) return 'v2';
  return 'none';
}

/** A cgroup file's text, or '' when it cannot be read (the group is gone). */
function read(path: string): Promise<string> {
  return readFile(path, 'utf8').catch(() => '');
}

/** The number after `key ` on its own line of a cgroup stat or events file (0 if absent). */
function counter(text: string, key: string): number {
  return Number(text.match(new RegExp(`^${key} (\\d+)$`, 'm'))?.[1] ?? 0);
}

/** One command's cgroup (a directory per controller on v1, one on v2). */
export class CommandCgroup {
  readonly mode: CgroupMode;
  readonly name: string;
  /** `cgroup.procs` files the launcher writes its pid into before exec'ing bwrap. */
  readonly procsFiles: string[];
  readonly #dirs: Record<string, string>;
  /** The command's own limits (relax() goes back to them). */
  #limits: CgroupLimits | null = null;

  private constructor(mode: CgroupMode, name: string) {
    this.mode = mode;
    this.name = name;
    this.#dirs =
      mode === 'v1'
        ? Object.fromEntries(['memory', 'pids', 'cpu'].map((c) => [c, join(V1_ROOT, c, CGROUP_PARENT, SERVER_GROUP, name)]))
        : mode === 'v2'
          ? { unified: join(V1_ROOT, CGROUP_PARENT, SERVER_GROUP, name) }
          : {};
    this.procsFiles = Object.values(this.#dirs).map((d) => join(d, 'cgroup.procs'));
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
    cg.#limits = limits;
    for (const dir of Object.values(cg.#dirs)) {
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
    if (this.mode === 'none') return { oomKills: 0, pidsMaxHits: 0 };
    const [oom, pids, peak] =
      this.mode === 'v1'
        ? await Promise.all([
            read(join(this.#dirs.memory, 'memory.oom_control')),
            read(join(this.#dirs.pids, 'pids.events')),
            read(join(this.#dirs.memory, 'memory.memsw.max_usage_in_bytes')),
          ])
        : await Promise.all([
            read(join(this.#dirs.unified, 'memory.events')),
            read(join(this.#dirs.unified, 'pids.events')),
            read(join(this.#dirs.unified, 'memory.peak')),
          ]);
    const peakMemoryBytes = Number.parseInt(peak, 10);
    return { oomKills: counter(oom, 'oom_kill'), pidsMaxHits: counter(pids, 'max'), ...(Number.isFinite(peakMemoryBytes) ? { peakMemoryBytes } : {}) };
  }

  /**
   * Makes the group yield the CPU: a command that has been running for a while
   * (a build of a big program, a busy loop) gives way to ones that just started
   * (a learner pressing Run on hello world), without a hard cap changing.
   * `cpu.idle` (SCHED_IDLE for the whole group, Linux 5.15+) lets a waking
   * newcomer preempt it at once; a low weight alone left the newcomer waiting
   * behind busy loops at every wakeup (measured: docs/performance.md). The
   * weight stays as the fallback where cpu.idle does not exist.
   */
  async demote(): Promise<void> {
    await this.#setCpuPriority(DEMOTED_CPU_SHARES, DEMOTED_CPU_WEIGHT, '1');
  }

  /** Back to the full CPU weight (a terminal that has been quiet for a while: api/terminal-shell.ts). */
  async promote(): Promise<void> {
    await this.#setCpuPriority(DEFAULT_CPU_SHARES, DEFAULT_CPU_WEIGHT, '0');
  }

  async #setCpuPriority(shares: number, weight: number, idle: '0' | '1'): Promise<void> {
    if (this.mode === 'none') return;
    const dir = this.mode === 'v1' ? this.#dirs.cpu : this.#dirs.unified;
    if (this.mode === 'v1') await writeFile(join(dir, 'cpu.shares'), String(shares)).catch(() => {});
    else await writeFile(join(dir, 'cpu.weight'), String(weight)).catch(() => {});
    await writeFile(join(dir, 'cpu.idle'), idle).catch(() => {});
  }

  /**
   * CPU time the group's processes have used, in ms (null without cgroups).
   * v2 counts it in cpu.stat. On v1 the cpu controller has no usage counter
   * (cpuacct is mounted apart here, and one more controller would cost every
   * command another RCU grace period to join), so it is summed from /proc:
   * user + system time of the live processes and of the children they reaped.
   * A process that exited unreaped is missed: enough to tell a busy terminal
   * from an idle one, which is all it is for.
   */
  async cpuTimeMs(): Promise<number | null> {
    if (this.mode === 'none') return null;
    if (this.mode === 'v2') return counter(await read(join(this.#dirs.unified, 'cpu.stat')), 'usage_usec') / 1000;
    const pids = (await read(join(this.#dirs.cpu, 'cgroup.procs'))).split('\n').filter(Boolean);
    let ticks = 0;
    for (const pid of pids) {
      // Fields after the command's ") ": state is [0], utime [11], stime [12], cutime [13], cstime [14].
      const f = (await read(`/proc/${pid}/stat`)).split(') ')[1]?.split(' ') ?? [];
      ticks += Number(f[11] ?? 0) + Number(f[12] ?? 0) + Number(f[13] ?? 0) + Number(f[14] ?? 0);
    }
    return (ticks * 1000) / USER_HZ;
  }

  /**
   * The program's limits from now on: memory = what the toolchain's processes
   * hold that cannot be reclaimed (anonymous memory, tmpfs) + the program's
   * allowance; tasks = the tasks there now + the program's allowance. Never
   * above the command's own limits. Page cache is left out: the kernel
   * reclaims it under the tighter limit.
   */
  async tighten(): Promise<void> {
    const limits = this.#limits;
    if (!limits || this.mode === 'none') return;
    if (this.mode === 'v1') {
      const d = this.#dirs;
      const s = await read(join(d.memory, 'memory.stat'));
      const held = counter(s, 'total_rss') + counter(s, 'total_shmem');
      const tasks = Number((await read(join(d.pids, 'pids.current'))).trim() || 0);
      await this.#setV1(Math.min(limits.memoryBytes, held + limits.program.memoryBytes), Math.min(limits.tasks, tasks + limits.program.tasks));
    } else {
      const d = this.#dirs.unified;
      const s = await read(join(d, 'memory.stat'));
      const held = counter(s, 'anon') + counter(s, 'shmem');
      const tasks = Number((await read(join(d, 'pids.current'))).trim() || 0);
      await writeFile(join(d, 'memory.max'), String(Math.min(limits.memoryBytes, held + limits.program.memoryBytes))).catch(() => {});
      await writeFile(join(d, 'pids.max'), String(Math.min(limits.tasks, tasks + limits.program.tasks))).catch(() => {});
    }
  }

  /** Back to the command's own limits (the program ended; the toolchain goes on). */
  async relax(): Promise<void> {
    const limits = this.#limits;
    if (!limits || this.mode === 'none') return;
    if (this.mode === 'v1') await this.#setV1(limits.memoryBytes, limits.tasks);
    else {
      const d = this.#dirs.unified;
      await writeFile(join(d, 'memory.max'), String(limits.memoryBytes)).catch(() => {});
      await writeFile(join(d, 'pids.max'), String(limits.tasks)).catch(() => {});
    }
  }

  async #setV1(memoryBytes: number, tasks: number): Promise<void> {
    const d = this.#dirs;
    const mem = join(d.memory, 'memory.limit_in_bytes');
    const memsw = join(d.memory, 'memory.memsw.limit_in_bytes');
    // memory.limit_in_bytes may never exceed memsw's: lower memory first, raise memsw first.
    const current = Number((await read(mem)).trim());
    const order = memoryBytes < current ? [mem, memsw] : [memsw, mem];
    // A limit below what cannot be reclaimed is refused (EBUSY): the old one stays.
    for (const file of order) await writeFile(file, String(memoryBytes)).catch(() => {});
    await writeFile(join(d.pids, 'pids.max'), String(tasks)).catch(() => {});
  }

  /** Kills whatever is left and removes the group. */
  async destroy(): Promise<void> {
    if (!(await killAndRemove(Object.values(this.#dirs))).removed) {
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
        } catch {
          /* already gone */
        }
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

/**
 * The machine-wide memory budget: a memory (and, with swap accounting, a
 * memory+swap) limit on this server's parent group, golab/s<pid>, which every
 * command's group is below. The kernel charges each command to it as well,
 * so all sandboxes together stay within `bytes` however many there are.
 */
export async function setServerMemoryBudget(mode: CgroupMode, bytes: number): Promise<void> {
  if (mode === 'none') return;
  if (mode === 'v1') {
    const dir = join(V1_ROOT, 'memory', CGROUP_PARENT, SERVER_GROUP);
    await mkdir(dir, { recursive: true });
    // Always 1 on current kernels (and the file refuses 0); older ones need it said.
    await writeFile(join(V1_ROOT, 'memory', CGROUP_PARENT, 'memory.use_hierarchy'), '1').catch(() => {});
    await writeFile(join(dir, 'memory.use_hierarchy'), '1').catch(() => {});
    // memory.limit_in_bytes may never exceed memsw's: both start unlimited, memory first.
    await writeFile(join(dir, 'memory.limit_in_bytes'), String(bytes));
    await writeFile(join(dir, 'memory.memsw.limit_in_bytes'), String(bytes)).catch(() => {});
  } else {
    await enableV2Controllers();
    const dir = join(V1_ROOT, CGROUP_PARENT, SERVER_GROUP);
    await writeFile(join(dir, 'memory.max'), String(bytes));
    await writeFile(join(dir, 'memory.swap.max'), '0').catch(() => {});
  }
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
        if (group.isDirectory()) killed += (await killAndRemove([join(dir, group.name)])).killed;
      }
      await rmdir(dir).catch(() => {});
    }
  }
  return killed;
}
