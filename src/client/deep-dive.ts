/**
 * "Look inside the compiler" (src/components/workbench/DeepDive.astro): each
 * view runs one real command (deep-dive-commands.ts) on the learner's current
 * files, in their sandbox, through the run API, and shows the command as it
 * ran and what the toolchain wrote: -m notes as editor annotations, the -S
 * listing per function (asm-view.ts), GOSSAFUNC's ssa.html in a sandboxed
 * iframe, go version -m. A session runs one command at a time, so the
 * workbench's Run and these take turns (host.busy / setBlocked).
 */
import type { ExitEvent } from '../lib/protocol.ts';
import { ui } from '../lib/ui-strings.ts';
import { functionsOf, parseAsm } from './asm.ts';
import { AsmView } from './asm-view.ts';
import {
  ASSEMBLY_COMMAND,
  BUILD_INFO_COMMAND,
  goFunctionNames,
  INLINING_COMMAND,
  parseSsaDumped,
  SSA_FILE,
  ssaCommand,
  ssaFuncProblem,
} from './deep-dive-commands.ts';
import type { Editor, LineAnnotation } from './editor.ts';
import { notesByLine, parseCompilerNotes, strongestKind, type LineNotes } from './gcflags-m.ts';
import { runCollected } from './api.ts';

/** Files ready to go with a command (workbench.ts), and what to call once the server took them. */
export interface SendableFiles {
  files: Record<string, string>;
  sent(): void;
}

type Tab = 'inline' | 'asm' | 'ssa' | 'buildinfo';
/** Longest text shown after a line in the editor; the hover has all of it. */
const MAX_AFTER_CHARS = 100;

export interface DeepDiveHost {
  lesson: string;
  editor: Editor;
  /**
   * Brings in the terminal's changes and hands over the files to send; the
   * command's own request carries (and saves) them, so call `sent` once the
   * server took it.
   */
  prepare(): Promise<SendableFiles>;
  /** A deep dive started or ended: the workbench's own Run waits meanwhile. */
  busy(on: boolean): void;
}

interface Result {
  stdout: string;
  stderr: string;
  exit: ExitEvent | null;
  /** The files changed while it ran: the result describes other code. */
  edited: boolean;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The editor annotation of one line's notes: the messages verbatim, shortened after the line. */
export function annotationOf(l: LineNotes): LineAnnotation {
  let after = '';
  let shown = 0;
  for (const n of l.notes) {
    const next = after ? `${after} · ${n.message}` : n.message;
    if (shown > 0 && next.length > MAX_AFTER_CHARS) break;
    after = next;
    shown++;
  }
  if (shown < l.notes.length) after += ` ${ui.deepNotesMore(l.notes.length - shown)}`;
  const list = l.notes.map((n) => `${n.line}:${n.column}: ${n.message}`).join('\n');
  return {
    file: l.file,
    line: l.line,
    after: `    ← ${after}`,
    hover: `${ui.deepNotesHover}\n\n\`\`\`text\n${list}\n\`\`\``,
    className: `k-${strongestKind(l.notes)}`,
  };
}

export class DeepDive {
  private readonly host: DeepDiveHost;
  private readonly section: HTMLElement;
  private readonly toggle: HTMLButtonElement;
  private readonly status: HTMLElement;
  private readonly tabs: HTMLButtonElement[];
  private readonly asm: AsmView;
  private running: AbortController | undefined;
  private blocked = false;

