/**
 * Incremental reader of the go command's `-debug-trace=FILE` output.
 *
 * The go command writes the file as it works (see FORMATS.md): a first line
 * `[`, then one Chrome trace event per line, every event after the first
 * prefixed with `,`, and a final `]` (no newline) when the command exits
 * normally. Feed the bytes in whatever chunks they arrive; complete lines are
 * turned into phase events at once, a partial line waits for the next chunk.
 *
 * Times: `t` is milliseconds since the first event of the file, the
 * `Running <cmd> command` span that the go command opens right after parsing
 * its flags. All times come from the events' own `ts` (µs since the Unix epoch).
 *
 * Anything this reader does not know (a line shape, an event kind, a span
 * name, an action mode) throws a TraceFormatError naming it: the format is
 * undocumented, so a change must be noticed, not shown as an empty view.
 */

import { LineSplitter } from '../../src/lib/lines.ts';
import type { PhaseEvent } from '../../src/lib/protocol.ts';
import { CGO_COMPILE, PHASE_OF_MODE } from '../../src/lib/phases.ts';
import { StringDecoder } from 'node:string_decoder';

/**
 * Longest trace line accepted: each line is one event (a span name and four
 * numbers: 252 characters at most in a build importing net/http, measured). The trace reaches the server
 * through the event channel, which the learner can write: a line that never
 * ends would otherwise be held, and grow, for as long as it is fed.
 */
export const MAX_TRACE_LINE_CHARS = 64 * 1024;

export class TraceFormatError extends Error {
  constructor(message: string) {
    super(`go -debug-trace format: ${message}`);
    this.name = 'TraceFormatError';
  }
}

/** The action modes of Go 1.26's cmd/go (work/action.go, test/test.go, run, vet, tool). */
export const ACTION_MODES: ReadonlyArray<string> = [
  'build check cache',
  'build-install',
  'build',
  'built-in package',
  'gccgo stdlib',
  'preprocess PGO profile',
  'cover',
  'cgo run',
  'collect cgo',
  'vet',
  'link-install',
  'link',
  'nop',
  'install header',
  'shlib packages',
  'shlibname',
  'go build -buildmode=shared',
  'go install -buildmode=shared',
  'go build',
  'go install (tools)',
  'go install',
  'go run',
  'go test',
  'go vet',
  'go fix',
  'go tool',
  'test barrier',
  'test run',
  'test print (nop)',
  'test print',
  'test clean',
  'test build',
  'write coverage meta-data file',
  'swigDoIntSize',
];
/** Spans other than `Executing action (...)` that Go 1.26 emits, by name prefix. */
const OTHER_SPANS: ReadonlyArray<string> = [
  'load.PackagesAndErrors',
  'load.TestPackagesAndErrors',
  'load.loadPackageData ',
  'modload.loadImport ',
  'exec.Builder.Do (',
  'InstallPackages ',
  'modload.',
  'modfetch.',
  'walkPkgs ',
  'unzip ',
  'queryLatestVersionIgnoringRetractions ',
];
const LOAD_SPANS = new Set(['load.PackagesAndErrors', 'load.TestPackagesAndErrors']);
const RUNNING = /^Running ([a-z]+) command$/;

export interface ParsedAction {
  mode: string;
  /** Import path (the ` [x.test]` suffix of test variants removed), or '' when none. */
  package: string;
  /** The package's description as the go command prints it, e.g. `p [p.test]`. */
  desc: string;
  /** For `cgo compile <file>`: the file. */
  file?: string;
}

