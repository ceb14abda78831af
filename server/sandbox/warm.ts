/**
 * Sandboxes started ahead of time. Starting one (cgroup, launcher, bwrap's
 * namespaces and mounts, seccomp) costs ~20 ms, a fifth of a warm `go run`.
 * After each Run of a session, the next sandbox for that session's workspace
 * is started in the background and waits, blocked on a pipe, until a command
 * arrives. Each command still gets a fresh sandbox and cgroup of its own;
 * only the start-up moved off the learner's critical path.
 *
 * The waiting process is a bash reading four NUL-terminated fields from fd 3
 * (working directory, CGO_ENABLED, whether the lab observes go commands, the
 * command line) and exec'ing `bash -c` on the command: the same process tree
 * as a cold start.
 *
 * Every sandbox started here is finished (its cgroup removed) on every path:
 * used for a command (the caller finishes it), killed when idle or evicted,
 * or dead on its own while waiting (killed from outside, crashed).
 */
import type { Writable } from 'node:stream';
import { SANDBOX_TOOLS } from './bwrap.ts';
import { SANDBOX_HOME } from '../workspace/mounts.ts';
import { startSandboxed, type Sandbox, type SpawnOptions, type Warm } from './sandbox.ts';
import { ensureMountPoints } from '../workspace/storage.ts';
import { log } from '../observability/log.ts';

/** The waiting shell's $0: visible in its command line until it execs the command. */
export const WAITING_NAME = 'lab-waiting-for-command';
/** The $0 of the shell that runs the command (its command line never holds the command itself). */
export const COMMAND_NAME = 'lab-command';

const WAIT_SCRIPT = [
  "IFS= read -r -d '' cwd <&3 && IFS= read -r -d '' cgo <&3 && IFS= read -r -d '' observe <&3 && IFS= read -r -d '' cmd <&3 || exit 125",
  'exec 3<&-',
  // Unobserved: no event channel, and the real go command first on PATH (the wrapper would only exec it).
  // The tools dir moves to the end rather than going: the learners' helpers (lab-steps, ...) stay
  // reachable, for exercise checks too, while `go` resolves to GOROOT's.
  `[ "$observe" = 1 ] || { unset LAB_EVENTS_FD; exec 4>&-; PATH=\${PATH#${SANDBOX_TOOLS}:}:${SANDBOX_TOOLS}; }`,
  'cd -- "$cwd" || exit 125',
  'export CGO_ENABLED="$cgo"',
  // The command reaches the new shell on fd 5, not in its arguments or environment:
  // /proc/<pid>/cmdline and environ are readable by every process of the sandbox,
  // and a grading's command checks are not for the learner's program to read.
  `exec -a ${COMMAND_NAME} /bin/bash -c 'IFS= read -r -d "" c <&5; exec 5<&-; eval "$c"' ${COMMAND_NAME} 5<<<"$cmd"`,
].join('\n');

/** The descriptor of the event channel inside the sandbox (server/phases/relay.ts reads it). */
export const EVENTS_FD = 4;

/** What a waiting sandbox is for: one workspace, as one uid. */
export type WarmOptions = Omit<SpawnOptions, 'command' | 'stdio' | 'cwd' | 'env'>;

/** Kills a sandbox nobody will use, and removes its cgroup once it has ended (already ended: at once). */
export function discard(w: Warm): void {
  w.child.kill('SIGKILL');
  void w.closed.then(() => w.finish()).catch((err) => log.error('ending a waiting sandbox failed', {}, err));
}

