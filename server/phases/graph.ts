/**
 * Parser of the go command's `-debug-actiongraph=FILE` output (Go 1.26).
 *
 * The go command writes the file twice (see FORMATS.md): once before any
 * action runs (all times are Go's zero time, no `Cmd`), and again at the end
 * with TimeReady/TimeStart/TimeDone and the tool command lines in `Cmd`.
 *
 * `cached` (only in the final graph, and only for actions that run a tool):
 *   - false when a tool ran for the action (`Cmd` is a non-empty list);
 *   - true when the action ran (`ran` holds it, taken from the trace) but no
 *     tool did: the result came from the cache;
 *   - null otherwise: modes that never run a tool (`nop`, `link-install`,
 *     `go run`, `test run`, ...), a `build` that only serves vet (`NeedBuild`
 *     false), actions skipped because a dependency failed, and every action of
 *     the pre-build graph.
 * `Cmd` null alone is NOT a cache hit: actions after a failed compile also
 * have `Cmd` null and the final graph's `Failed` is always false (it is copied
 * when the file is first written). Pass the trace's `ran` set to tell them apart.
 */

import type { GraphAction, GraphEvent } from '../../src/lib/protocol.ts';
import { CGO_COMPILE } from '../../src/lib/phases.ts';
import { ACTION_MODES, actionKey } from './trace.ts';
import { goTimeUs, roundMs } from './time.ts';

export class GraphFormatError extends Error {
  constructor(message: string) {
    super(`go -debug-actiongraph format: ${message}`);
    this.name = 'GraphFormatError';
  }
}

/** Modes whose action runs a tool when it is not satisfied from the cache. */
const TOOL_MODES = new Set(['build', 'link', 'vet', 'cgo run', 'cgo compile']);
const ZERO_TIME = '0001-01-01T00:00:00Z';

export interface GraphOptions {
  /** `mode|importPath` of the actions the trace shows as executed (TraceReader.info.ran). */
  ran?: ReadonlySet<string>;
}

export function parseActionGraph(text: string, opts: GraphOptions = {}): GraphEvent {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new GraphFormatError(`not JSON (${(e as Error).message}); starts ${JSON.stringify(text.slice(0, 80))}`);
  }
  return actionGraphOf(value, opts);
}

/** The same, for a graph that is already parsed (the relay's frames carry it as JSON). */
export function actionGraphOf(value: unknown, opts: GraphOptions = {}): GraphEvent {
  if (!Array.isArray(value)) throw new GraphFormatError(`expected a JSON array of actions, got ${typeof value}`);
  if (value.length === 0) throw new GraphFormatError('the action list is empty');
  const raw = value.map((v, i) => checkAction(v, i));
  const ids = new Set(raw.map((a) => a.ID));
  raw.forEach((a, i) => {
    if (a.ID !== i) throw new GraphFormatError(`action at index ${i} has ID ${a.ID} (IDs are expected to be the indexes)`);
    for (const d of a.Deps) if (!ids.has(d)) throw new GraphFormatError(`action ${a.ID} depends on unknown action ${d}`);
  });
  const zero = raw.filter((a) => a.TimeStart === ZERO_TIME).length;
  if (zero !== 0 && zero !== raw.length) {
    throw new GraphFormatError(`${zero} of ${raw.length} actions have no start time: neither the pre-build nor the final graph`);
  }
  const final = zero === 0;
  const actions: GraphAction[] = raw.map((a) => {
    const mode = a.Mode.startsWith(CGO_COMPILE) ? 'cgo compile' : a.Mode;
    let cached: boolean | null = null;
    if (final && TOOL_MODES.has(mode) && !(mode === 'build' && !a.NeedBuild)) {
      if (a.Cmd && a.Cmd.length > 0) cached = false;
      else if (!opts.ran || opts.ran.has(actionKey(mode, a.Package))) cached = true;
    }
    return {
      id: a.ID,
      mode: a.Mode,
      package: a.Package,
      deps: a.Deps,
      cached,
      ms: final ? roundMs((timeUs(a.TimeDone, a.ID) - timeUs(a.TimeStart, a.ID)) / 1000) : null,
    };
  });
  return { type: 'graph', final, actions };
}

interface RawAction {
  ID: number;
  Mode: string;
  Package: string;
  Deps: number[];
  NeedBuild: boolean;
  TimeStart: string;
  TimeDone: string;
  Cmd: string[] | null;
}

function checkAction(v: unknown, i: number): RawAction {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new GraphFormatError(`element ${i} is not an object`);
  const o = v as Record<string, unknown>;
  const where = `action ${i}`;
  if (!Number.isInteger(o.ID)) throw new GraphFormatError(`${where}: "ID" missing or not an integer`);
  if (typeof o.Mode !== 'string') throw new GraphFormatError(`${where}: "Mode" missing or not a string`);
  if (!ACTION_MODES.includes(o.Mode) && !o.Mode.startsWith(CGO_COMPILE)) {
    throw new GraphFormatError(`${where}: unknown mode ${JSON.stringify(o.Mode)}`);
  }
  if (typeof o.Package !== 'string') throw new GraphFormatError(`${where}: "Package" missing or not a string`);
  const deps = o.Deps ?? [];
  if (!Array.isArray(deps) || !deps.every((d) => Number.isInteger(d))) {
    throw new GraphFormatError(`${where}: "Deps" is not a list of integers`);
  }
  for (const k of ['TimeStart', 'TimeDone']) {
    if (typeof o[k] !== 'string') throw new GraphFormatError(`${where}: "${k}" missing or not a string`);
  }
  if (!('Cmd' in o)) throw new GraphFormatError(`${where}: "Cmd" missing`);
  if (o.Cmd !== null && (!Array.isArray(o.Cmd) || !o.Cmd.every((c) => typeof c === 'string'))) {
    throw new GraphFormatError(`${where}: "Cmd" is neither null nor a list of strings`);
  }
  if (o.NeedBuild !== undefined && typeof o.NeedBuild !== 'boolean') throw new GraphFormatError(`${where}: "NeedBuild" is not a boolean`);
  return {
    ID: o.ID as number,
    Mode: o.Mode,
    Package: o.Package,
    Deps: deps as number[],
    NeedBuild: o.NeedBuild === true,
    TimeStart: o.TimeStart as string,
    TimeDone: o.TimeDone as string,
    Cmd: o.Cmd as string[] | null,
  };
}

function timeUs(s: string, id: number): number {
  const us = goTimeUs(s);
  if (us === null) throw new GraphFormatError(`action ${id}: time ${JSON.stringify(s)} is not RFC 3339`);
  return us;
}
