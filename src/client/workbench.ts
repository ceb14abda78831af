/**
 * Wires the workbench (src/components/workbench/): loads the learner's files,
 * autosaves edits, runs the lesson's command and streams its output (with its
 * build phases in the phase view, and compiler/vet findings as editor
 * markers), resets, starts the terminal, and hosts the compiler deep dives
 * (deep-dive.ts), which take turns with Run.
 *
 * The terminal can change the same files (`go mod tidy`, `gofmt -w`…), so the
 * workbench syncs with the workspace (file-sync.ts's three-way rule) after a
 * command in the terminal, when the editor gains focus, and before anything
 * sends the editor's files (Run, a deep dive, the exercise's Check/Submit):
 * a change made in the terminal is shown in the editor, never overwritten
 * unseen.
 */
import type { ExitEvent, OutputEvent } from '../lib/protocol.ts';
import { ui } from '../lib/ui-strings.ts';
import { DeepDive } from './deep-dive.ts';
import { Editor } from './editor.ts';
import { loadFiles, resetFiles, saveFiles } from './files-api.ts';
import { planSync } from './file-sync.ts';
import { parseDiagnostic, type Diagnostic } from './phase-model.ts';
import { PhaseView } from './phase-view.ts';
import { runStream } from './run-stream.ts';
import { splitRefs } from './output-links.ts';
import { setupPanes } from './panes.ts';
import type { FilesRequest } from './exercise.ts';

const SAVE_DELAY_MS = 500;
/** Quiet time after a sync is asked for (editor focus, the terminal settling) before it runs: focus can bounce, and one often follows the other. */
const SYNC_DELAY_MS = 300;
/** A sync slower than this is given up: Run and Check go on with the editor's files. */
const SYNC_TIMEOUT_MS = 5000;
/** A sync's note stays up at least this long, even while the learner keeps typing (else the next keystroke hides it). */
const NOTICE_MIN_MS = 10_000;

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

