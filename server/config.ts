/**
 * Every setting and limit of the lab server, in one place.
 *
 * Each limit is a named constant with its default next to what it limits;
 * the environment variable of the same name overrides it (tests shorten
 * time limits this way). Read once at start-up.
 */
import { availableParallelism, totalmem } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

function env(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
}

function int(name: string, fallback: number): number {
  const raw = env(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  }
  return value;
}

export interface LabConfig {
  /** Repository root: content/ and the built site live here. */
  root: string;
  host: string;
  port: number;
  /** Learner workspaces, session caches, and the classroom database (classroom/classroom.sqlite). */
  dataDir: string;
  /** The prepared sandbox (synthetic /etc, pty host, std build cache); made by prepare.ts. */
  sandboxDir: string;
  /** The built static site (Astro's dist/). */
  siteDir: string;
  /** Lesson starting files: content/<lesson id>/files/. */
  contentDir: string;

  /**
   * Host uids (and gids of the same number) sandboxed commands run as when the
   * server is root: a pool, SANDBOX_UID_BASE .. +SANDBOX_UID_COUNT-1, one per
   * session (by a hash of its id), so no uid is shared by all learners.
   */
  SANDBOX_UID_BASE: number;
  SANDBOX_UID_COUNT: number;

  /** Wall clock of one Run command while it builds (or runs anything that is not a go-run program). */
  RUN_TIMEOUT_MS: number;
  /** Wall clock of the program once `go run` / `go test` starts it (from the toolchain's own trace). */
  PROGRAM_TIMEOUT_MS: number;
  /**
   * Memory (RAM, no swap) of one command or terminal, all its processes
   * together: the compiler and linker need it (a build of a 3-million-element
   * literal takes over 1 GiB); the program inside gets less, below.
   */
  MEMORY_LIMIT_BYTES: number;
  /** Processes + threads of one command or terminal (the go command runs compiles in parallel; Go programs need threads). */
  TASKS_LIMIT: number;
  /**
   * Memory and tasks of the program `go run` starts, on top of what the
   * toolchain holds then (the command's cgroup is tightened while it runs;
   * server/sandbox/program-limits.ts): a program needs far less than the
   * toolchain that built it.
   */
  PROGRAM_MEMORY_LIMIT_BYTES: number;
  PROGRAM_TASKS_LIMIT: number;
  /** CPU cores one command or terminal may use at most (cgroup quota). */
  CPU_CORES_LIMIT: number;
  /** Open files per process. */
  OPEN_FILES_LIMIT: number;
  /** Largest file a sandboxed process may write. */
  FILE_SIZE_LIMIT_BYTES: number;
  /** Bytes of stdout+stderr one Run may produce before it is stopped. */
  RUN_OUTPUT_LIMIT_BYTES: number;
  /** A terminal with no input for this long is closed. */
  TERMINAL_IDLE_MS: number;
  /** A terminal is closed after this long, active or not. */
  TERMINAL_MAX_MS: number;
  /** Idle time after which a terminal is closed while other learners wait for one (fairness/terminal-slots.ts). */
  TERMINAL_IDLE_UNDER_PRESSURE_MS: number;
  /** Size of one file a client may save or run. */
  MAX_FILE_BYTES: number;
  /**
   * Largest build artifact the page may read back from a workspace
   * (GET /api/workspace/artifact: the compiler's ssa.html of GOSSAFUNC, a few
   * hundred KiB for a small function).
   */
  MAX_ARTIFACT_BYTES: number;

  /** Disk of one workspace, its build cache included (an ext4 image when root). */
  DISK_QUOTA_BYTES: number;
  /** Files and directories one workspace may hold. */
  DISK_QUOTA_INODES: number;
  /** Sandboxes kept started ahead of a session's next Run (0: none), and how long one may wait. */
  WARM_SANDBOXES: number;
  WARM_SANDBOX_IDLE_MS: number;
  /** A workspace unused this long is closed (unmounted) and its cache trimmed. */
  SESSION_IDLE_MS: number;
  /** A workspace unused this long is deleted. */
  WORKSPACE_RETENTION_MS: number;
  /** How often the reaper looks. */
  REAP_INTERVAL_MS: number;

