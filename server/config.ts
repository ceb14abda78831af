/**
 * Every setting of the lab server, and every limit an operator may change,
 * in one place: LIMIT_GROUPS declares each with its default and what it
 * limits; the environment variable of the same name overrides it (tests
 * shorten time limits this way). Read once at start-up. Limits that are not
 * the operator's to change are named constants next to what they limit.
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

/**
 * The default of an operator-tunable limit: a number, or one computed from the
 * machine at start-up (with the words the docs show for it). `fraction`
 * allows a non-integer override (CPU cores).
 */
type LimitDefault = number | { default: () => number; shown: string; fraction?: boolean };

/** Limits that go together, with what they limit (the docs table's row). */
interface LimitGroup {
  doc: string;
  limits: Readonly<Record<string, LimitDefault>>;
}

/**
 * Every operator-tunable limit, declared once: loadConfig reads each from the
 * environment variable of its name (falling back to its default), and
 * docs/security.md's "Every limit" table is generated from it (limitsTable;
 * tests/unit/server/limits-table.test.ts fails when the two disagree;
 * `node scripts/limits-table.ts` rewrites the doc's table).
 */
export const LIMIT_GROUPS = [
  {
    doc: 'Host uids (and gids of the same number) sandboxed commands run as when the server is root: a pool, SANDBOX_UID_BASE .. +SANDBOX_UID_COUNT-1, one per session (by a hash of its id), so no uid is shared by all learners.',
    limits: {
      SANDBOX_UID_BASE: 61000,
      SANDBOX_UID_COUNT: 1000,
    },
  },
  {
    doc: 'Wall clock of one Run command while it builds (or runs anything that is not a go-run program).',
    limits: {
      RUN_TIMEOUT_MS: 30_000,
    },
  },
  {
    doc: "Wall clock of the program once `go run` / `go test` starts it (from the toolchain's own trace).",
    limits: {
      PROGRAM_TIMEOUT_MS: 10_000,
    },
  },
  {
    doc: 'Memory (RAM, no swap) of one command or terminal, all its processes together: the compiler and linker need it (a build of a 3-million-element literal takes over 1 GiB); the program inside gets less, below.',
    limits: {
      MEMORY_LIMIT_BYTES: 1024 * 1024 * 1024,
    },
  },
  {
    doc: 'Processes + threads of one command or terminal (the go command runs compiles in parallel; Go programs need threads).',
    limits: {
      TASKS_LIMIT: 256,
    },
  },
  {
    doc: "Memory and tasks of the program `go run` starts, on top of what the toolchain holds then (the command's cgroup is tightened while it runs; server/sandbox/program-limits.ts): a program needs far less than the toolchain that built it.",
    limits: {
      PROGRAM_MEMORY_LIMIT_BYTES: 256 * 1024 * 1024,
      PROGRAM_TASKS_LIMIT: 128,
    },
  },
  {
    doc: 'CPU cores one command or terminal may use at most (cgroup quota). All cores by default: the go command checks staleness in parallel (a 1-core cap made a warm `go run` 60% slower); fairness comes from CPU weights instead.',
    limits: {
      CPU_CORES_LIMIT: { default: () => availableParallelism(), shown: 'all cores', fraction: true },
    },
  },
  {
    doc: 'Open files per process.',
    limits: {
      OPEN_FILES_LIMIT: 1024,
    },
  },
  {
    doc: 'Largest file a sandboxed process may write.',
    limits: {
      FILE_SIZE_LIMIT_BYTES: 64 * 1024 * 1024,
    },
  },
  {
    doc: 'Bytes of stdout+stderr one Run may produce before it is stopped.',
    limits: {
      RUN_OUTPUT_LIMIT_BYTES: 1024 * 1024,
    },
  },
  {
    doc: 'A terminal with no input for this long is closed.',
    limits: {
      TERMINAL_IDLE_MS: 15 * 60_000,
    },
  },
  {
    doc: 'A terminal is closed after this long, active or not.',
    limits: {
      TERMINAL_MAX_MS: 2 * 60 * 60_000,
    },
  },
  {
    doc: 'Idle time after which a terminal is closed while other learners wait for one (fairness/terminal-slots.ts).',
    limits: {
      TERMINAL_IDLE_UNDER_PRESSURE_MS: 2 * 60_000,
    },
  },
  {
    doc: 'Size of one file a client may save or run.',
    limits: {
      MAX_FILE_BYTES: 256 * 1024,
    },
  },
  {
    doc: "Largest build artifact the page may read back from a workspace (GET /api/workspace/artifact: the compiler's ssa.html of GOSSAFUNC, a few hundred KiB for a small function).",
    limits: {
      MAX_ARTIFACT_BYTES: 8 * 1024 * 1024,
    },
  },
  {
    doc: 'Disk of one workspace, its build cache included (an ext4 image when root).',
    limits: {
      DISK_QUOTA_BYTES: 128 * 1024 * 1024,
    },
  },
  {
    doc: 'Files and directories one workspace may hold.',
    limits: {
      DISK_QUOTA_INODES: 16384,
    },
  },
  {
    doc: "Sandboxes kept started ahead of a session's next Run (0: none), and how long one may wait.",
    limits: {
      WARM_SANDBOXES: 32,
      WARM_SANDBOX_IDLE_MS: 5 * 60_000,
    },
  },
  {
    doc: 'A workspace unused this long is closed (unmounted) and its cache trimmed.',
    limits: {
      SESSION_IDLE_MS: 30 * 60_000,
    },
  },
  {
    doc: 'A workspace unused this long is deleted.',
    limits: {
      WORKSPACE_RETENTION_MS: 30 * 24 * 60 * 60_000,
    },
  },
  {
    doc: 'How often the reaper looks.',
    limits: {
      REAP_INTERVAL_MS: 60_000,
    },
  },
  {
    doc: 'Commands (Runs) running at once: two per core by default. Each is capped at CPU_CORES_LIMIT and long ones lose CPU weight, so a slot held by a busy loop does not hold a core hostage; more slots than cores keeps short Runs moving.',
    limits: {
      MAX_CONCURRENT_COMMANDS: { default: () => 2 * availableParallelism(), shown: '2 per core' },
    },
  },
  {
    doc: "Commands that lost their CPU priority (long ones, a heavy client's, queued gradings) give their slot back and run on in one of these places instead (server/fairness/admission.ts), so a newcomer never waits for a busy loop to reach its time limit. 0 keeps them in their slots.",
    limits: {
      MAX_BACKGROUND_COMMANDS: { default: () => 2 * availableParallelism(), shown: '2 per core' },
    },
  },
  {
    doc: 'Runs and checks waiting for a slot before new ones get 429 (a class of 30 pressing at once fits).',
    limits: {
      MAX_QUEUED_COMMANDS: 64,
    },
  },
  {
    doc: 'Runs and checks one learner (session, or classroom learner) may have running or queued.',
    limits: {
      MAX_COMMANDS_PER_LEARNER: 2,
    },
  },
  {
    doc: "Runs and checks one client address may have running or queued: an abuse backstop, sized for a class of 40 behind one school address, below the queue's size so one address's sessions cannot fill it for everyone.",
    limits: {
      MAX_COMMANDS_PER_ADDRESS: 48,
    },
  },
  {
    doc: 'Terminals open on the machine at once.',
    limits: {
      MAX_TERMINALS: 32,
    },
  },
  {
    doc: 'Terminals one client address may hold at once: a class of 30 behind one school NAT gets one each, yet one client cannot take every slot of the machine (MAX_TERMINALS is larger; the rest stay for other addresses).',
    limits: {
      MAX_TERMINALS_PER_CLIENT: 30,
    },
  },
  {
    doc: "Memory (RAM, no swap) of all sandboxes together: a limit on the server's parent cgroup (golab/s<pid>), so the kernel keeps the sum of the commands' and terminals' MEMORY_LIMIT_BYTES (32 terminals x 1 GiB) inside the machine. Default: a share of the machine's memory (or of the server's own cgroup limit, if lower); the rest is the server's and the OS's.",
    limits: {
      MEMORY_BUDGET_BYTES: {
        default: () => Math.floor((machineMemory() * MEMORY_BUDGET_PERCENT) / 100),
        shown: `${MEMORY_BUDGET_PERCENT} % of the machine's memory`,
      },
    },
  },
  {
    doc: 'HTTP time-outs, sized for a slow school network: the request head must arrive within HTTP_HEADERS_TIMEOUT_MS, the whole request (a file save) within HTTP_REQUEST_TIMEOUT_MS; an idle keep-alive connection is closed after HTTP_KEEP_ALIVE_TIMEOUT_MS. Slow or silent connections cannot hold a file descriptor for long.',
    limits: {
      HTTP_HEADERS_TIMEOUT_MS: 20_000,
      HTTP_REQUEST_TIMEOUT_MS: 60_000,
      HTTP_KEEP_ALIVE_TIMEOUT_MS: 10_000,
    },
  },
  {
    doc: 'Open connections per client address (a browser opens up to 6 per host, plus its terminals: 40 browsers behind one NAT fit), and on the server in all (well below the file-descriptor limit, which sandboxes share). Beyond them a connection is answered 503 and closed at once. Behind a trusted proxy (TRUST_PROXY) every connection comes from the proxy: only the total applies, and the proxy should cap connections per client itself.',
    limits: {
      MAX_CONNECTIONS_PER_CLIENT: 300,
      MAX_CONNECTIONS: 4096,
    },
  },
  {
    doc: 'New sessions one client address may create per minute (burst of the same size).',
    limits: {
      NEW_SESSIONS_PER_MINUTE: 100,
    },
  },
  {
    doc: 'Runs and checks per learner: a burst, then one per RUN_INTERVAL_MS (pressing Run every second is plenty).',
    limits: {
      RUNS_BURST: 10,
      RUN_INTERVAL_MS: 1000,
    },
  },
  {
    doc: 'Runs and checks per client address (a backstop sized for a class of 40 behind one address): burst, then per second.',
    limits: {
      ADDRESS_RUNS_BURST: 200,
      ADDRESS_RUNS_PER_SECOND: 20,
    },
  },
  {
    doc: 'API requests per client address: burst, then this many per second.',
    limits: {
      API_REQUESTS_BURST: 600,
      API_REQUESTS_PER_SECOND: 60,
    },
  },
  {
    doc: 'Terminal messages per connection: burst, then this many per second (typing and pastes fit easily).',
    limits: {
      TERMINAL_MESSAGES_BURST: 2000,
      TERMINAL_MESSAGES_PER_SECOND: 200,
    },
  },
  {
    doc: 'Classroom (server/classroom/): teacher sign-in and sign-up attempts, per client address and (sign-in) per email: a burst, then this many per minute. Each attempt costs a memory-hard hash, and the limit is what makes guessing a password slow.',
    limits: {
      SIGN_IN_BURST: 10,
      SIGN_IN_PER_MINUTE: 5,
    },
  },
  {
    doc: 'Join and recovery-code attempts per client address (codes are guessable only this slowly).',
    limits: {
      CODE_ATTEMPTS_BURST: 20,
      CODE_ATTEMPTS_PER_MINUTE: 10,
    },
  },
  {
    doc: "How long a teacher's sign-in, and a learner's cookie, stay valid.",
    limits: {
      TEACHER_SESSION_MS: 7 * 24 * 60 * 60_000,
      LEARNER_SESSION_MS: 180 * 24 * 60 * 60_000,
    },
  },
] as const satisfies readonly LimitGroup[];