function setup(root: HTMLElement): void {
  setupPanes(root);
  const lesson = root.dataset.lesson!;
  const command = root.dataset.run!;
  const runButton = root.querySelector<HTMLButtonElement>('[data-run-button]')!;
  const stopButton = root.querySelector<HTMLButtonElement>('[data-stop-button]')!;
  const resetButton = root.querySelector<HTMLButtonElement>('[data-reset-button]')!;
  const formatButton = root.querySelector<HTMLButtonElement>('[data-format-button]')!;
  const saveStatus = root.querySelector<HTMLElement>('[data-save-status]')!;
  const output = root.querySelector<HTMLElement>('[data-output]')!;
  const dialog = root.querySelector<HTMLDialogElement>('[data-reset-dialog]')!;
  const terminalHost = root.querySelector<HTMLElement>('[data-terminal]')!;
  const phaseView = new PhaseView(root.querySelector<HTMLElement>('[data-phase-view]')!);

  // ------------------------------------------------------------ saving and syncing
  const dirty = new Set<string>();
  /**
   * Per file, the content last known to be the same in the editor and in the
   * workspace (file-sync.ts). Empty until the first load worked: no sync before that.
   */
  const base = new Map<string, string>();
  const setBase = (files: Array<{ name: string; content: string }>) => {
    base.clear();
    for (const f of files) base.set(f.name, f.content);
  };
  let saveTimer: ReturnType<typeof setTimeout> | undefined;
  /** An edit's save is due in a sync about to run (or the edits were thrown away by a reset). */
  const cancelAutosave = () => {
    clearTimeout(saveTimer);
    saveTimer = undefined;
  };
  /** Syncs (each with its save) and resets run one at a time, in order: a sync never reads the workspace halfway through a save. */
  let queue: Promise<void> = Promise.resolve();
  const serial = (job: () => Promise<void>): Promise<void> => {
    const done = queue.then(job);
    queue = done.catch(() => undefined);
    return done;
  };
  /**
   * Said in place of "Saving…"/"Saved" (errors still show) until an edit after
   * NOTICE_MIN_MS: files changed on both sides kept the editor's version.
   */
  let notice: { text: string; since: number } | undefined;

  const showSave = (state: 'saved' | 'saving' | 'error', text?: string) => {
    saveStatus.dataset.state = state;
    saveStatus.textContent = text ?? notice?.text ?? (state === 'saved' ? ui.saveSaved : ui.saveSaving);
  };

  /**
   * Read the workspace and apply the three-way rule: a file only the terminal
   * changed is shown in the editor; one changed on both sides keeps the
   * editor's text (marked for saving) and the learner is told. A failed read
   * changes nothing: the editor's files stay as they are.
   */
  const syncWorkspace = async (): Promise<void> => {
    if (base.size === 0) return;
    let workspace: Array<{ name: string; content: string }>;
    try {
      workspace = (await loadFiles(lesson, AbortSignal.timeout(SYNC_TIMEOUT_MS))).files;
    } catch {
      return; // nothing lost: the editor's own files are saved and sent as before
    }
    // Decided against the editor as it is now: text typed while the read was under way counts as an edit.
    const plan = planSync(base, editor.getFiles(), workspace);
    const loads = Object.entries(plan.load);
    for (const [name, content] of loads) {
      editor.replaceFile(name, content);
      base.set(name, content);
    }
    for (const [name, content] of Object.entries(plan.agree)) base.set(name, content);
    if (loads.length) deepDive.filesChanged();
    if (plan.conflicts.length) {
      for (const name of plan.conflicts) dirty.add(name);
      notice = { text: ui.fileSyncConflict(plan.conflicts), since: Date.now() };
    }
  };

  /** Save every edited file: the editor's edits, and its side of a conflict. */
  const saveDirty = async (): Promise<void> => {
    cancelAutosave(); // the edits it was for are saved now
    if (dirty.size === 0) return;
    const all = editor.getFiles();
    const files: Record<string, string> = {};
    for (const name of dirty) files[name] = all[name] ?? '';
    dirty.clear();
    showSave('saving');
    try {
      await saveFiles(lesson, files);
      for (const [name, content] of Object.entries(files)) base.set(name, content);
      if (dirty.size === 0 && !saveTimer) showSave('saved');
    } catch (err) {
      for (const name of Object.keys(files)) dirty.add(name);
      showSave('error', ui.saveFailed(message(err)));
    }
  };

  /** The queued sync that has not started yet: every caller until it starts shares it. */
  let pendingSync: Promise<void> | undefined;
  /**
   * Sync, then save: the only way edits are saved (a failed sync still saves),
   * so a file the terminal changed meanwhile is a conflict the learner hears
   * about, never a silent overwrite.
   */
  const syncAndSave = (): Promise<void> => {
    cancelAutosave();
    return (pendingSync ??= serial(async () => {
      pendingSync = undefined;
      await syncWorkspace();
      await saveDirty();
    }));
  };

  let syncTimer: ReturnType<typeof setTimeout> | undefined;
  /** A sync soon (several requests in a short time make one). */
  const requestSync = () => {
    clearTimeout(syncTimer);
    syncTimer = setTimeout(() => void syncAndSave(), SYNC_DELAY_MS);
  };

  const editor = new Editor(root, (name) => {
    deepDive.filesChanged();
    dirty.add(name);
    if (notice && Date.now() - notice.since >= NOTICE_MIN_MS) notice = undefined;
    showSave('saving');
    clearTimeout(saveTimer);
    saveTimer = setTimeout(() => void syncAndSave(), SAVE_DELAY_MS);
  });
  // The learner may be back from the terminal, where files can have changed.
  editor.onFocusIn = requestSync;

  addEventListener('pagehide', () => {
    if (dirty.size === 0) return;
    const all = editor.getFiles();
    const files = Object.fromEntries([...dirty].map((n) => [n, all[n] ?? '']));
    // keepalive lets the save outlive the page
    void fetch(`/api/workspace/files?lesson=${encodeURIComponent(lesson)}`, {
      method: 'PUT',
      keepalive: true,
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ files }),
    });
  });

  // A deep dive runs a command of its own: Run waits for it (one command per session).
  let deepDiveBusy = false;
  const deepDive = new DeepDive(root, {
    lesson,
    editor,
    // Its commands send the editor's files too: bring in the terminal's changes first.
    flush: syncAndSave,
    busy: (on) => {
      deepDiveBusy = on;
      runButton.disabled = on;
      formatButton.disabled = on;
      resetButton.disabled = on;
      stopButton.disabled = !on;
    },
  });

  // ------------------------------------------------------------ output
  let placeholder = true;
  const append = (text: string, className: string) => {
    if (placeholder) {
      output.replaceChildren();
      placeholder = false;
    }
    const last = output.lastElementChild as HTMLElement | null;
    if (last && last.className === className && last.tagName === 'SPAN') last.append(text);
    else {
      const span = document.createElement('span');
      span.className = className;
      span.textContent = text;
      output.append(span);
    }
    output.scrollTop = output.scrollHeight;
  };
  const appendLine = (text: string, className: string) => {
    const text0 = output.textContent ?? '';
    const needsBreak = !placeholder && text0.length > 0 && !text0.endsWith('\n');
    append(`${needsBreak ? '\n' : ''}`, 'stdout');
    const div = document.createElement('div');
    div.className = className;
    div.textContent = text;
    output.append(div);
    output.scrollTop = output.scrollHeight;
  };

  /** File:line references of the learner's files become links to that line in the editor (output-links.ts). */
  const linkifyOutput = () => {
    const names = Object.keys(editor.getFiles());
    for (const span of output.querySelectorAll<HTMLElement>('span.stdout, span.stderr')) {
      const parts = splitRefs(span.textContent ?? '', names, lesson);
      if (parts.every((p) => typeof p === 'string')) continue;
      span.replaceChildren(
        ...parts.map((p) => {
          if (typeof p === 'string') return p;
          const a = document.createElement('a');
          a.href = '#editor-panel';
          a.className = 'ref';
          a.dataset.refFile = p.file;
          a.dataset.refLine = String(p.line);
          a.title = ui.deepLineLinkLabel(p.file, p.line);
          a.textContent = p.text;
          return a;
        }),
      );
    }
  };
  output.addEventListener('click', (e) => {
    const a = (e.target as HTMLElement).closest<HTMLAnchorElement>('a[data-ref-file]');
    if (!a) return;
    e.preventDefault();
    editor.reveal(a.dataset.refFile!, Number(a.dataset.refLine));
  });

  // The exercise's Check (and Submit) asks for the files being edited (synced and saved first, like a Run).
  document.addEventListener('lab:files-request', (event) => {
    const e = event as CustomEvent<FilesRequest>;
    e.preventDefault();
    const answer = () => e.detail.resolve(editor.getFiles());
    void syncAndSave().then(answer, answer);
  });

  // ------------------------------------------------------------ run
  let running: AbortController | undefined;

  const setRunning = (on: boolean) => {
    runButton.disabled = on;
    formatButton.disabled = on;
    runButton.textContent = on ? ui.running : ui.run;
    stopButton.disabled = !on;
    resetButton.disabled = on;
    deepDive.setBlocked(on);
  };

  runButton.addEventListener('click', async () => {
    if (running || deepDiveBusy) return;
    const controller = new AbortController();
    running = controller;
    setRunning(true);
    // Run is disabled while it runs, which would drop focus to the page: the Output
    // (a focusable log) is where the result appears, so the keyboard goes there.
    output.focus();
    output.replaceChildren();
    placeholder = false;
    append(`${ui.runCommand(command)}\n`, 'command');
    phaseView.reset();
    editor.setDiagnostics([]);
    const diagnostics: Diagnostic[] = [];
    let outputLine = '';
    /**
     * Complete output lines become editor markers as they arrive. The Run asks
     * for one ordered stream (stdout and stderr as a terminal interleaves them),
     * so the compiler's file:line:col lines come in it too.
     */
    const scanOutput = (data: string, end = false) => {
      outputLine += data;
      const lines = outputLine.split('\n');
      outputLine = end ? '' : (lines.pop() ?? '');
      const names = Object.keys(editor.getFiles());
      let found = false;
      for (const line of lines) {
        const d = parseDiagnostic(line, names, phaseView.isVet());
        if (d) {
          diagnostics.push(d);
          found = true;
        }
      }
      if (found) editor.setDiagnostics([...diagnostics]);
    };
    let exited = false;
    try {
      await syncAndSave();
      await runStream(
        { files: editor.getFiles(), command, lesson, merge: true },
        {
          event: (e) => phaseView.event(e),
          output: (e: OutputEvent) => {
            append(e.data, e.type === 'stderr' ? 'stderr' : 'stdout');
            scanOutput(e.data);
          },
          exit: (e: ExitEvent) => {
            scanOutput('', true);
            exited = true;
            const text = e.message ?? ui.exitStatus(e.code, e.durationMs);
            appendLine(text, `exit ${e.code === 0 && e.reason === 'exited' ? 'ok' : 'fail'}`);
          },
        },
        controller.signal,
      );
    } catch (err) {
      const text = controller.signal.aborted ? ui.runStopped : ui.runFailed(message(err));
      appendLine(text, 'exit fail');
      phaseView.abort(text);
      exited = true;
    } finally {
      if (!exited) {
        appendLine(ui.runFailed('the connection ended early'), 'exit fail');
        phaseView.abort(ui.runFailed('the connection ended early'));
      }
      linkifyOutput();
      running = undefined;
      setRunning(false);
    }
  });

  // ------------------------------------------------------------ format
  let formatting = false;
  /**
   * gofmt in the sandbox (the toolchain's own formatter, so it matches what
   * the learner gets at home): the file's formatted text, or null when gofmt
   * found a syntax error (said in the status line) or another command runs.
   */
  editor.formatter = async (file: string): Promise<string | null> => {
    if (running || deepDiveBusy || formatting) {
      showSave('error', ui.formatBusy);
      return null;
    }
    formatting = true;
    formatButton.disabled = true;
    runButton.disabled = true;
    let stdout = '';
    let stderr = '';
    let code: number | undefined;
    try {
      await syncAndSave();
      const name = /^[\w./-]+$/.test(file) ? file : `'${file.replaceAll("'", `'\\''`)}'`;
      await runStream(
        { files: editor.getFiles(), command: `gofmt ${name}`, lesson, observe: false },
        {
          output: (e) => {
            if (e.type === 'stdout') stdout += e.data;
            else stderr += e.data;
          },
          exit: (e) => {
            code = e.code;
          },
        },
        AbortSignal.timeout(20_000),
      );
    } catch (err) {
      showSave('error', ui.formatFailed(message(err)));
      return null;
    } finally {
      formatting = false;
      formatButton.disabled = false;
      runButton.disabled = !!running || deepDiveBusy;
    }
    if (code !== 0) {
      showSave('error', ui.formatFailed(stderr.split('\n')[0] || ui.formatExit(code)));
      return null;
    }
    return stdout;
  };
  formatButton.addEventListener('click', () => void editor.format());

  stopButton.addEventListener('click', () => {
    if (deepDiveBusy) {
      deepDive.stop();
      return;
    }
    running?.abort();
    runButton.focus();
  });

  // ------------------------------------------------------------ reset
  resetButton.addEventListener('click', () => {
    dialog.returnValue = '';
    dialog.showModal();
  });
  dialog.addEventListener('close', async () => {
    if (dialog.returnValue !== 'confirm') {
      resetButton.focus();
      return;
    }
    cancelAutosave();
    await serial(async () => {
      dirty.clear();
      notice = undefined;
      try {
        const { files } = await resetFiles(lesson);
        editor.setFiles(files);
        setBase(files);
        showSave('saved');
        // A fresh terminal too (terminal.ts): a cd or a variable from before does not linger.
        document.dispatchEvent(new CustomEvent('lab:terminal-restart'));
      } catch (err) {
        showSave('error', ui.resetFailed(message(err)));
      }
    });
    resetButton.focus();
  });

  // ------------------------------------------------------------ start
  // The terminal (xterm.js) loads once the page is idle, so it never delays the
  // editor, and only after the files call: that call creates the session cookie
  // the terminal socket needs.
  const startTerminal = () =>
    import('./terminal.ts')
      .then(({ startTerminal }) =>
        startTerminal(
          terminalHost,
          lesson,
          (e) => phaseView.terminalEvent(e),
          // A command entered there (or a go command) has settled: it may have changed files.
          requestSync,
        ),
      )
      .catch((err: unknown) => {
        terminalHost.textContent = ui.terminalError(message(err));
      });
  const scheduleTerminal = () => {
    if ('requestIdleCallback' in window) requestIdleCallback(() => void startTerminal(), { timeout: 1000 });
    else setTimeout(() => void startTerminal(), 200);
  };

  editor.showMessage(ui.editorFilesLoading);
  loadFiles(lesson)
    .then(
      (answer) => {
        editor.setFiles(answer.files);
        setBase(answer.files);
        scheduleTerminal();
        return editor.loadMonaco();
      },
      (err: unknown) => {
        editor.showMessage(ui.editorFilesError(message(err)));
        scheduleTerminal();
      },
    )
    .catch((err: unknown) => {
      editor.showMessage(ui.editorFilesError(message(err)));
    });
}

document.querySelectorAll<HTMLElement>('[data-workbench]').forEach(setup);
