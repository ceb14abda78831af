/**
 * The phase view (src/components/workbench/PhaseView.astro), fed by the Run
 * stream and by the terminal: every change comes from an event of the
 * toolchain (no timers). The role=status line announces phase changes only;
 * the package counter beside it is not a live region. The lesson diagrams get
 * the phase states through a `lab:phases` event on document.
 */
import type { ExitEvent, TerminalServerMessage } from '../lib/protocol.ts';
import { PHASE_ORDER } from '../lib/phases.ts';
import { ui } from '../lib/ui-strings.ts';
import { PHASES_EVENT } from './diagram-phases.ts';
import { renderMermaid } from './mermaid-render.ts';
import { actionGraphMermaid, BuildTracker, formatMs, reproduceCommand, summarizeGraph, type TrackedEvent } from './phase-model.ts';

const EVENT_TYPES = new Set(['queued', 'command', 'phase', 'graph', 'phase-error', 'command-end', 'exit']);

export class PhaseView {
  readonly tracker = new BuildTracker();
  private readonly $ = <T extends HTMLElement = HTMLElement>(name: string) => this.root.querySelector<T>(`[data-phase-${name}]`)!;
  private readonly status: HTMLElement;
  private readonly progress: HTMLProgressElement;
  private readonly count: HTMLElement;
  private readonly steps: HTMLOListElement;
  private readonly graph: HTMLDetailsElement;
  private readonly graphHost: HTMLElement;
  private started = false;
  private lastStatus = '';
  private lastStates = '';
  private graphDrawn: unknown;
  private drawing = 0;

  private readonly root: HTMLElement;

  constructor(root: HTMLElement) {
    this.root = root;
    this.status = this.$('status');
    this.progress = this.$<HTMLProgressElement>('progress');
    this.count = this.$('count');
    this.steps = this.$<HTMLOListElement>('steps');
    this.graph = this.$<HTMLDetailsElement>('graph');
    this.graphHost = this.$('graph-host');
    this.graph.addEventListener('toggle', () => {
      if (this.graph.open) void this.drawGraph();
    });
  }

  /** A Run starts: clear everything. */
  reset(): void {
    this.tracker.reset();
    this.started = true;
    this.render();
  }

  /** One event of the run stream or the terminal; unknown types are ignored. */
  event(event: TrackedEvent): void {
    if (!EVENT_TYPES.has(event.type)) {
      // Output ends a wait in the queue.
      if (this.tracker.queued !== undefined && (event.type === 'stdout' || event.type === 'stderr')) {
        this.tracker.queued = undefined;
        this.render();
      }
      return;
    }
    this.started = true;
    if (this.tracker.apply(event)) this.render();
  }

  /** Events from the terminal: its `exit` message is the shell's, not a go command's. */
  terminalEvent(event: TerminalServerMessage): void {
    if (event.type !== 'exit') this.event(event);
  }

  /** The Run was stopped or failed without an exit event. */
  abort(text: string): void {
    this.tracker.abort();
    this.render(text);
  }

  /** Whether the latest command is `go vet` (its findings are warnings). */
  isVet(): boolean {
    return this.tracker.argv[1] === 'vet';
  }

