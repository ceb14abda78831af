/**
 * Reads the event channel of a sandboxed command (written by the go wrapper,
 * server/sandbox/gowrap) and turns it into protocol events: one CommandEvent
 * per observed go command, then its PhaseEvents (from the streamed
 * -debug-trace), GraphEvents (the action graph before and after the build).
 *
 * The channel is inside the learner's sandbox, so anything may arrive on it:
 * an unreadable line, or a trace the parsers do not know, ends the phase view
 * with a PhaseErrorEvent that says why (never a silent empty view), and the
 * command itself goes on.
 *
 * Anything may arrive in any amount, too: a Run's relay has a budget (bytes
 * read, events made), like the command's output limit. Past it the view stops
 * with one PhaseErrorEvent; the caller keeps reading the channel and the relay
 * drops what comes, unread and unbuffered, so the go wrapper never blocks.
 */
import { LineSplitter } from '../../src/lib/lines.ts';
import { StringDecoder } from 'node:string_decoder';
import type { CommandEndEvent, CommandEvent, GraphEvent, PhaseErrorEvent, PhaseEvent } from '../../src/lib/protocol.ts';
import { actionGraphOf } from './graph.ts';
import { TraceReader } from './trace.ts';

export type RelayEvent = CommandEvent | PhaseEvent | GraphEvent | PhaseErrorEvent | CommandEndEvent;

/**
 * Longest line accepted on the channel, in characters. The longest real line
 * is the final action graph: 43 KB for a lesson's go run, 114 KB for its
 * go test, 138 KB for a program importing net/http, database/sql,
 * html/template and crypto/tls, 251 KB for `go build std` (measured). A
 * partial line waits in memory until its newline: this is what one Run can
 * hold of it (at most 2 MB as a JavaScript string), so it stays near what is
 * real rather than generous.
 */
export const MAX_RELAY_LINE_BYTES = 1024 * 1024;

/**
 * Go commands followed at once (each holds a trace reader until its exit
 * frame). A command line runs one go command at a time, or a few in the
 * background; forged start frames without an exit would otherwise pile up.
 */
export const MAX_OPEN_COMMANDS = 64;

/** How much one relay takes from the channel before its view stops. */
export interface RelayBudget {
  /** Bytes read from the channel. */
  bytes: number;
  /** Events emitted (phase errors of single go commands included). */
  events: number;
}

/**
 * The budget of one Run's event channel. Measured per go command: a lesson's
 * go run relays 107-130 KB in 132-172 events, its go test 159-286 KB in
 * 252-406 events, a go build importing net/http and friends 346 KB in 396,
 * `go build std` 628 KB.
 * 8 MiB holds 23 of the largest, 20 000 events 49: a command that runs go
 * many times keeps its view; a forged flood (measured: 418 MB of NDJSON in
 * 15 s) stops at a few MiB of NDJSON.
 */
export const RUN_RELAY_BUDGET: RelayBudget = { bytes: 8 * 1024 * 1024, events: 20_000 };

function mib(n: number): string {
  return `${Math.round((n / 1024 / 1024) * 10) / 10} MiB`;
}

interface Frame {
  cmd?: unknown;
  argv?: unknown;
  added?: unknown;
  trace?: unknown;
  graph?: unknown;
  final?: unknown;
  exit?: unknown;
  /** On the exit frame: µs since the Unix epoch, the trace's clock. */
  ts?: unknown;
}

function epochMs(reader: TraceReader, t: number): number | undefined {
  const t0 = reader.info.t0Us;
  return t0 === null ? undefined : Math.round((t0 / 1000 + t) * 1000) / 1000;
}

export class PhaseRelay {
  readonly #out: (e: RelayEvent) => void;
  readonly #budget: RelayBudget | null;
  readonly #readers = new Map<number, TraceReader>();
  readonly #failed = new Set<number>();
  readonly #decoder = new StringDecoder('utf8');
  /** The partial last line, in pieces (joined once, when its newline comes). */
  readonly #lines = new LineSplitter();
  #broken = false;
  #bytes = 0;
  #events = 0;

