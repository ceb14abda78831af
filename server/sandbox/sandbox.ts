/**
 * Starting processes in the sandbox, and running one command to completion
 * under its limits, with the reason it ended.
 *
 * Every command (a Run, a terminal) gets a cgroup of its own (cgroup.ts),
 * rlimits and the session's uid (launcher.ts), then bwrap (bwrap.ts).
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import type { ExitReason } from '../../src/lib/protocol.ts';
import type { Owner } from '../workspace/beneath.ts';
import { bwrapArgv, type BwrapOptions, type SandboxLayout } from './bwrap.ts';
import { CommandCgroup, type CgroupLimits, type CgroupMode, type CgroupUsage } from './cgroup.ts';
import { launch, type Rlimits } from './launcher.ts';
import { PhaseRelay, RUN_RELAY_BUDGET, type RelayEvent } from '../phases/relay.ts';
import { ProgramLimiter, type ProgramHits } from './program-limits.ts';
import { log } from '../observability/log.ts';

export interface SandboxLimits extends CgroupLimits, Rlimits {
  /** The workspace's disk quota (enforced by its storage; named in messages). */
  diskQuotaBytes: number;
}

export interface Sandbox {
  layout: SandboxLayout;
  /** Compiled seccomp program for `bwrap --seccomp`, or null to run without one. */
  seccompPath: string | null;
  /** Which cgroup interface this machine gives us ('none': rlimits only). */
  cgroups: CgroupMode;
  limits: SandboxLimits;
}

export interface SpawnOptions extends Omit<BwrapOptions, 'layout' | 'seccompFd'> {
  /** Host uid/gid to run as (null: the server's own, when it is not root). */
  user: Owner | null;
  /** stdio of the child before the seccomp descriptor (default: ignore, pipe, pipe). */
  stdio?: Array<'pipe' | 'ignore'>;
}

/** A started sandbox: the bwrap process, and its cgroup to read and remove at the end. */
export interface Started {
  child: ChildProcess;
  cgroup: CommandCgroup;
  /** Kills what is left, returns the kernel's counters, removes the cgroup. */
  finish(): Promise<CgroupUsage>;
}

/** A sandbox started ahead of its command (server/sandbox/warm.ts), waiting to be handed one. */
export interface Warm extends Started {
  /** The go wrapper's event channel (JSON lines; see server/phases/relay.ts). */
  events: NodeJS.ReadableStream;
  /** Hands the command over; the sandbox runs it at once. `observe`: relay go commands' phases. */
  deliver(cwd: string, cgo: boolean, observe: boolean, commandLine: string): void;
  /** Settles once the sandbox process has ended and its pipes are closed (whenever that was). */
  closed: Promise<void>;
}

/** Makes the command's cgroup, then starts bwrap in it. */
export async function startSandboxed(sandbox: Sandbox, o: SpawnOptions): Promise<Started> {
  const cgroup = await CommandCgroup.create(sandbox.cgroups, `c-${randomBytes(8).toString('hex')}`, sandbox.limits, o.user);
  let child: ChildProcess;
  try {
    child = spawnIn(sandbox, cgroup, o);
  } catch (err) {
    await cgroup.destroy().catch(() => {});
    throw err;
  }
  let finished: Promise<CgroupUsage> | null = null;
  return {
    child,
    cgroup,
    finish: () =>
      (finished ??= (async () => {
        const usage = await cgroup.usage();
        // Removal (kill what is left, rmdir) does not hold up the answer.
        cgroup.destroy().catch((err) => log.error('removing a sandbox cgroup failed', {}, err));
        return usage;
      })()),
  };
}