/** Starts a sandbox that waits for its command. */
export async function startWaiting(sandbox: Sandbox, o: WarmOptions): Promise<Warm> {
  // bubblewrap mounts the cache onto a path in the learner's home: it must
  // hold no symlink of theirs when bubblewrap follows it (storage.ts).
  await ensureMountPoints({ home: o.home, gocache: o.gocache ?? null }, o.user ?? null);
  const started = await startSandboxed(sandbox, {
    ...o,
    cwd: SANDBOX_HOME,
    // fd 3: the command, once; fd 4: the go wrapper's event channel (gowrap).
    env: { LAB_EVENTS_FD: String(EVENTS_FD) },
    stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
    // $0 names it, so it shows in `ps` (and host checks) as a sandbox that has no command yet.
    command: ['/bin/bash', '--noprofile', '--norc', '-c', WAIT_SCRIPT, WAITING_NAME],
  });
  const control = started.child.stdio[3] as Writable;
  control.on('error', () => {}); // a sandbox that died before its command: 'close' reports it
  const closed = new Promise<void>((resolve) => started.child.once('close', () => resolve()));
  return {
    ...started,
    closed,
    events: started.child.stdio[EVENTS_FD] as NodeJS.ReadableStream,
    deliver(cwd, cgo, observe, commandLine) {
      const fields = [cwd, cgo ? '1' : '0', observe ? '1' : '0', commandLine];
      if (fields.some((f) => f.includes('\0'))) throw new Error('a NUL byte cannot be passed to the sandbox');
      control.end(fields.map((f) => f + '\0').join(''));
    },
  };
}

/**
 * At most one waiting sandbox per workspace, `max` in all (the oldest goes
 * first), each killed after `idleMs` unused.
 */
export class WarmPool {
  readonly #sandbox: Sandbox;
  readonly #max: number;
  readonly #idleMs: number;
  readonly #ready = new Map<string, { warm: Promise<Warm>; timer: NodeJS.Timeout }>();
  /** Set at shutdown: no sandbox is started ahead any more (its cgroup would outlive the sweep). */
  #closed = false;

  constructor(sandbox: Sandbox, max: number, idleMs: number) {
    this.#sandbox = sandbox;
    this.#max = max;
    this.#idleMs = idleMs;
  }

  get size(): number {
    return this.#ready.size;
  }

  /** The workspace's waiting sandbox if one is ready and alive, else a new one. */
  async take(key: string, o: WarmOptions): Promise<Warm> {
    const entry = this.#ready.get(key);
    if (entry) {
      this.#ready.delete(key);
      clearTimeout(entry.timer);
      const warm = await entry.warm.catch(() => null);
      if (warm && warm.child.exitCode === null && warm.child.signalCode === null) {
        // Its mount points were checked when it started; a learner's command
        // since may have changed them, which only matters to the next start.
        return warm;
      }
      if (warm) discard(warm);
    }
    return startWaiting(this.#sandbox, o);
  }

  /** Starts the workspace's next sandbox in the background. */
  refill(key: string, o: WarmOptions): void {
    if (this.#max === 0 || this.#closed || this.#ready.has(key)) return;
    if (this.#ready.size >= this.#max) this.drop(this.#ready.keys().next().value!);
    const warm = startWaiting(this.#sandbox, o);
    const mine = () => this.#ready.get(key)?.warm === warm;
    // Each check is of this very entry: a later one for the same workspace is not touched.
    const timer = setTimeout(() => {
      if (mine()) this.drop(key);
    }, this.#idleMs);
    timer.unref();
    this.#ready.set(key, { warm, timer });
    warm.then(
      (w) =>
        w.closed.then(() => {
          // It died while waiting (killed from outside, crashed): forget it and remove its cgroup.
          if (!mine()) return; // taken (its user finishes it) or already dropped
          this.#ready.delete(key);
          clearTimeout(timer);
          void w.finish().catch((err) => log.error('ending a waiting sandbox failed', {}, err));
        }),
      () => {
        if (!mine()) return;
        this.#ready.delete(key);
        clearTimeout(timer);
      },
    );
  }

  /** Kills the workspace's waiting sandbox (the workspace is closing, or idle). */
  drop(key: string): void {
    const entry = this.#ready.get(key);
    if (!entry) return;
    this.#ready.delete(key);
    clearTimeout(entry.timer);
    void entry.warm.then(discard, () => {});
  }

  dropAll(): void {
    for (const key of [...this.#ready.keys()]) this.drop(key);
  }

  /** At shutdown: kills every waiting sandbox and starts no more. */
  close(): void {
    this.#closed = true;
    this.dropAll();
  }
}
