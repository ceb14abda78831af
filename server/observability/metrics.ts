/**
 * The lab's Prometheus metrics (GET /metrics, text exposition format), on
 * prom-client: commands started and finished by kind, their durations, the
 * admission queue, refusals and sandbox kills by reason, open terminals and
 * connections, the grading queue, and prom-client's default process metrics.
 *
 * The rest of the server reports with one-line calls into this module
 * (commandStarted, sandboxEnded, refused); gauges read the live objects when
 * Prometheus scrapes (observeLab, observeGradingQueue), so nothing is counted
 * twice and nothing drifts.
 *
 * No learner data: every label value comes from a fixed list in this file
 * (kinds, exit reasons, refusal reasons), never from a request, a session, an
 * address or a learner's output. Who may read the page: routes.ts.
 */
import type { Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CheckResult, ExitReason } from '../../src/lib/protocol.ts';
import type { TerminalSlots } from '../fairness/terminal-slots.ts';

/** What a command is: a Run, an exercise check, a classroom submission's grading, a terminal. */
export type CommandKind = 'run' | 'check' | 'grading' | 'terminal';

/**
 * Why a request was refused (HTTP 429/503, a refused terminal upgrade): the
 * limit that said no. Busy (fairness/admission.ts) carries one.
 */
export type RefusalReason =
  | 'learner-places' // MAX_COMMANDS_PER_LEARNER
  | 'address-places' // MAX_COMMANDS_PER_ADDRESS
  | 'queue-full' // MAX_QUEUED_COMMANDS
  | 'api-rate' // API_REQUESTS_PER_SECOND
  | 'run-rate' // RUN_INTERVAL_MS
  | 'address-run-rate' // ADDRESS_RUNS_PER_SECOND
  | 'session-rate' // NEW_SESSIONS_PER_MINUTE
  | 'connections' // MAX_CONNECTIONS(_PER_CLIENT)
  | 'terminal' // MAX_TERMINALS(_PER_CLIENT), per-session terminals
  | 'other'; // a limit not yet given a reason of its own (classroom sign-in, streams…)

/**
 * How a command ended: a Run's or terminal's exit reason; a check's or
 * grading's status; "refused" when a limit turned it away after it was
 * counted (a full admission queue), "error" when the lab failed it.
 */
export type Outcome = ExitReason | CheckResult['status'] | 'refused';

/** Exit reasons that mean the lab stopped the sandbox (a limit, or a Stop), not that the program ended by itself. */
const KILL_REASONS: ReadonlySet<ExitReason> = new Set(['timeout', 'killed', 'output-limit', 'oom', 'pids', 'disk']);

/**
 * Duration buckets in seconds: a warm Run is ~0.3-1 s, a cold build a few
 * seconds, a check several Runs, the Run limit 30 s; terminals live minutes
 * to hours (TERMINAL_MAX_MS is 2 h).
 */
const DURATION_BUCKETS_SECONDS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 300, 1800, 7200];

/** One registry per process (a test's second server is another process). */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

const started = new Counter({
  name: 'golab_commands_started_total',
  help: 'Commands started, by kind (run, check, grading, terminal).',
  labelNames: ['kind'] as const,
  registers: [registry],
});
const finished = new Counter({
  name: 'golab_commands_finished_total',
  help: 'Commands finished, by kind and outcome (a Run or terminal: its exit reason; a check or grading: pass, fail or error).',
  labelNames: ['kind', 'outcome'] as const,
  registers: [registry],
});
const duration = new Histogram({
  name: 'golab_command_duration_seconds',
  help: 'Wall-clock time of a command, by kind: a Run or grading from admission to its end; a check including its wait for a slot; a terminal while open.',
  labelNames: ['kind'] as const,
  buckets: DURATION_BUCKETS_SECONDS,
  registers: [registry],
});
const kills = new Counter({
  name: 'golab_sandbox_kills_total',
  help: 'Sandboxed commands the lab stopped, by reason (timeout, output-limit, oom, pids, disk, killed = a Stop or a client gone).',
  labelNames: ['reason'] as const,
  registers: [registry],
});
const refusals = new Counter({
  name: 'golab_refusals_total',
  help: 'Requests refused by a limit (429, 503, refused terminals), by the limit that refused.',
  labelNames: ['reason'] as const,
  registers: [registry],
});
/** What the gauges read of the admission (fairness/admission.ts; not imported: it imports this module's reasons). */
interface AdmissionCounts {
  readonly queued: number;
  readonly running: number;
  readonly background: number;
}
const lastScrape = { lab: null as null | { admission: AdmissionCounts; terminals: TerminalSlots; server: Server } };