function spawnIn(sandbox: Sandbox, cgroup: CommandCgroup, o: SpawnOptions): ChildProcess {
  const stdio: StdioOptions = [...(o.stdio ?? ['ignore', 'pipe', 'pipe'])];
  let seccompFd: number | undefined;
  let fd: number | undefined;
  if (sandbox.seccompPath) {
    // A fresh descriptor per spawn: bwrap reads it to the end.
    fd = openSync(sandbox.seccompPath, 'r');
    seccompFd = stdio.length;
    stdio.push(fd);
  }
  try {
    const { argv, spawnAs } = launch(
      // The sandbox's descriptors are exactly its stdio entries (the seccomp program's is the last).
      { cgroupProcs: cgroup.procsFiles, rlimits: sandbox.limits, hostUser: o.user, dropAfterJoin: cgroup.mode === 'v2', keepFds: stdio.length },
      bwrapArgv({ ...o, layout: sandbox.layout, seccompFd }),
    );
    return spawn(argv[0], argv.slice(1), { stdio, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' }, ...(spawnAs ?? {}) });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** How long a killed sandbox may take to end before its answer is sent without it. */
export const KILL_GRACE_MS = 5000;

/** What a stuck process is doing, from /proc (state and kernel wait channel), for the log. */
function describeStuck(pid: number | undefined): string {
  if (pid === undefined) return 'no pid';
  const read = (f: string) => {
    try {
      return readFileSync(`/proc/${pid}/${f}`, 'utf8').trim();
    } catch {
      return '?';
    }
  };
  const state = read('stat').split(') ')[1]?.split(' ')[0] ?? '?';
  return `state ${state}, wchan ${read('wchan')}, stack ${read('stack').split('\n').slice(0, 6).join(' < ')}`;
}

/** A command keeps its full CPU weight this long, then yields to newer ones (cgroup.demote). */
export const FULL_CPU_WEIGHT_MS = 1500;

export interface RunLimits {
  /**
   * Wall clock of the whole command, from its start: a hard deadline that
   * nothing the command does can move (whatever arrives on its event channel).
   */
  timeoutMs: number;
  /**
   * Wall clock of a program once the toolchain says it runs one (go run, go
   * test): from then on, if that ends sooner than the command's deadline. It
   * can only bring the end nearer: the event channel is the learner's to write.
   */
  programTimeoutMs: number;
  outputLimitBytes: number;
}

export interface RunResult {
  code: number;
  reason: ExitReason;
  durationMs: number;
  message?: string;
}

/**
 * Reading of a running command's output and event channel. Paused, the pipes
 * fill and the command blocks on its next write; its wall clock runs on.
 */
export interface RunFlow {
  pause(): void;
  resume(): void;
}

export interface RunCallbacks {
  onOutput(stream: 'stdout' | 'stderr', data: string): void;
  /** The command's streams are being read: pause them while the client does not keep up. */
  onFlow?(flow: RunFlow): void;
  /** Events of the go commands the command ran (command, phase, graph, phase-error). */
  onEvent?(event: RelayEvent): void;
  /** Aborting kills the command (the client went away or pressed Stop). */
  signal?: AbortSignal;
  /** Where the command is (for the server's stall log). */
  onStage?(name: string): void;
  /** The command lost its CPU priority (long, or started demoted): its admission may move to the background. */
  onDemoted?(): void;
}

export function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

export function bytes(n: number): string {
  const MiB = 1024 * 1024;
  if (n >= 1024 * MiB && n % (1024 * MiB) === 0) return `${n / (1024 * MiB)} GiB`;
  if (n >= MiB && n % MiB === 0) return `${n / MiB} MiB`;
  return n >= 1024 ? `${Math.round(n / 1024)} KiB` : `${n} bytes`;
}

/**
 * Why a command that the lab did not stop itself ended, from the kernel's
 * counters: the OOM killer, refused forks, a file-size signal.
 */
/** The cgroup limit the kernel enforced on the command, if any (a failed command is blamed on it). */
export function kernelLimitHit(
  usage: CgroupUsage,
  limits: SandboxLimits,
  program: ProgramHits = NO_PROGRAM_HITS,
): { reason: 'oom' | 'pids'; message: string } | null {
  // Hits while go run's program ran were against the program's limits (program-limits.ts).
  if (program.oomKills > 0) return { reason: 'oom', message: `out of memory (${bytes(limits.program.memoryBytes)} limit)` };
  if (usage.oomKills > 0) {
    // Killed well below its own limit: the machine-wide budget of all sandboxes was full (cgroup.ts setServerMemoryBudget).
    if (usage.peakMemoryBytes !== undefined && usage.peakMemoryBytes < limits.memoryBytes * OWN_LIMIT_FRACTION) {
      return {
        reason: 'oom',
        message: `out of memory: the lab's memory, shared by everyone's programs, was full (this command held ${bytes(usage.peakMemoryBytes)} of its ${bytes(limits.memoryBytes)}); try again in a moment`,
      };
    }
    return { reason: 'oom', message: `out of memory (${bytes(limits.memoryBytes)} limit)` };
  }
  if (program.pidsMaxHits > 0) return { reason: 'pids', message: `too many processes (limit ${limits.program.tasks})` };
  if (usage.pidsMaxHits > 0) return { reason: 'pids', message: `too many processes (limit ${limits.tasks})` };
  return null;
}

const NO_PROGRAM_HITS: ProgramHits = { oomKills: 0, pidsMaxHits: 0 };

/** An OOM kill below this fraction of the command's own limit was the machine-wide budget's. */
const OWN_LIMIT_FRACTION = 0.9;

export function explainExit(
  code: number,
  signal: NodeJS.Signals | null,
  usage: CgroupUsage,
  limits: SandboxLimits,
  program: ProgramHits = NO_PROGRAM_HITS,
): { reason: ExitReason; message?: string } {
  const hit = kernelLimitHit(usage, limits, program);
  // A command that survived its refused forks ended by itself; an OOM kill never is.
  if (hit && (hit.reason === 'oom' || code !== 0)) return hit;
  // SIGXFSZ: 25 on x86_64; bash reports 128+25 for a child killed by it.
  if (code === 128 + 25 || signal === 'SIGXFSZ') return { reason: 'disk', message: `file size limit of ${bytes(limits.fileSizeBytes)} exceeded` };
  if (signal) return { reason: 'signaled', message: `the sandbox was killed by ${signal}` };
  return { reason: 'exited' };
}

/** Runs `bash -c command` in the sandbox to completion, enforcing the limits. */
export interface RunOptions {
  /** A sandbox waiting for this command (warm.ts); started here when missing. */
  take(): Promise<Warm>;
  cwd: string;
  cgo: boolean;
  /** Relay the phases of go commands (the lab's go wrapper adds -debug-trace and -debug-actiongraph). */
  observe: boolean;
  commandLine: string;
  /**
   * One stream, in the order the command wrote it, as a terminal shows it:
   * stderr joins stdout's pipe (two pipes cannot say which write came first),
   * and everything arrives as stdout.
   */
  mergeOutput?: boolean;
  /** Whether the workspace is out of space (a failed command is then blamed on the disk quota). */
  workspaceFull?(): Promise<boolean>;
  /** Start with the low CPU weight of a long command (the client ran heavy commands lately). */
  startDemoted?: boolean;
}

/**
 * How long getting a sandbox for a command may take (it takes ~20 ms; a
 * waiting one is instant). Beyond it the Run ends with an error instead of
 * waiting forever with no answer; the late sandbox is killed when it comes.
 */
export const SANDBOX_START_TIMEOUT_MS = 15_000;

export async function runInSandbox(sandbox: Sandbox, o: RunOptions, limits: RunLimits, cb: RunCallbacks): Promise<RunResult> {
  const started = performance.now();
  let s: Warm;
  cb.onStage?.('sandbox: take');
  try {
    const taking = o.take();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no sandbox after ${seconds(SANDBOX_START_TIMEOUT_MS)}`)), SANDBOX_START_TIMEOUT_MS);
    });
    try {
      s = await Promise.race([taking, late]);
    } catch (err) {
      log.error(`${(err as Error).message} (a sandbox start hung)`);
      // `closed` settles even when the sandbox ended before we looked: its cgroup is always removed.
      taking.then(
        (w) => {
          w.child.kill('SIGKILL');
          void w.closed.then(() => w.finish());
        },
        () => {},
      );
      throw err;
    } finally {
      clearTimeout(timer);
    }
    s.deliver(o.cwd, o.cgo, o.observe, o.mergeOutput ? `exec 2>&1\n${o.commandLine}` : o.commandLine);
  } catch (err) {
    return {
      code: -1,
      reason: 'error',
      durationMs: Math.round(performance.now() - started),
      message: `could not start the sandbox: ${(err as Error).message}`,
    };
  }
  const { child } = s;
  // Listen for the end at once: a fast command can be over before the next await
  // returns, and a 'close' nobody heard would leave the Run waiting for ever.
  let giveUp: (() => void) | undefined;
  /** The give-up timer of a killed sandbox: cleared when it does end, so only a sandbox really stuck is logged. */
  let graceTimer: NodeJS.Timeout | undefined;
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    let spawnError: Error | undefined;
    child.on('error', (err) => {
      spawnError = err;
    });
    child.on('close', (code, signal) => {
      clearTimeout(graceTimer);
      resolve({ code, signal, error: spawnError });
    });
    giveUp = () => {
      const inGroup = (() => {
        try {
          return readFileSync(s.cgroup.procsFiles[0] ?? '/nonexistent', 'utf8')
            .split('\n')
            .filter(Boolean)
            .map(Number);
        } catch {
          return [];
        }
      })();
      log.error(
        `the sandbox (pid ${child.pid}) did not end ${seconds(KILL_GRACE_MS)} after SIGKILL: ${describeStuck(child.pid)}; in its cgroup: ${inGroup.map((p) => `${p} (${describeStuck(p)})`).join('; ') || 'nothing'}`,
      );
      for (const stream of child.stdio) stream?.destroy();
      resolve({ code: null, signal: 'SIGKILL', error: spawnError });
    };
  });
  let stoppedFor: { reason: ExitReason; message: string } | null = null;
  let outputBytes = 0;
  const streams = [child.stdout!, child.stderr!, s.events];
  /** Reading is paused because the client does not keep up (RunFlow). */
  let paused = false;
  const stop = (reason: ExitReason, message: string) => {
    if (stoppedFor) return;
    stoppedFor = { reason, message };
    // Killing bwrap kills the sandbox's pid 1, and with it every process inside.
    child.kill('SIGKILL');
    // Read the pipes to their end (a paused one would hold back the 'close'):
    // what is left in them is bounded, its writers are dead.
    if (paused) {
      paused = false;
      for (const stream of streams) stream.resume();
    }
    // A process stuck in the kernel (uninterruptible) dies only when it leaves it,
    // and keeps the pipes open until then: the answer does not wait for it.
    graceTimer = setTimeout(() => giveUp?.(), KILL_GRACE_MS);
    graceTimer.unref();
  };
  // Two clocks. The command's: a hard deadline from its start, never moved or
  // cleared before the end. A program's, once the toolchain says it started one
  // (the trace's `run` / `test` phase): armed only if it ends sooner, and never
  // re-armed. The event channel is the learner's to write (forged "program
  // started" events), so it may only ever shorten what is left.
  const commandStart = performance.now();
  const deadline = commandStart + limits.timeoutMs;
  let building = false;
  let programSeen = false;
  const hardTimer = setTimeout(
    () =>
      stop(
        'timeout',
        building && !programSeen ? `build timed out (${seconds(limits.timeoutMs)} limit)` : `stopped after ${seconds(limits.timeoutMs)} (time limit)`,
      ),
    limits.timeoutMs,
  );
  let programTimer: NodeJS.Timeout | undefined;
  const programStarted = () => {
    programSeen = true;
    if (programTimer || performance.now() + limits.programTimeoutMs >= deadline) return;
    programTimer = setTimeout(() => stop('timeout', `stopped after ${seconds(limits.programTimeoutMs)} (run time limit)`), limits.programTimeoutMs);
  };
  const limiter = new ProgramLimiter(s.cgroup);
  const relay = new PhaseRelay((event) => {
    limiter.observe(event);
    if (event.type === 'command') building = true;
    if (event.type === 'phase' && (event.phase === 'run' || event.phase === 'test') && event.state === 'start') programStarted();
    cb.onEvent?.(event);
  }, RUN_RELAY_BUDGET);
  // Buffers: the relay counts bytes against its budget, and decodes itself.
  // Past the budget it drops what comes; the channel is still read to its end.
  s.events.on('data', (chunk: Buffer) => {
    relay.push(chunk);
    if (relay.stopped && paused) s.events.resume();
  });
  cb.onFlow?.({
    pause() {
      if (paused || stoppedFor) return;
      paused = true;
      child.stdout!.pause();
      child.stderr!.pause();
      // A channel whose view has stopped costs nothing to drain: the go wrapper never waits on it.
      if (!relay.stopped) s.events.pause();
    },
    resume() {
      if (!paused) return;
      paused = false;
      for (const stream of streams) stream.resume();
    },
  });
  // Short commands keep full CPU weight; long ones yield to newcomers.
  // Not awaited: nothing may come between the start and the output listeners
  // below (Node drops the output of a child that exits before anyone listens).
  const demote = () => {
    void s.cgroup.demote();
    cb.onDemoted?.();
  };
  if (o.startDemoted) demote();
  const demoteTimer = o.startDemoted ? undefined : setTimeout(demote, FULL_CPU_WEIGHT_MS);
  const onAbort = () => stop('killed', 'stopped on request');
  cb.signal?.addEventListener('abort', onAbort, { once: true });
  if (cb.signal?.aborted) onAbort();

  for (const stream of ['stdout', 'stderr'] as const) {
    const decoder = new StringDecoder('utf8');
    const source = child[stream]!;
    source.on('data', (chunk: Buffer) => {
      if (stoppedFor?.reason === 'output-limit') return;
      const room = limits.outputLimitBytes - outputBytes;
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
      outputBytes += part.length;
      const text = decoder.write(part);
      if (text) cb.onOutput(stream, text);
      if (chunk.length > room) stop('output-limit', `output truncated after ${bytes(limits.outputLimitBytes)} (output limit)`);
    });
    source.on('end', () => {
      const rest = decoder.end();
      if (rest && stoppedFor?.reason !== 'output-limit') cb.onOutput(stream, rest);
    });
  }

  cb.onStage?.('sandbox: running');
  const { code, signal, error } = await ended;
  clearTimeout(hardTimer);
  clearTimeout(programTimer);
  clearTimeout(demoteTimer);
  cb.signal?.removeEventListener('abort', onAbort);
  cb.onStage?.('sandbox: program limits');
  await limiter.end();
  cb.onStage?.('sandbox: counters');
  const usage = await s.finish();
  const program = limiter.programHits(usage);
  const durationMs = Math.round(performance.now() - started);
  if (error) return { code: -1, reason: 'error', durationMs, message: `could not start the sandbox: ${error.message}` };
  const stopped = stoppedFor as { reason: ExitReason; message: string } | null;
  if (stopped?.reason === 'timeout' || stopped?.reason === 'output-limit') {
    // A command that hit a kernel limit and then hung (a fork bomb retrying its
    // forks) or spewed (a runtime's crash dump) is explained by the limit first.
    const hit = kernelLimitHit(usage, sandbox.limits, program);
    if (hit) return { code: code ?? 128 + 9, reason: hit.reason, durationMs, message: `${hit.message}; ${stopped.message}` };
  }
  if (stopped) return { code: code ?? 128 + 9, reason: stopped.reason, durationMs, message: stopped.message };
  const exitCode = code ?? 128 + (constants.signals[signal!] ?? 0);
  const why = explainExit(exitCode, signal, usage, sandbox.limits, program);
  if (why.reason === 'exited' && exitCode !== 0 && (await o.workspaceFull?.())) {
    return { code: exitCode, durationMs, reason: 'disk', message: `disk quota of ${bytes(sandbox.limits.diskQuotaBytes)} exceeded` };
  }
  return { code: exitCode, durationMs, ...why };
}