  private render(abortText?: string): void {
    const t = this.tracker;
    const current = t.current();
    const exit = t.exit;
    // A command typed in the terminal has no Run exit: the go command's own end stands in.
    const end = exit ? undefined : t.commandEnd;

    // ---- the status line (live): changes only with the phase
    let status: string;
    if (!this.started) status = ui.phaseIdle;
    else if (t.phaseError) status = capitalize(t.phaseError);
    else if (t.queued !== undefined) status = ui.phaseQueued(t.queued);
    else if (current) status = ui.phaseLabel[current.phase];
    else if (t.finished || exit || abortText) {
      const failed = [...t.steps.values()].find((s) => s.state === 'failed');
      if (failed && (failed.phase === 'load' || failed.phase === 'compile' || failed.phase === 'cgo' || failed.phase === 'link')) {
        status = ui.phaseBuildFailed;
      } else if (failed || abortText || (exit && exit.reason !== 'exited') || (end && end.code !== 0)) status = ui.phaseFailed;
      else status = ui.phaseFinished;
    } else status = ui.phaseStarting;
    if (status !== this.lastStatus) {
      this.status.textContent = status;
      this.lastStatus = status;
    }

    // ---- progress over the build actions of the pre-build graph
    const total = t.buildTotal;
    this.progress.hidden = this.count.hidden = total === 0;
    if (total > 0) {
      const done = Math.min(t.buildDone, total);
      this.progress.max = total;
      this.progress.value = done;
      this.count.textContent = ui.phaseCompileCount(done, total);
    }

    // ---- steps with their durations
    const steps = PHASE_ORDER.map((p) => t.steps.get(p)).filter((s) => s !== undefined);
    this.steps.hidden = steps.length === 0;
    this.steps.replaceChildren(
      ...steps.map((s) => {
        const li = document.createElement('li');
        li.dataset.phaseStep = s.phase;
        li.dataset.state = s.state;
        const mark = document.createElement('span');
        mark.className = 'mark';
        mark.setAttribute('aria-hidden', 'true');
        mark.textContent = { pending: '○', active: '▸', done: '✓', failed: '✗' }[s.state];
        const ms = t.duration(s);
        const time = document.createElement('span');
        time.className = 'ms';
        time.textContent = ms !== undefined && s.state !== 'active' ? ` ${formatMs(ms)}` : '';
        const state = document.createElement('span');
        state.className = 'visually-hidden';
        state.textContent = ` (${ui.phaseStateText[s.state]})`;
        li.append(mark, ui.phaseStepName[s.phase], state, time);
        return li;
      }),
    );

    // ---- cache summary and exit
    const summary = this.$('summary');
    const final = t.finalGraph ? summarizeGraph(t.finalGraph) : undefined;
    summary.hidden = !final || final.packages === 0;
    if (final) summary.textContent = ui.phaseCacheSummary(final.packages, final.cached);
    summary.dataset.cached = final ? String(final.cached) : '';
    const exitEl = this.$('exit');
    const exitText = abortText ?? (exit ? exitMessage(exit) : end ? ui.goCommandExit(end.code, end.t) : '');
    exitEl.hidden = !exitText;
    exitEl.textContent = exitText;
    exitEl.dataset.ok = String(!abortText && (exit ? exit.code === 0 && exit.reason === 'exited' : end?.code === 0));
    exitEl.dataset.limit = String(!!exit && !!exit.message && exit.reason !== 'exited');
    this.$('result').hidden = summary.hidden && exitEl.hidden;

    // ---- phase error: the view stopped, loudly
    const error = this.$('error');
    error.hidden = !t.phaseError;
    error.textContent = t.phaseError ? capitalize(t.phaseError) : '';

    // ---- what the lab added, how to reproduce, the action graph
    const hasCommand = t.cmd !== undefined;
    this.$('added').hidden = !hasCommand || t.added.length === 0;
    this.$('flags').textContent = t.added.join(' ');
    this.$('reproduce').hidden = !hasCommand || t.added.length === 0;
    this.$('repro-command').textContent = hasCommand ? reproduceCommand(t.argv, t.added) : '';
    const graphActions = t.finalGraph ?? t.preGraph;
    this.graph.hidden = !graphActions;
    this.$('tools').hidden = this.$('added').hidden && this.graph.hidden;
    if (this.graph.open && graphActions !== this.graphDrawn) void this.drawGraph();

    // ---- the lesson diagrams
    const states = t.diagramStates();
    const key = JSON.stringify(states);
    if (key !== this.lastStates) {
      this.lastStates = key;
      document.dispatchEvent(new CustomEvent(PHASES_EVENT, { detail: states }));
    }
  }

  private async drawGraph(): Promise<void> {
    const actions = this.tracker.finalGraph ?? this.tracker.preGraph;
    if (!actions) {
      this.graphHost.textContent = ui.phaseActionGraphNone;
      return;
    }
    if (actions === this.graphDrawn) return;
    this.graphDrawn = actions;
    const ticket = ++this.drawing;
    if (!this.graphHost.firstElementChild) this.graphHost.textContent = ui.phaseActionGraphLoading;
    const source = actionGraphMermaid(actions, {
      stdBuild: ui.graphStdBuild,
      stdOther: ui.graphStdOther,
      fromCache: ui.graphFromCache,
      ran: ui.graphRan,
      planned: ui.graphPlanned,
    });
    try {
      const { svg } = await renderMermaid('action-graph', source);
      if (ticket !== this.drawing) return;
      this.graphHost.innerHTML = svg;
      this.graphHost.querySelector('svg')?.setAttribute('aria-label', ui.phaseActionGraph);
    } catch {
      if (ticket !== this.drawing) return;
      this.graphDrawn = undefined;
      this.graphHost.textContent = ui.phaseActionGraphError;
    }
  }
}

function exitMessage(exit: ExitEvent): string {
  return exit.message ?? ui.exitStatus(exit.code, exit.durationMs);
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