new Gauge({
  name: 'golab_admission_queue_length',
  help: 'Commands (Runs, checks, gradings) waiting for an admission slot.',
  registers: [registry],
  collect() {
    this.set(lastScrape.lab?.admission.queued ?? 0);
  },
});
new Gauge({
  name: 'golab_admission_running',
  help: 'Commands holding an admission slot now.',
  registers: [registry],
  collect() {
    this.set(lastScrape.lab?.admission.running ?? 0);
  },
});
new Gauge({
  name: 'golab_admission_background',
  help: 'Long commands that gave their slot back and run on in a background place (low CPU priority).',
  registers: [registry],
  collect() {
    this.set(lastScrape.lab?.admission.background ?? 0);
  },
});
new Gauge({
  name: 'golab_terminals_open',
  help: 'Terminals open on this server.',
  registers: [registry],
  collect() {
    this.set(lastScrape.lab?.terminals.open ?? 0);
  },
});
new Gauge({
  name: 'golab_http_connections_open',
  help: 'TCP connections open to the HTTP server (WebSockets and keep-alive ones included).',
  registers: [registry],
  async collect() {
    const server = lastScrape.lab?.server;
    if (!server) return this.set(0);
    this.set(await new Promise<number>((resolve) => server.getConnections((err, n) => resolve(err ? 0 : n))));
  },
});
let gradingQueue: { waiting: number; running: number } | null = null;
new Gauge({
  name: 'golab_grading_queue_length',
  help: 'Classroom submissions waiting to be graded (durable: they survive a restart).',
  registers: [registry],
  collect() {
    this.set(gradingQueue?.waiting ?? 0);
  },
});
new Gauge({
  name: 'golab_grading_running',
  help: 'Classroom submissions being graded now.',
  registers: [registry],
  collect() {
    this.set(gradingQueue?.running ?? 0);
  },
});

/** Gauges read these when scraped (app.ts calls it once the parts exist). */
export function observeLab(admission: AdmissionCounts, terminals: TerminalSlots, server: Server): void {
  lastScrape.lab = { admission, terminals, server };
}

/** The classroom's grading queue (classroom/routes.ts). */
export function observeGradingQueue(queue: { readonly waiting: number; readonly running: number }): void {
  gradingQueue = queue;
}

/**
 * A command of `kind` starts (after admission): returns the call that ends
 * it, with how it ended; calls after the first are ignored.
 */
export function commandStarted(kind: CommandKind): (outcome: Outcome) => void {
  started.inc({ kind });
  const end = duration.startTimer({ kind });
  let done = false;
  return (outcome) => {
    if (done) return;
    done = true;
    end();
    finished.inc({ kind, outcome });
  };
}

/**
 * Counts and times a command given as its promise: the outcome from its
 * result, or "refused" (Busy) or "error" when it throws, which it passes on.
 */
export async function observed<T>(kind: CommandKind, command: Promise<T>, outcome: (result: T) => Outcome): Promise<T> {
  const end = commandStarted(kind);
  try {
    const result = await command;
    end(outcome(result));
    return result;
  } catch (err) {
    end((err as Error | undefined)?.name === 'Busy' ? 'refused' : 'error');
    throw err;
  }
}

/** One sandboxed command ended (a Run, or one of a check's commands): counts the lab's kills by reason. */
export function sandboxEnded(reason: ExitReason): void {
  if (KILL_REASONS.has(reason)) kills.inc({ reason });
}

/** A limit refused a request. */
export function refused(reason: RefusalReason): void {
  refusals.inc({ reason });
}