  /** `budget`: what the relay may take in all (null: unbounded, for a caller that bounds it otherwise). */
  constructor(emit: (e: RelayEvent) => void, budget: RelayBudget | null = null) {
    this.#out = emit;
    this.#budget = budget;
  }

  /** The view has stopped: what comes now is dropped (keep reading the channel all the same). */
  get stopped(): boolean {
    return this.#broken;
  }

  push(chunk: string | Buffer): void {
    if (this.#broken) return;
    if (this.#budget) {
      this.#bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
      if (this.#bytes > this.#budget.bytes) {
        this.#fail(0, `more than ${mib(this.#budget.bytes)} on the event channel (the limit of one command)`);
        return;
      }
    }
    const text = typeof chunk === 'string' ? chunk : this.#decoder.write(chunk);
    for (const line of this.#lines.push(text)) {
      this.#line(line);
      if (this.#broken) return;
    }
    if (this.#lines.pendingLength > MAX_RELAY_LINE_BYTES) this.#fail(0, `an event line longer than ${mib(MAX_RELAY_LINE_BYTES)}`);
  }

  /** Emits within the budget; the event past it stops the view instead. */
  #emit(e: RelayEvent): void {
    if (this.#broken) return;
    if (this.#budget && ++this.#events > this.#budget.events) {
      this.#fail(0, `more than ${this.#budget.events} events on the event channel (the limit of one command)`);
      return;
    }
    this.#out(e);
  }

  #fail(cmd: number, message: string): void {
    if (cmd === 0) {
      if (this.#broken) return;
      // Stopped for good: nothing is kept (the pending line, the readers' state).
      this.#broken = true;
      this.#lines.end();
      this.#readers.clear();
      // The one event past the budget: it says why the view stopped.
      this.#out({ type: 'phase-error', cmd, message: `the build view stopped: ${message}` });
      return;
    }
    if (this.#failed.has(cmd)) return;
    this.#failed.add(cmd);
    this.#readers.delete(cmd);
    this.#emit({ type: 'phase-error', cmd, message: `the build view stopped: ${message}` });
  }

  #line(line: string): void {
    let f: Frame;
    try {
      f = JSON.parse(line);
    } catch {
      this.#fail(0, `unreadable event line ${JSON.stringify(line.slice(0, 80))}`);
      return;
    }
    const cmd = typeof f?.cmd === 'number' && Number.isInteger(f.cmd) ? f.cmd : null;
    if (cmd === null) {
      this.#fail(0, 'an event line without a command id');
      return;
    }
    if (this.#failed.has(cmd)) return;
    try {
      if (Array.isArray(f.argv)) {
        if (this.#readers.size >= MAX_OPEN_COMMANDS && !this.#readers.has(cmd)) {
          this.#fail(0, `more than ${MAX_OPEN_COMMANDS} go commands at once`);
          return;
        }
        this.#readers.set(cmd, new TraceReader());
        this.#emit({ type: 'command', cmd, argv: f.argv.map(String), added: Array.isArray(f.added) ? f.added.map(String) : [] });
        return;
      }
      const reader = this.#readers.get(cmd);
      if (!reader) throw new Error(`events of go command ${cmd} before its start`);
      if (typeof f.trace === 'string') {
        for (const e of reader.push(f.trace)) {
          this.#emit({ ...e, cmd, ts: epochMs(reader, e.t) });
          if (this.#broken) return;
        }
      } else if (f.graph !== undefined) {
        const graph = actionGraphOf(f.graph, { ran: reader.info.ran });
        this.#emit({ ...graph, cmd });
      } else if (typeof f.exit === 'number' && Number.isInteger(f.exit)) {
        for (const e of reader.end()) {
          this.#emit({ ...e, cmd, ts: epochMs(reader, e.t) });
          if (this.#broken) return;
        }
        const t0 = reader.info.t0Us;
        const t = typeof f.ts === 'number' && t0 !== null ? Math.round((f.ts - t0) / 10) / 100 : undefined;
        this.#emit({ type: 'command-end', cmd, code: f.exit, ...(t !== undefined && t >= 0 ? { t } : {}) });
        this.#readers.delete(cmd);
      } else {
        throw new Error('an event of an unknown kind');
      }
    } catch (err) {
      this.#fail(cmd, (err as Error).message);
    }
  }
}
