/**
 * Maps `go test -json` output (test2json events, one JSON object per line on
 * stdout) to `test` phase events.
 *
 *   {"Action":"start","Package":P}                -> test start, package P (the test binary started)
 *   {"Action":"run","Package":P,"Test":T}         -> test start, package P, test T
 *   {"Action":"pass|fail|skip","Package":P,"Test":T} -> test end, outcome
 *   {"Action":"pass|fail|skip","Package":P}       -> test end for the package, outcome, and
 *                                                    cached:true when the package's last output
 *                                                    line said "(cached)", else cached:false
 *   output, pause, cont, bench, build-output, build-fail -> no phase event
 *
 * `t` is the event's own `Time` minus the trace's t0 (TraceReader.info.t0Us),
 * so test events share the clock of the build phases. Non-JSON lines, events
 * without the expected fields and unknown actions throw a TestJsonFormatError.
 */

import type { PhaseEvent } from '../../src/lib/protocol.ts';
import { StringDecoder } from 'node:string_decoder';
import { goTimeUs, roundMs } from './time.ts';

export class TestJsonFormatError extends Error {
  constructor(message: string) {
    super(`go test -json format: ${message}`);
    this.name = 'TestJsonFormatError';
  }
}

const IGNORED = new Set(['output', 'pause', 'cont', 'bench', 'build-output', 'build-fail']);
const ENDS = new Set(['pass', 'fail', 'skip']);
const CACHED_LINE = /^ok\s+\S+\s+\(cached\)/;

export class TestJsonReader {
  private decoder = new StringDecoder('utf8');
  private pending = '';
  private lineNo = 0;
  /** Per package: the last package-level output line said "(cached)". */
  private cachedPkg = new Map<string, boolean>();
  private readonly t0Us: number;

  /** t0Us: µs since the epoch at which the go command started (from the trace). */
  constructor(t0Us: number) {
    if (!Number.isFinite(t0Us)) throw new TestJsonFormatError('no start time to measure test events from');
    this.t0Us = t0Us;
  }

  push(chunk: string | Uint8Array): PhaseEvent[] {
    this.pending += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const out: PhaseEvent[] = [];
    let nl: number;
    while ((nl = this.pending.indexOf('\n')) >= 0) {
      const line = this.pending.slice(0, nl);
      this.pending = this.pending.slice(nl + 1);
      const ev = this.line(line);
      if (ev) out.push(ev);
    }
    return out;
  }

  end(): PhaseEvent[] {
    this.pending += this.decoder.end();
    const rest = this.pending;
    this.pending = '';
    if (rest === '') return [];
    const ev = this.line(rest);
    return ev ? [ev] : [];
  }

  private line(text: string): PhaseEvent | null {
    const n = ++this.lineNo;
    if (text.trim() === '') return null;
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      throw new TestJsonFormatError(`line ${n} is not JSON: ${JSON.stringify(text.slice(0, 200))}`);
    }
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new TestJsonFormatError(`line ${n} is not a JSON object`);
    return this.event(v as Record<string, unknown>, n);
  }

  event(o: Record<string, unknown>, n = 0): PhaseEvent | null {
    const action = o.Action;
    if (typeof action !== 'string') throw new TestJsonFormatError(`line ${n}: "Action" missing`);
    if (action === 'build-output' || action === 'build-fail') return null; // keyed by ImportPath, no Time
    const pkg = o.Package;
    if (typeof pkg !== 'string' || !pkg) throw new TestJsonFormatError(`line ${n}: "${action}" event without "Package"`);
    const test = o.Test === undefined ? undefined : o.Test;
    if (test !== undefined && typeof test !== 'string') throw new TestJsonFormatError(`line ${n}: "Test" is not a string`);
    if (action === 'output' && test === undefined) {
      if (typeof o.Output !== 'string') throw new TestJsonFormatError(`line ${n}: output event without "Output"`);
      this.cachedPkg.set(pkg, CACHED_LINE.test(o.Output));
    }
    if (IGNORED.has(action)) return null;
    if (action !== 'start' && action !== 'run' && !ENDS.has(action)) {
      throw new TestJsonFormatError(`line ${n}: unknown Action ${JSON.stringify(action)}`);
    }
    if (typeof o.Time !== 'string') throw new TestJsonFormatError(`line ${n}: "${action}" event without "Time"`);
    const us = goTimeUs(o.Time);
    if (us === null) throw new TestJsonFormatError(`line ${n}: "Time" ${JSON.stringify(o.Time)} is not RFC 3339`);
    const t = roundMs((us - this.t0Us) / 1000);
    if (action === 'start') {
      if (test !== undefined) throw new TestJsonFormatError(`line ${n}: "start" event for a single test`);
      return { type: 'phase', phase: 'test', state: 'start', package: pkg, t };
    }
    if (action === 'run') {
      if (test === undefined) throw new TestJsonFormatError(`line ${n}: "run" event without "Test"`);
      return { type: 'phase', phase: 'test', state: 'start', package: pkg, test, t };
    }
    const outcome = action as 'pass' | 'fail' | 'skip';
    if (test !== undefined) return { type: 'phase', phase: 'test', state: 'end', package: pkg, test, outcome, t };
    return { type: 'phase', phase: 'test', state: 'end', package: pkg, outcome, cached: this.cachedPkg.get(pkg) === true, t };
  }
}