  /**
   * Commands (Runs) running at once: two per core by default. Each is capped at
   * CPU_CORES_LIMIT and long ones lose CPU weight, so a slot held by a busy loop
   * does not hold a core hostage; more slots than cores keeps short Runs moving.
   */
  MAX_CONCURRENT_COMMANDS: number;
  /** Runs and checks waiting for a slot before new ones get 429 (a class of 30 pressing at once fits). */
  MAX_QUEUED_COMMANDS: number;
  /** Runs and checks one learner (session, or classroom learner) may have running or queued. */
  MAX_COMMANDS_PER_LEARNER: number;
  /**
   * Runs and checks one client address may have running or queued: an abuse
   * backstop, sized for a class of 40 behind one school address, below the
   * queue's size so one address's sessions cannot fill it for everyone.
   */
  MAX_COMMANDS_PER_ADDRESS: number;
  /** Terminals open on the machine at once. */
  MAX_TERMINALS: number;
  /**
   * Terminals one client address may hold at once: a class of 30 behind one
   * school NAT gets one each, yet one client cannot take every slot of the
   * machine (MAX_TERMINALS is larger; the rest stay for other addresses).
   */
  MAX_TERMINALS_PER_CLIENT: number;
  /**
   * Memory (RAM, no swap) of all sandboxes together: a limit on the server's
   * parent cgroup (golab/s<pid>), so the kernel keeps the sum of the commands'
   * and terminals' MEMORY_LIMIT_BYTES (32 terminals x 1 GiB) inside the
   * machine. Default: MEMORY_BUDGET_PERCENT of the machine's memory (or of the
   * server's own cgroup limit, if lower); the rest is the server's and the OS's.
   */
  MEMORY_BUDGET_BYTES: number;

  /**
   * HTTP time-outs, sized for a slow school network: the request head must
   * arrive within HTTP_HEADERS_TIMEOUT_MS, the whole request (a file save)
   * within HTTP_REQUEST_TIMEOUT_MS; an idle keep-alive connection is closed
   * after HTTP_KEEP_ALIVE_TIMEOUT_MS. Slow or silent connections cannot
   * hold a file descriptor for long.
   */
  HTTP_HEADERS_TIMEOUT_MS: number;
  HTTP_REQUEST_TIMEOUT_MS: number;
  HTTP_KEEP_ALIVE_TIMEOUT_MS: number;
  /**
   * Open connections per client address (a browser opens up to 6 per host,
   * plus its terminals: 40 browsers behind one NAT fit), and on the server in
   * all (well below the file-descriptor limit, which sandboxes share). Beyond
   * them a connection is answered 503 and closed at once. Behind a trusted
   * proxy (TRUST_PROXY) every connection comes from the proxy: only the total
   * applies, and the proxy should cap connections per client itself.
   */
  MAX_CONNECTIONS_PER_CLIENT: number;
  MAX_CONNECTIONS: number;
  /** New sessions one client address may create per minute (burst of the same size). */
  NEW_SESSIONS_PER_MINUTE: number;
  /** Runs and checks per learner: a burst, then one per RUN_INTERVAL_MS (pressing Run every second is plenty). */
  RUNS_BURST: number;
  RUN_INTERVAL_MS: number;
  /** Runs and checks per client address (a backstop sized for a class of 40 behind one address): burst, then per second. */
  ADDRESS_RUNS_BURST: number;
  ADDRESS_RUNS_PER_SECOND: number;
  /** API requests per client address: burst, then this many per second. */
  API_REQUESTS_BURST: number;
  API_REQUESTS_PER_SECOND: number;
  /** Terminal messages per connection: burst, then this many per second (typing and pastes fit easily). */
  TERMINAL_MESSAGES_BURST: number;
  TERMINAL_MESSAGES_PER_SECOND: number;
  /** Take the client address from X-Forwarded-For (only behind a proxy you run). */
  TRUST_PROXY: boolean;
  /** Bearer token GET /metrics requires; unset: /metrics answers loopback clients only (observability/routes.ts). */
  METRICS_TOKEN: string | null;