  constructor(root: HTMLElement, host: DeepDiveHost) {
    this.host = host;
    this.section = root.querySelector<HTMLElement>('[data-deep-dive]')!;
    this.toggle = root.querySelector<HTMLButtonElement>('[data-deep-toggle]')!;
    this.status = this.section.querySelector<HTMLElement>('[data-deep-status]')!;
    this.tabs = [...this.section.querySelectorAll<HTMLButtonElement>('[data-deep-tab]')];
    this.asm = new AsmView(this.panel('asm'), (file, line) => host.editor.reveal(file, line));

    this.toggle.addEventListener('click', () => {
      const opening = this.section.hidden;
      this.open(opening);
      // Into the panel that just opened (its selected tab), so the keyboard is where the eyes are.
      if (opening) this.tabs.find((t) => t.getAttribute('aria-selected') === 'true')?.focus();
    });
    const tablist = this.section.querySelector<HTMLElement>('[data-deep-tabs]')!;
    tablist.addEventListener('click', (e) => {
      const tab = (e.target as HTMLElement).closest<HTMLButtonElement>('[data-deep-tab]');
      if (tab) this.select(tab.dataset.deepTab as Tab, false);
    });
    tablist.addEventListener('keydown', (e) => this.onTabKey(e));

    const runs: Record<Tab, () => Promise<void>> = {
      inline: () => this.inline(),
      asm: () => this.assembly(),
      ssa: () => this.ssa(),
      buildinfo: () => this.buildInfo(),
    };
    for (const [tab, run] of Object.entries(runs)) this.$(tab as Tab, 'deep-run').addEventListener('click', () => void run());
    this.$('inline', 'notes-clear').addEventListener('click', () => {
      host.editor.setAnnotations([]);
      this.$('inline', 'notes').hidden = true;
      this.$('inline', 'notes-clear').hidden = true;
      this.announce(ui.deepNotesCleared);
      this.$('inline', 'deep-run').focus();
    });
    host.editor.onAnnotationsCleared = () => {
      this.$('inline', 'notes-clear').hidden = true;
      this.announce(ui.deepNotesClearedByEdit);
    };
    const func = this.$<HTMLInputElement>('ssa', 'ssa-func');
    func.addEventListener('input', () => {
      if (!ssaFuncProblem(func.value.trim())) this.$('ssa', 'deep-command').textContent = ui.runCommand(ssaCommand(func.value.trim()));
    });
    func.addEventListener('focus', () => this.offerFunctions());
    func.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') void this.ssa();
    });
  }

  /** The workbench's Run is running: no deep dive meanwhile. */
  setBlocked(on: boolean): void {
    this.blocked = on;
    this.updateButtons();
  }

  /** Stop a deep dive that is running (the toolbar's Stop). */
  stop(): void {
    this.running?.abort();
  }

  /** The learner edited a file: results on screen describe the code as it was. */
  filesChanged(): void {
    for (const panel of this.section.querySelectorAll<HTMLElement>('[data-deep-panel]')) {
      const exit = panel.querySelector<HTMLElement>('[data-deep-exit]')!;
      if (!exit.hidden) panel.querySelector<HTMLElement>('[data-deep-stale]')!.hidden = false;
    }
  }

  // ------------------------------------------------------------ layout

  private panel(tab: Tab): HTMLElement {
    return this.section.querySelector<HTMLElement>(`[data-deep-panel="${tab}"]`)!;
  }

  private $<T extends HTMLElement = HTMLElement>(tab: Tab, name: string): T {
    return this.panel(tab).querySelector<T>(`[data-${name}]`)!;
  }

  private open(on: boolean): void {
    this.section.hidden = !on;
    this.toggle.setAttribute('aria-expanded', String(on));
  }

  private select(tab: Tab, focus: boolean): void {
    for (const t of this.tabs) {
      const selected = t.dataset.deepTab === tab;
      t.setAttribute('aria-selected', String(selected));
      t.tabIndex = selected ? 0 : -1;
      if (selected && focus) t.focus();
      this.panel(t.dataset.deepTab as Tab).hidden = !selected;
    }
    if (tab === 'ssa') this.offerFunctions();
  }

  private onTabKey(e: KeyboardEvent): void {
    const i = this.tabs.findIndex((t) => t.getAttribute('aria-selected') === 'true');
    const n = this.tabs.length;
    const next = { ArrowRight: (i + 1) % n, ArrowLeft: (i - 1 + n) % n, Home: 0, End: n - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    this.select(this.tabs[next]!.dataset.deepTab as Tab, true);
  }

  private announce(text: string): void {
    this.status.textContent = text;
  }

  /** Bring a result into view inside the panel (it scrolls; the page stays put). */
  private reveal(el: HTMLElement): void {
    el.scrollIntoView({ block: 'nearest' });
  }

  private updateButtons(): void {
    for (const b of this.section.querySelectorAll<HTMLButtonElement>('[data-deep-run]')) b.disabled = this.blocked || !!this.running;
  }

  /** The functions of the learner's files as suggestions for GOSSAFUNC. */
  private offerFunctions(): void {
    const list = this.$('ssa', 'ssa-funcs');
    list.replaceChildren(...goFunctionNames(this.host.editor.getFiles()).map((name) => new Option(name)));
  }

  // ------------------------------------------------------------ running

  /** Runs `command` for `tab`'s panel; null when another command runs or it could not run. */
  private async run(tab: Tab, command: string): Promise<Result | null> {
    if (this.running || this.blocked) return null;
    const controller = new AbortController();
    this.running = controller;
    const button = this.$<HTMLButtonElement>(tab, 'deep-run');
    const exitLine = this.$(tab, 'deep-exit');
    this.$(tab, 'deep-command').textContent = ui.runCommand(command);
    this.$(tab, 'deep-stale').hidden = true;
    exitLine.hidden = true;
    this.$(tab, 'deep-output-box').hidden = true;
    button.textContent = ui.deepRunning;
    this.updateButtons();
    this.host.busy(true);
    this.announce(ui.deepRunning);
    const edits = this.host.editor.editCount;
    let result: Result = { stdout: '', stderr: '', exit: null, edited: false };
    let failure: string | null = null;
    try {
      const { files, sent } = await this.host.prepare();
      result = { ...(await runCollected({ files, command, lesson: this.host.lesson, observe: false }, controller.signal, sent)), edited: false };
      if (!result.exit) failure = 'the connection ended early';
    } catch (err) {
      failure = controller.signal.aborted ? ui.runStopped : message(err);
    } finally {
      this.running = undefined;
      button.textContent = ui.deepRun[tab];
      this.updateButtons();
      this.host.busy(false);
    }
    result.edited = this.host.editor.editCount !== edits;
    const exit = result.exit;
    exitLine.textContent = failure ? ui.deepFailed(failure) : (exit!.message ?? ui.exitStatus(exit!.code, exit!.durationMs));
    exitLine.dataset.ok = String(!failure && exit!.code === 0 && exit!.reason === 'exited');
    exitLine.hidden = false;
    this.$(tab, 'deep-output').textContent = `${result.stdout}${result.stderr}` || ui.deepNothingPrinted;
    this.$(tab, 'deep-output-box').hidden = false;
    if (failure) {
      this.announce(ui.deepFailed(failure));
      return null;
    }
    if (result.edited) this.$(tab, 'deep-stale').hidden = false;
    return result;
  }

  /** A build that failed: its messages open below, and the page says so. */
  private failed(tab: Tab, r: Result): boolean {
    if (r.exit!.code === 0 && r.exit!.reason === 'exited') return false;
    this.$<HTMLDetailsElement>(tab, 'deep-output-box').open = true;
    this.announce(r.exit!.message ?? ui.deepBuildFailed);
    return true;
  }

  private async inline(): Promise<void> {
    const r = await this.run('inline', INLINING_COMMAND);
    if (!r) return;
    const editor = this.host.editor;
    if (this.failed('inline', r) || r.edited) {
      editor.setAnnotations([]);
      this.$('inline', 'notes').hidden = true;
      this.$('inline', 'notes-clear').hidden = true;
      if (r.edited) this.announce(ui.deepStale);
      return;
    }
    const files = Object.keys(editor.getFiles());
    const lines = notesByLine(parseCompilerNotes(r.stderr, files, this.host.lesson), files);
    editor.setAnnotations(lines.map(annotationOf));
    const list = this.$('inline', 'notes-list');
    list.replaceChildren(...lines.map((l) => this.noteItem(l)));
    this.$('inline', 'notes').hidden = lines.length === 0;
    this.$('inline', 'notes-clear').hidden = lines.length === 0;
    if (lines.length) this.reveal(this.$('inline', 'notes'));
    const count = lines.reduce((n, l) => n + l.notes.length, 0);
    this.announce(count ? ui.deepNotesSummary(count, lines.length) : ui.deepNotesNone);
  }

  private noteItem(l: LineNotes): HTMLLIElement {
    const li = document.createElement('li');
    const link = document.createElement('button');
    link.type = 'button';
    link.className = 'dd-link';
    link.textContent = ui.deepLineLink(l.file, l.line);
    link.setAttribute('aria-label', ui.deepLineLinkLabel(l.file, l.line));
    link.addEventListener('click', () => this.host.editor.reveal(l.file, l.line));
    li.append(link);
    for (const n of l.notes) {
      const span = document.createElement('span');
      span.className = `k-${n.kind}`;
      span.textContent = `${n.line}:${n.column}: ${n.message}`;
      li.append(span);
    }
    return li;
  }

  private async assembly(): Promise<void> {
    const r = await this.run('asm', ASSEMBLY_COMMAND);
    if (!r) return;
    if (this.failed('asm', r)) {
      this.asm.hide();
      return;
    }
    const files = Object.keys(this.host.editor.getFiles());
    const functions = functionsOf(parseAsm(r.stderr, files, this.host.lesson));
    if (!functions.length) {
      this.asm.hide();
      this.announce(ui.deepAsmNone);
      return;
    }
    // The listing is long and shown below: the raw text stays folded away.
    this.$('asm', 'deep-output-box').hidden = true;
    const shown = this.asm.show(functions);
    this.reveal(this.$('asm', 'asm-header'));
    this.announce(ui.deepAsmSummary(shown, functions.length));
  }

  private async ssa(): Promise<void> {
    const name = this.$<HTMLInputElement>('ssa', 'ssa-func').value.trim();
    const problem = ssaFuncProblem(name);
    if (problem) {
      this.announce(ui.deepSsaBadName(problem));
      return;
    }
    const view = this.$('ssa', 'ssa');
    const r = await this.run('ssa', ssaCommand(name));
    if (!r) return;
    if (this.failed('ssa', r)) {
      view.hidden = true;
      return;
    }
    // The go command relays the compiler's "dumped SSA for f,1 to ./ssa.html" on stderr.
    const dumped = parseSsaDumped(`${r.stdout}\n${r.stderr}`).at(-1);
    if (!dumped) {
      view.hidden = true;
      this.announce(ui.deepSsaNoFunction(name));
      return;
    }
    // The compiler names it with its ABI number (`main,1`); the learner asked for `main`.
    const func = dumped.func.replace(/,\d+$/, '');
    const query = new URLSearchParams({ lesson: this.host.lesson, path: SSA_FILE, t: String(Date.now()) });
    const url = `/api/workspace/artifact?${query}`;
    const frame = this.$<HTMLIFrameElement>('ssa', 'ssa-frame');
    frame.title = ui.deepSsaFrameTitle(func);
    frame.src = url;
    this.$<HTMLAnchorElement>('ssa', 'ssa-open').href = url;
    view.hidden = false;
    this.reveal(frame);
    this.announce(ui.deepSsaDumped(func));
  }

  private async buildInfo(): Promise<void> {
    const r = await this.run('buildinfo', BUILD_INFO_COMMAND);
    if (!r) return;
    if (r.exit!.code !== 0 && !`${r.stdout}${r.stderr}`.trim()) {
      // go version -m of a file that is no Go program prints nothing and exits 1.
      const exitLine = this.$('buildinfo', 'deep-exit');
      exitLine.textContent = `${exitLine.textContent}: ${ui.deepBuildInfoNoBinary}`;
      this.announce(ui.deepBuildInfoNoBinary);
      return;
    }
    if (this.failed('buildinfo', r)) return;
    this.announce(ui.deepBuildInfoDone);
  }
}
