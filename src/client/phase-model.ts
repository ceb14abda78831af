/**
 * The build-phase model behind the phase view and the live lesson diagrams:
 * pure functions and a small state machine over the run API's events
 * (src/lib/protocol.ts: command, phase, graph, phase-error, queued, exit).
 * No DOM and no timers: every change comes from an event, so the view never
 * shows progress the toolchain did not report. Unit tests: tests/unit/client/.
 */
import type { CommandEndEvent, CommandEvent, ExitEvent, GraphAction, GraphEvent, Phase, PhaseEvent, RunEvent, TerminalServerMessage } from '../lib/protocol.ts';

/** What the model reads: the run stream's events and the terminal's messages, parsed (wire.ts), but the terminal's own `exit`. */
export type TrackedEvent = RunEvent | Exclude<TerminalServerMessage, { type: 'exit' }>;
import { noteKind } from './gcflags-m.ts';
import { PHASE_OF_MODE, PHASE_ORDER } from '../lib/phases.ts';

export type StepState = 'pending' | 'active' | 'done' | 'failed';

/** Where a phase sits in a go command: a later stage starting ends the earlier multi-package phases. */
const STAGE: Record<Phase, number> = { load: 0, compile: 1, cgo: 1, vet: 2, link: 3, run: 4, test: 4 };
/** Phases with one span per package (they can start again and overlap). */
const MULTI = new Set<Phase>(['compile', 'cgo', 'vet', 'test']);

export interface Step {
  phase: Phase;
  state: StepState;
  /** First start and last end (ms since the go command started, the toolchain's `t`). */
  start?: number;
  end?: number;
  /** Sum of the spans (load can happen twice, e.g. in go vet). */
  spanMs: number;
  inFlight: number;
  /** Start of the open span (single-span phases). */
  openedAt?: number;
}

export interface GraphSummary {
  /** `build` actions (one per package). */
  packages: number;
  /** Of those, taken from the build cache (final graph only). */
  cached: number;
  /** Of those, compiled now (final graph only). */
  compiled: number;
}

export function isStandardLibrary(pkg: string): boolean {
  if (!pkg) return false;
  const first = pkg.split(/[/ ]/)[0] ?? '';
  return !first.includes('.') && !pkg.startsWith('command-line-arguments');
}

export function summarizeGraph(actions: GraphAction[]): GraphSummary {
  const builds = actions.filter((a) => a.mode === 'build');
  return {
    packages: builds.length,
    cached: builds.filter((a) => a.cached === true).length,
    compiled: builds.filter((a) => a.cached === false).length,
  };
}

/** The flags the lab added, with files of your own instead of the lab's (`-debug-trace=trace.json`). */
export function reproduceCommand(argv: string[], added: string[]): string {
  const own = added.map((flag) => {
    const m = /^(-+debug-([a-z]+))=/.exec(flag);
    return m ? `${m[1]}=${m[2]}.json` : flag;
  });
  const [go = 'go', sub = '', ...rest] = argv;
  return [go, sub, ...own, ...rest].filter(Boolean).map(shellWord).join(' ');
}

function shellWord(w: string): string {
  return /^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}

/** The state of the latest go command, fed one event at a time. */
export class BuildTracker {
  cmd: number | undefined;
  argv: string[] = [];
  added: string[] = [];
  steps = new Map<Phase, Step>();
  /** `build` actions of the pre-build graph (the progress bar's maximum), 0 until it came. */
  buildTotal = 0;
  /** compile 'end' events so far (the progress bar's value). */
  buildDone = 0;
  preGraph: GraphAction[] | undefined;
  finalGraph: GraphAction[] | undefined;
  phaseError: string | undefined;
  queued: number | undefined;
  exit: ExitEvent | undefined;
  /** The go command's own end (how a command typed in the terminal reports it). */
  commandEnd: CommandEndEvent | undefined;
  /** The command ended (final graph, exit or phase error): no step is active any more. */
  finished = false;