/** Splits `Executing action (<mode>[ <package desc>])`'s inner text. */
export function parseActionSpan(inner: string): ParsedAction {
  if (inner.startsWith(CGO_COMPILE)) {
    // cgo compile <file> <pkg>: a file name may contain spaces, an import path does not.
    const rest = inner.slice(CGO_COMPILE.length);
    const { desc, importPath, before } = lastPackage(rest);
    if (!before) throw new TraceFormatError(`cgo compile action without a file: ${JSON.stringify(inner)}`);
    return { mode: 'cgo compile', package: importPath, desc, file: before };
  }
  let best = '';
  for (const m of ACTION_MODES) {
    if ((inner === m || inner.startsWith(m + ' ')) && m.length > best.length) best = m;
  }
  if (!best) throw new TraceFormatError(`unknown action mode in ${JSON.stringify(`Executing action (${inner})`)}`);
  const rest = inner.slice(best.length).trim();
  if (!rest) return { mode: best, package: '', desc: '' };
  const { desc, importPath, before } = lastPackage(rest);
  if (before) throw new TraceFormatError(`unexpected text in action ${JSON.stringify(inner)}`);
  return { mode: best, package: importPath, desc };
}

function lastPackage(text: string): { desc: string; importPath: string; before: string } {
  const variant = / \[[^\s\]]+\]$/.exec(text);
  const head = variant ? text.slice(0, variant.index) : text;
  const m = /^(?:(.*) )?([^\s[\]]+)$/.exec(head);
  if (!m) throw new TraceFormatError(`cannot read a package in ${JSON.stringify(text)}`);
  return { before: m[1] ?? '', importPath: m[2], desc: m[2] + (variant ? variant[0] : '') };
}

interface RawEvent {
  name: string;
  ph: string;
  ts: number;
  tid: number;
}

export interface TraceSummary {
  /** The go subcommand named by the first span (`build`, `run`, `test`, `vet`, ...). */
  command: string | null;
  /** ts (µs since the epoch) of the first event: t = 0. */
  t0Us: number | null;
  /** The closing `]` was seen: the go command finished writing (it was not killed). */
  closed: boolean;
  /** `mode|importPath` of every action the go command executed (skipped actions have no span). */
  ran: Set<string>;
}

export function actionKey(mode: string, pkg: string): string {
  return `${mode}|${pkg}`;
}

/**
 * Feed chunks with `push`, then call `end` once the go command has exited.
 * Both return the phase events of the lines completed so far.
 */
export class TraceReader {
  private decoder = new StringDecoder('utf8');
  private readonly lines = new LineSplitter();
  private lineNo = 0;
  private loadDepth = 0;
  private ended = false;
  private readonly summary: TraceSummary = { command: null, t0Us: null, closed: false, ran: new Set() };

  get info(): Readonly<TraceSummary> {
    return this.summary;
  }

  push(chunk: string | Uint8Array): PhaseEvent[] {
    if (this.ended) throw new TraceFormatError('data pushed after end()');
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const out: PhaseEvent[] = [];
    for (const line of this.lines.push(text)) this.line(line, out);
    if (this.lines.pendingLength > MAX_TRACE_LINE_CHARS) {
      this.lines.end();
      throw new TraceFormatError(`a line longer than ${MAX_TRACE_LINE_CHARS} characters`);
    }
    return out;
  }

  /** The go command exited: the rest must be the closing `]`, or nothing if it was killed. */
  end(): PhaseEvent[] {
    if (this.ended) return [];
    const rest = this.lines.end() + this.decoder.end();
    this.ended = true;
    if (rest === ']') {
      if (this.lineNo === 0) throw new TraceFormatError('closing "]" without an opening "["');
      this.summary.closed = true;
      return [];
    }
    if (rest === '') {
      if (this.lineNo === 0) throw new TraceFormatError('the trace file is empty');
      return []; // killed before it could close the array: events so far stand.
    }
    throw new TraceFormatError(`unterminated last line ${JSON.stringify(rest.slice(0, 200))}`);
  }

  private line(text: string, out: PhaseEvent[]): void {
    const n = ++this.lineNo;
    if (n === 1) {
      if (text !== '[') throw new TraceFormatError(`line 1 should be "[", got ${JSON.stringify(text.slice(0, 200))}`);
      return;
    }
    let body = text;
    if (n === 2) {
      if (!body.startsWith('{')) throw new TraceFormatError(`line 2 should start with "{", got ${JSON.stringify(text.slice(0, 200))}`);
    } else {
      if (!body.startsWith(',{')) throw new TraceFormatError(`line ${n} should start with ",{", got ${JSON.stringify(text.slice(0, 200))}`);
      body = body.slice(1);
    }
    let ev: unknown;
    try {
      ev = JSON.parse(body);
    } catch (e) {
      throw new TraceFormatError(`line ${n} is not JSON (${(e as Error).message}): ${JSON.stringify(text.slice(0, 200))}`);
    }
    this.event(checkEvent(ev, n), n, out);
  }