type KeysOf<T> = T extends unknown ? keyof T : never;
/** The name of a limit (and of the environment variable that overrides it). */
export type LimitName = KeysOf<(typeof LIMIT_GROUPS)[number]['limits']>;

export interface LabConfig extends Record<LimitName, number> {
  /** Repository root: content/ and the built site live here. */
  root: string;
  host: string;
  port: number;
  /** Learner workspaces, session caches, and the classroom database (classroom/classroom.sqlite). */
  dataDir: string;
  /**
   * DATABASE_URL: the classroom's PostgreSQL database (postgres://user:pass@host/db);
   * null keeps it in SQLite under dataDir (docs/operations.md).
   */
  databaseUrl: string | null;
  /** The prepared sandbox (synthetic /etc, pty host, std build cache); made by prepare.ts. */
  sandboxDir: string;
  /** The built static site (Astro's dist/). */
  siteDir: string;
  /** Lesson starting files: content/<lesson id>/files/. */
  contentDir: string;
  /** Take the client address from X-Forwarded-For (only behind a proxy you run). */
  TRUST_PROXY: boolean;
  /** Bearer token GET /metrics requires; unset: /metrics answers loopback clients only (observability/routes.ts). */
  METRICS_TOKEN: string | null;
}

/** A limit's value: its environment variable when set (checked), else its default. */
function limitValue(name: string, spec: LimitDefault): number {
  if (typeof spec === 'number') return int(name, spec);
  if (!spec.fraction) return int(name, spec.default());
  const raw = env(name);
  if (raw === undefined) return spec.default();
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
  return value;
}