  /**
   * Classroom (server/classroom/): teacher sign-in and sign-up attempts, per
   * client address and (sign-in) per email: a burst, then this many per minute.
   * Each attempt costs a memory-hard hash, and the limit is what makes guessing
   * a password slow.
   */
  SIGN_IN_BURST: number;
  SIGN_IN_PER_MINUTE: number;
  /** Join and recovery-code attempts per client address (codes are guessable only this slowly). */
  CODE_ATTEMPTS_BURST: number;
  CODE_ATTEMPTS_PER_MINUTE: number;
  /** How long a teacher's sign-in, and a learner's cookie, stay valid. */
  TEACHER_SESSION_MS: number;
  LEARNER_SESSION_MS: number;
}

/**
 * Share of the machine's memory that sandboxes may use together (MEMORY_BUDGET_BYTES):
 * the rest keeps the server, the OS and the page cache of the toolchain alive.
 */
const MEMORY_BUDGET_PERCENT = 75;

/** RAM of the machine, or the server's own cgroup limit when that is lower (a container). */
function machineMemory(): number {
  const constrained = process.constrainedMemory?.() ?? 0;
  return constrained > 0 ? Math.min(totalmem(), constrained) : totalmem();
}

export function loadConfig(): LabConfig {
  const dataDir = resolve(env('DATA_DIR') ?? join(ROOT, '.data'));
  return {
    root: ROOT,
    host: env('HOST') ?? '0.0.0.0',
    port: int('PORT', 4321),
    dataDir,
    sandboxDir: resolve(env('SANDBOX_DIR') ?? join(dataDir, 'sandbox')),
    siteDir: resolve(env('SITE_DIR') ?? join(ROOT, 'dist')),
    contentDir: resolve(env('CONTENT_DIR') ?? join(ROOT, 'content')),
    SANDBOX_UID_BASE: int('SANDBOX_UID_BASE', 61000),
    SANDBOX_UID_COUNT: int('SANDBOX_UID_COUNT', 1000),
    RUN_TIMEOUT_MS: int('RUN_TIMEOUT_MS', 30_000),
    PROGRAM_TIMEOUT_MS: int('PROGRAM_TIMEOUT_MS', 10_000),
    MEMORY_LIMIT_BYTES: int('MEMORY_LIMIT_BYTES', 1024 * 1024 * 1024),
    TASKS_LIMIT: int('TASKS_LIMIT', 256),
    PROGRAM_MEMORY_LIMIT_BYTES: int('PROGRAM_MEMORY_LIMIT_BYTES', 256 * 1024 * 1024),
    PROGRAM_TASKS_LIMIT: int('PROGRAM_TASKS_LIMIT', 128),
    // All cores by default: the go command checks staleness in parallel (a 1-core cap
    // made a warm `go run` 60% slower); fairness comes from CPU weights instead.
    CPU_CORES_LIMIT: Number(env('CPU_CORES_LIMIT') ?? availableParallelism()),
    OPEN_FILES_LIMIT: int('OPEN_FILES_LIMIT', 1024),
    FILE_SIZE_LIMIT_BYTES: int('FILE_SIZE_LIMIT_BYTES', 64 * 1024 * 1024),
    RUN_OUTPUT_LIMIT_BYTES: int('RUN_OUTPUT_LIMIT_BYTES', 1024 * 1024),
    TERMINAL_IDLE_MS: int('TERMINAL_IDLE_MS', 15 * 60_000),
    TERMINAL_MAX_MS: int('TERMINAL_MAX_MS', 2 * 60 * 60_000),
    TERMINAL_IDLE_UNDER_PRESSURE_MS: int('TERMINAL_IDLE_UNDER_PRESSURE_MS', 2 * 60_000),
    MAX_FILE_BYTES: int('MAX_FILE_BYTES', 256 * 1024),
    MAX_ARTIFACT_BYTES: int('MAX_ARTIFACT_BYTES', 8 * 1024 * 1024),
    WARM_SANDBOXES: int('WARM_SANDBOXES', 32),
    WARM_SANDBOX_IDLE_MS: int('WARM_SANDBOX_IDLE_MS', 5 * 60_000),
    DISK_QUOTA_BYTES: int('DISK_QUOTA_BYTES', 128 * 1024 * 1024),
    DISK_QUOTA_INODES: int('DISK_QUOTA_INODES', 16384),
    SESSION_IDLE_MS: int('SESSION_IDLE_MS', 30 * 60_000),
    WORKSPACE_RETENTION_MS: int('WORKSPACE_RETENTION_MS', 30 * 24 * 60 * 60_000),
    REAP_INTERVAL_MS: int('REAP_INTERVAL_MS', 60_000),
    MAX_CONCURRENT_COMMANDS: int('MAX_CONCURRENT_COMMANDS', 2 * availableParallelism()),
    MAX_QUEUED_COMMANDS: int('MAX_QUEUED_COMMANDS', 64),
    MAX_COMMANDS_PER_LEARNER: int('MAX_COMMANDS_PER_LEARNER', 2),
    MAX_COMMANDS_PER_ADDRESS: int('MAX_COMMANDS_PER_ADDRESS', 48),
    MAX_TERMINALS: int('MAX_TERMINALS', 32),
    MAX_TERMINALS_PER_CLIENT: int('MAX_TERMINALS_PER_CLIENT', 30),
    MEMORY_BUDGET_BYTES: int('MEMORY_BUDGET_BYTES', Math.floor(machineMemory() * MEMORY_BUDGET_PERCENT / 100)),
    HTTP_HEADERS_TIMEOUT_MS: int('HTTP_HEADERS_TIMEOUT_MS', 20_000),
    HTTP_REQUEST_TIMEOUT_MS: int('HTTP_REQUEST_TIMEOUT_MS', 60_000),
    HTTP_KEEP_ALIVE_TIMEOUT_MS: int('HTTP_KEEP_ALIVE_TIMEOUT_MS', 10_000),
    MAX_CONNECTIONS_PER_CLIENT: int('MAX_CONNECTIONS_PER_CLIENT', 300),
    MAX_CONNECTIONS: int('MAX_CONNECTIONS', 4096),
    NEW_SESSIONS_PER_MINUTE: int('NEW_SESSIONS_PER_MINUTE', 100),
    RUNS_BURST: int('RUNS_BURST', 10),
    RUN_INTERVAL_MS: int('RUN_INTERVAL_MS', 1000),
    ADDRESS_RUNS_BURST: int('ADDRESS_RUNS_BURST', 200),
    ADDRESS_RUNS_PER_SECOND: int('ADDRESS_RUNS_PER_SECOND', 20),
    API_REQUESTS_BURST: int('API_REQUESTS_BURST', 600),
    API_REQUESTS_PER_SECOND: int('API_REQUESTS_PER_SECOND', 60),
    TERMINAL_MESSAGES_BURST: int('TERMINAL_MESSAGES_BURST', 2000),
    TERMINAL_MESSAGES_PER_SECOND: int('TERMINAL_MESSAGES_PER_SECOND', 200),
    TRUST_PROXY: env('TRUST_PROXY') === '1',
    METRICS_TOKEN: env('METRICS_TOKEN') ?? null,
    SIGN_IN_BURST: int('SIGN_IN_BURST', 10),
    SIGN_IN_PER_MINUTE: int('SIGN_IN_PER_MINUTE', 5),
    CODE_ATTEMPTS_BURST: int('CODE_ATTEMPTS_BURST', 20),
    CODE_ATTEMPTS_PER_MINUTE: int('CODE_ATTEMPTS_PER_MINUTE', 10),
    TEACHER_SESSION_MS: int('TEACHER_SESSION_MS', 7 * 24 * 60 * 60_000),
    LEARNER_SESSION_MS: int('LEARNER_SESSION_MS', 180 * 24 * 60 * 60_000),
  };
}

/** True when the server must drop to the sandbox uid (it runs as root). */
export function runsAsRoot(): boolean {
  return process.getuid?.() === 0;
}