  /** Start over (a new Run). */
  reset(): void {
    this.cmd = undefined;
    this.argv = [];
    this.added = [];
    this.steps = new Map();
    this.buildTotal = 0;
    this.buildDone = 0;
    this.preGraph = undefined;
    this.finalGraph = undefined;
    this.phaseError = undefined;
    this.queued = undefined;
    this.exit = undefined;
    this.commandEnd = undefined;
    this.finished = false;
  }

  /** Apply one event; returns whether it was one of ours. Unknown types are ignored. */
  apply(event: TrackedEvent): boolean {
    switch (event.type) {
      case 'queued':
        this.queued = event.position;
        return true;
      case 'command':
        this.onCommand(event);
        return true;
      case 'phase':
        this.queued = undefined;
        if (!this.matches(event)) return false;
        this.onPhase(event);
        return true;
      case 'graph':
        if (!this.matches(event)) return false;
        this.onGraph(event);
        return true;
      case 'phase-error':
        this.phaseError = event.message;
        this.finish(false);
        return true;
      case 'command-end':
        if (this.cmd === undefined || event.cmd !== this.cmd) return false;
        this.commandEnd = event;
        this.finish(event.code === 0);
        return true;
      case 'exit':
        this.queued = undefined;
        this.exit = event;
        this.finish(event.code === 0 && event.reason === 'exited');
        return true;
      default:
        if (event.type === 'stdout' || event.type === 'stderr') this.queued = undefined;
        return false;
    }
  }

  /** The Run was stopped or the connection broke. */
  abort(): void {
    this.finish(false);
  }

  private matches(e: { cmd?: number }): boolean {
    return e.cmd === undefined || this.cmd === undefined || e.cmd === this.cmd;
  }

  private onCommand(e: CommandEvent): void {
    this.reset();
    this.cmd = e.cmd;
    this.argv = e.argv;
    this.added = e.added;
  }

  private step(phase: Phase): Step {
    let s = this.steps.get(phase);
    if (!s) {
      s = { phase, state: 'pending', spanMs: 0, inFlight: 0 };
      this.steps.set(phase, s);
    }
    return s;
  }

  private onPhase(e: PhaseEvent): void {
    if (!PHASE_ORDER.includes(e.phase)) return;
    const s = this.step(e.phase);
    if (e.state === 'start') {
      if (this.finished) this.finished = false;
      s.start ??= e.t;
      s.inFlight++;
      s.state = 'active';
      s.openedAt = e.t;
      // A later stage started: earlier multi-package phases with nothing in flight are done.
      for (const other of this.steps.values()) {
        if (other !== s && other.state === 'active' && STAGE[other.phase] < STAGE[e.phase] && other.inFlight === 0) {
          other.state = 'done';
        }
      }
    } else {
      if (s.inFlight > 0) s.inFlight--;
      s.end = Math.max(s.end ?? e.t, e.t);
      const openedAt = s.openedAt;
      if (!MULTI.has(e.phase) && openedAt !== undefined) s.spanMs += e.t - openedAt;
      if (e.phase === 'compile') this.buildDone++;
      if (!MULTI.has(e.phase) && s.inFlight === 0) s.state = 'done';
    }
  }

  private onGraph(e: GraphEvent): void {
    if (e.final) {
      this.finalGraph = e.actions;
      // The final graph is written when the go command ends. Did it end early?
      // (A step the graph planned, such as link, that never started.)
      const planned = plannedSteps(e.actions);
      const early = planned.some((p) => !this.steps.has(p) || this.steps.get(p)!.start === undefined);
      this.finish(!early);
    } else {
      this.preGraph = e.actions;
      this.buildTotal = summarizeGraph(e.actions).packages;
      for (const p of plannedSteps(e.actions)) this.step(p);
    }
  }

  /** No step stays active: still-active steps end as done (success) or failed. */
  private finish(ok: boolean): void {
    this.finished = true;
    for (const s of this.steps.values()) {
      if (s.state === 'active') s.state = ok ? 'done' : 'failed';
      s.inFlight = 0;
    }
  }