export function loadConfig(): LabConfig {
  const dataDir = resolve(env('DATA_DIR') ?? join(ROOT, '.data'));
  const limits = {} as Record<LimitName, number>;
  for (const group of LIMIT_GROUPS) {
    for (const [name, spec] of Object.entries(group.limits)) limits[name as LimitName] = limitValue(name, spec);
  }
  return {
    root: ROOT,
    host: env('HOST') ?? '0.0.0.0',
    port: int('PORT', 4321),
    dataDir,
    databaseUrl: env('DATABASE_URL') ?? null,
    sandboxDir: resolve(env('SANDBOX_DIR') ?? join(dataDir, 'sandbox')),
    siteDir: resolve(env('SITE_DIR') ?? join(ROOT, 'dist')),
    contentDir: resolve(env('CONTENT_DIR') ?? join(ROOT, 'content')),
    ...limits,
    TRUST_PROXY: env('TRUST_PROXY') === '1',
    METRICS_TOKEN: env('METRICS_TOKEN') ?? null,
  };
}

const UNITS: ReadonlyArray<[string, number]> = [
  ['d', 24 * 60 * 60_000],
  ['h', 60 * 60_000],
  ['min', 60_000],
  ['s', 1000],
];
const SIZES: ReadonlyArray<[string, number]> = [
  ['GiB', 1024 ** 3],
  ['MiB', 1024 ** 2],
  ['KiB', 1024],
];

/** A default as the docs show it: times and sizes in their largest whole unit. */
function shownDefault(name: string, spec: LimitDefault): string {
  if (typeof spec !== 'number') return spec.shown;
  const units = name.endsWith('_MS') ? UNITS : name.endsWith('_BYTES') ? SIZES : [];
  for (const [unit, size] of units) if (spec >= size && spec % size === 0) return `${spec / size} ${unit}`;
  return name.endsWith('_MS') ? `${spec} ms` : name.endsWith('_BYTES') ? `${spec} bytes` : String(spec);
}

/** docs/security.md's "Every limit" table (Markdown), from LIMIT_GROUPS. */
export function limitsTable(): string {
  const rows = LIMIT_GROUPS.map((group) => {
    const names = Object.entries(group.limits).map(([name, spec]) => `\`${name}\` = ${shownDefault(name, spec)}`);
    return `| ${names.join('<br>')} | ${group.doc.replaceAll('|', '\\|')} |`;
  });
  return ['| environment variable = default | what it limits |', '|---|---|', ...rows].join('\n') + '\n';
}

/** True when the server must drop to the sandbox uid (it runs as root). */
export function runsAsRoot(): boolean {
  return process.getuid?.() === 0;
}
