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
 */
import type { CommandEndEvent, CommandEvent, GraphEvent, PhaseErrorEvent, PhaseEvent } from '../../src/lib/protocol.ts';
import { actionGraphOf } from './graph.ts';
import { TraceReader } from './trace.ts';

export type RelayEvent = CommandEvent | PhaseEvent | GraphEvent | PhaseErrorEvent | CommandEndEvent;

/** Longest line accepted on the channel (a large action graph fits easily). */
export const MAX_RELAY_LINE_BYTES = 8 * 1024 * 1024;

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
  readonly #emit: (e: RelayEvent) => void;
  readonly #readers = new Map<number, TraceReader>();
  readonly #failed = new Set<number>();
  #pending = '';
  #broken = false;

  constructor(emit: (e: RelayEvent) => void) {
    this.#emit = emit;
  }

  push(chunk: string): void {
    if (this.#broken) return;
    this.#pending += chunk;
    let nl: number;
    while ((nl = this.#pending.indexOf('\n')) >= 0) {
      const line = this.#pending.slice(0, nl);
      this.#pending = this.#pending.slice(nl + 1);
      this.#line(line);
      if (this.#broken) return;
    }
    if (this.#pending.length > MAX_RELAY_LINE_BYTES) this.#fail(0, `an event line longer than ${MAX_RELAY_LINE_BYTES} bytes`);
  }

  #fail(cmd: number, message: string): void {
    if (cmd === 0) this.#broken = true;
    if (this.#failed.has(cmd)) return;
    this.#failed.add(cmd);
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
        this.#readers.set(cmd, new TraceReader());
        this.#emit({ type: 'command', cmd, argv: f.argv.map(String), added: Array.isArray(f.added) ? f.added.map(String) : [] });
        return;
      }
      const reader = this.#readers.get(cmd);
      if (!reader) throw new Error(`events of go command ${cmd} before its start`);
      if (typeof f.trace === 'string') {
        for (const e of reader.push(f.trace)) this.#emit({ ...e, cmd, ts: epochMs(reader, e.t) });
      } else if (f.graph !== undefined) {
        const graph = actionGraphOf(f.graph, { ran: reader.info.ran });
        this.#emit({ ...graph, cmd });
      } else if (typeof f.exit === 'number' && Number.isInteger(f.exit)) {
        for (const e of reader.end()) this.#emit({ ...e, cmd, ts: epochMs(reader, e.t) });
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