  /** The phase shown as "current": the latest-stage active step, else undefined. */
  current(): Step | undefined {
    let best: Step | undefined;
    for (const s of this.steps.values()) {
      if (s.state !== 'active') continue;
      if (!best || STAGE[s.phase] > STAGE[best.phase]) best = s;
    }
    return best;
  }

  /** Duration of a step in ms (load: sum of its spans; multi-package phases: first start to last end). */
  duration(s: Step): number | undefined {
    if (s.start === undefined || s.end === undefined) return undefined;
    return MULTI.has(s.phase) ? s.end - s.start : s.spanMs;
  }

  /** Phase -> state for the lesson diagrams (pending steps left out). */
  diagramStates(): Partial<Record<Phase, StepState>> {
    const out: Partial<Record<Phase, StepState>> = {};
    for (const s of this.steps.values()) {
      if (s.state === 'pending') continue;
      out[s.phase] = s.state;
      // cgo is part of compiling a package: a compile node shows it too.
      if (s.phase === 'cgo' && !out.compile) out.compile = s.state;
    }
    return out;
  }
}

/** Steps the action graph says will come (beyond load and compile). */
function plannedSteps(actions: GraphAction[]): Phase[] {
  const out = new Set<Phase>();
  for (const a of actions) {
    const phase = PHASE_OF_MODE[a.mode];
    // cgo steps are not announced ahead: they show once the toolchain reports them.
    if (phase && phase !== 'cgo') out.add(phase);
  }
  // compile is always "planned", but every package may come from the cache: it still has events.
  return [...out];
}

// ------------------------------------------------------------ action graph

/** Mermaid source of the learner's action graph: own packages as nodes, the standard library collapsed. */
export function actionGraphMermaid(
  actions: GraphAction[],
  text: {
    stdBuild: (n: number, cached: number | undefined) => string;
    stdOther: (mode: string, n: number) => string;
    fromCache: string;
    ran: (ms: number | null) => string;
    planned: string;
  },
): string {
  const byId = new Map(actions.map((a) => [a.id, a]));
  const hidden = (a: GraphAction) => a.mode === 'build check cache' || a.mode === 'nop' || a.mode === 'built-in package';
  const shownId = (a: GraphAction): string | undefined => {
    if (hidden(a)) return undefined;
    if (isStandardLibrary(a.package)) return `std_${a.mode.replace(/\W+/g, '_')}`;
    return `a${a.id}`;
  };
  const lines = ['flowchart LR'];
  const std = new Map<string, GraphAction[]>();
  const nodes: string[] = [];
  for (const a of actions) {
    const id = shownId(a);
    if (!id) continue;
    if (id.startsWith('std_')) {
      std.set(a.mode, [...(std.get(a.mode) ?? []), a]);
      continue;
    }
    const name = a.package ? `${a.mode} ${a.package}` : a.mode;
    const state = a.cached === true ? text.fromCache : a.ms !== null ? text.ran(a.ms) : text.planned;
    const cls = a.cached === true ? 'cached' : a.cached === false ? 'fresh' : 'other';
    nodes.push(`  ${id}["${label(name)}<br/>${label(state)}"]:::${cls}`);
  }
  for (const [mode, list] of std) {
    const id = `std_${mode.replace(/\W+/g, '_')}`;
    const finalKnown = list.some((a) => a.cached !== null);
    const cached = list.filter((a) => a.cached === true).length;
    const name = mode === 'build' ? text.stdBuild(list.length, finalKnown ? cached : undefined) : text.stdOther(mode, list.length);
    const cls = finalKnown && cached === list.length ? 'cached' : finalKnown ? 'fresh' : 'other';
    nodes.push(`  ${id}["${label(name)}"]:::${cls}`);
  }
  // Edges from each dependency to what needs it, through hidden actions.
  const memo = new Map<number, Set<string>>();
  const targets = (id: number, seen = new Set<number>()): Set<string> => {
    const cachedSet = memo.get(id);
    if (cachedSet) return cachedSet;
    const out = new Set<string>();
    const a = byId.get(id);
    if (!a || seen.has(id)) return out;
    seen.add(id);
    const shown = shownId(a);
    if (shown) out.add(shown);
    else for (const d of a.deps) for (const t of targets(d, seen)) out.add(t);
    memo.set(id, out);
    return out;
  };
  const edges = new Set<string>();
  for (const a of actions) {
    const to = shownId(a);
    if (!to || to.startsWith('std_')) continue;
    for (const d of a.deps) for (const from of targets(d)) if (from !== to) edges.add(`  ${from} --> ${to}`);
  }
  lines.push(...nodes, ...edges);
  lines.push(
    '  classDef cached fill:#e3f2e5,stroke:#2e7d32,stroke-dasharray:5 3,color:#10381a',
    '  classDef fresh fill:#fff1dc,stroke:#b35c00,stroke-width:2px,color:#3d2000',
    '  classDef other fill:#eef1f4,stroke:#5a6570,color:#1b2229',
  );
  return lines.join('\n');
}