  private event(ev: RawEvent, n: number, out: PhaseEvent[]): void {
    if (this.summary.t0Us === null) {
      const m = RUNNING.exec(ev.name);
      if (!m || ev.ph !== 'B') {
        throw new TraceFormatError(`first event should be a "Running <cmd> command" begin, got ${JSON.stringify(ev.name)} ph ${ev.ph}`);
      }
      this.summary.t0Us = ev.ts;
      this.summary.command = m[1];
      return;
    }
    if (ev.ph === 's' || ev.ph === 'f') return; // flow arrows "A -> B": dependency drawing only
    const t = round((ev.ts - this.summary.t0Us) / 1000);
    const state = ev.ph === 'B' ? 'start' : 'end';
    const name = ev.name;
    if (name.startsWith('Executing action (') && name.endsWith(')')) {
      const a = parseActionSpan(name.slice('Executing action ('.length, -1));
      if (ev.ph === 'B') this.summary.ran.add(actionKey(a.mode, a.package));
      const phase = PHASE_OF_MODE[a.mode];
      if (!phase) return;
      const pe: PhaseEvent = { type: 'phase', phase, state, t };
      if (a.package) pe.package = a.package;
      out.push(pe);
      return;
    }
    if (RUNNING.test(name)) return; // the end of the command's own span
    if (LOAD_SPANS.has(name)) {
      // go test and go vet run load.PackagesAndErrors, then load.TestPackagesAndErrors
      // (one after the other in the fixtures); should they ever nest, only the outer one shows.
      if (ev.ph === 'B') {
        if (this.loadDepth++ === 0) out.push({ type: 'phase', phase: 'load', state: 'start', t });
      } else {
        if (this.loadDepth === 0) throw new TraceFormatError(`line ${n}: end of ${name} without a begin`);
        if (--this.loadDepth === 0) out.push({ type: 'phase', phase: 'load', state: 'end', t });
      }
      return;
    }
    if (OTHER_SPANS.some((p) => name.startsWith(p))) return;
    throw new TraceFormatError(`line ${n}: unknown span ${JSON.stringify(name)}`);
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function checkEvent(v: unknown, n: number): RawEvent {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new TraceFormatError(`line ${n} is not a JSON object`);
  const o = v as Record<string, unknown>;
  if (typeof o.name !== 'string') throw new TraceFormatError(`line ${n}: "name" missing or not a string`);
  if (typeof o.ph !== 'string') throw new TraceFormatError(`line ${n}: "ph" missing or not a string`);
  if (typeof o.ts !== 'number' || !Number.isFinite(o.ts)) throw new TraceFormatError(`line ${n}: "ts" missing or not a number`);
  if (typeof o.tid !== 'number') throw new TraceFormatError(`line ${n}: "tid" missing or not a number`);
  if (!['B', 'E', 's', 'f'].includes(o.ph)) throw new TraceFormatError(`line ${n}: unknown event phase "ph":${JSON.stringify(o.ph)}`);
  if ((o.ph === 's' || o.ph === 'f') && (o.cat !== 'flow' || typeof o.id !== 'number')) {
    throw new TraceFormatError(`line ${n}: flow event without "cat":"flow" and a numeric "id"`);
  }
  return { name: o.name, ph: o.ph, ts: o.ts, tid: o.tid };
}

/** Reads a whole trace file at once (for a finished command). */
export function readTrace(text: string): { events: PhaseEvent[]; info: TraceSummary } {
  const r = new TraceReader();
  const events = [...r.push(text), ...r.end()];
  return { events, info: r.info as TraceSummary };
}