function label(s: string): string {
  return s.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}

// ------------------------------------------------------------ diagnostics

export interface Diagnostic {
  file: string;
  line: number;
  /** 1-based; undefined when the tool gave none (go.mod errors). */
  column: number | undefined;
  message: string;
  /** error: compile errors, vet's type-check failures; warning: vet's findings; info: the compiler's -m notes. */
  severity: 'error' | 'warning' | 'info';
}

/**
 * A line of the compiler's optimization report (-gcflags=-m, -m=2), which a
 * Run's own command may ask for (compiler/source-to-machine-code): notes about
 * the code, never errors, though they look like them on stderr.
 */
export function isCompilerNote(message: string): boolean {
  return (
    noteKind(message) !== 'other' ||
    /^(cannot inline |leaking param content|stack object |found call to |inline )|leaks to |escapes to heap:$|^(flow|from): /.test(message)
  );
}

const DIAGNOSTIC = /^(vet: )?(?:\.\/)?([^\s:#][^:]*?\.(?:go|mod|s|c|h)):(\d+)(?::(\d+))?: (.+)$/;

/**
 * Compiler and vet findings (`./main.go:6:2: undefined: x`) in one line of stderr,
 * for files of the lesson. `# example.com/hello` headers and anything else yield null.
 * Findings of `go vet` are warnings (its type-check failures, `vet: ...`, errors);
 * the compiler's -m notes are information.
 */
export function parseDiagnostic(line: string, files: Iterable<string>, vet: boolean): Diagnostic | null {
  const m = DIAGNOSTIC.exec(line.replace(/\r$/, ''));
  if (!m) return null;
  const file = m[2]!.replace(/^\.\//, '');
  const known = new Set(files);
  if (!known.has(file)) return null;
  return {
    file,
    line: Number(m[3]),
    column: m[4] ? Number(m[4]) : undefined,
    message: m[5]!,
    severity: isCompilerNote(m[5]!) ? 'info' : vet && !m[1] ? 'warning' : 'error',
  };
}

// ------------------------------------------------------------ diagram bindings

/**
 * Which nodes of a mermaid diagram follow which phase: a node whose id is a
 * phase name (load, compile, link, run, test, vet) by convention, others by a
 * `%% phases: nodeId=phase, otherNode=phase` line in the diagram source.
 */
export function phaseBindings(source: string, nodeIds: Iterable<string>): Map<string, Phase> {
  const out = new Map<string, Phase>();
  for (const id of nodeIds) if ((PHASE_ORDER as readonly string[]).includes(id)) out.set(id, id as Phase);
  for (const m of source.matchAll(/^\s*%%\s*phases:\s*(.+)$/gm)) {
    for (const pair of m[1]!.split(',')) {
      const [node, phase] = pair.split('=').map((s) => s.trim());
      if (node && phase && (PHASE_ORDER as readonly string[]).includes(phase)) out.set(node, phase as Phase);
    }
  }
  return out;
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}
