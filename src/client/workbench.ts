/**
 * Wires the workbench (src/components/workbench/): loads the learner's files,
 * autosaves edits, runs the lesson's command and streams its output (with its
 * build phases in the phase view, and compiler/vet findings as editor
 * markers), resets, starts the terminal, and hosts the compiler deep dives
 * (deep-dive.ts), which take turns with Run.
 */
import type { ExitEvent, OutputEvent } from '../lib/protocol.ts';
import { ui } from '../lib/ui-strings.ts';
import { DeepDive } from './deep-dive.ts';
import { Editor } from './editor.ts';
import { loadFiles, resetFiles, saveFiles } from './files-api.ts';
import { parseDiagnostic, type Diagnostic } from './phase-model.ts';
import { PhaseView } from './phase-view.ts';
import { runStream } from './run-stream.ts';
import type { FilesRequest } from './exercise.ts';

const SAVE_DELAY_MS = 500;

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

function setup(root: HTMLElement): void {
  const lesson = root.dataset.lesson!;
  const command = root.dataset.run!;
  const runButton = root.querySelector<HTMLButtonElement>('[data-run-button]')!;
  const stopButton = root.querySelector<HTMLButtonElement>('[data-stop-button]')!;
  const resetButton = root.querySelector<HTMLButtonElement>('[data-reset-button]')!;
  const saveStatus = root.querySelector<HTMLElement>('[data-save-status]')!;
  const output = root.querySelector<HTMLElement>('[data-output]')!;
  const dialog = root.querySelector<HTMLDialogElement>('[data-reset-dialog]')!;
  const terminalHost = root.querySelector<HTMLElement>('[data-terminal]')!;
  const phaseView = new PhaseView(root.querySelector<HTMLElement>('[data-phase-view]')!);

  // ------------------------------------------------------------ saving
  const dirty = new Set<string>();
  let saveTimer: ReturnType<typeof setTimeout> | undefined;
  let saving: Promise<void> = Promise.resolve();

  const showSave = (state: 'saved' | 'saving' | 'error', text?: string) => {
    saveStatus.dataset.state = state;
    saveStatus.textContent = text ?? (state === 'saved' ? ui.saveSaved : ui.saveSaving);
  };

  /** Save every edited file now (waits for a save already under way). */
  const flush = async (): Promise<void> => {
    clearTimeout(saveTimer);
    saveTimer = undefined;
    await saving;
    if (dirty.size === 0) return;
    const all = editor.getFiles();
    const files: Record<string, string> = {};
    for (const name of dirty) files[name] = all[name] ?? '';
    dirty.clear();
    showSave('saving');
    saving = saveFiles(lesson, files).then(
      () => {
        if (dirty.size === 0 && !saveTimer) showSave('saved');
      },
      (err: unknown) => {
        for (const name of Object.keys(files)) dirty.add(name);
        showSave('error', ui.saveFailed(message(err)));
      },
    );
    await saving;
  };

  const editor = new Editor(root, (name) => {
    deepDive.filesChanged();
    dirty.add(name);
    showSave('saving');
    clearTimeout(saveTimer);
    saveTimer = setTimeout(() => void flush(), SAVE_DELAY_MS);
  });

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
    flush,
    busy: (on) => {
      deepDiveBusy = on;
      runButton.disabled = on;
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

  // The exercise's Check asks for the files being edited (saved first, like a Run).
  document.addEventListener('lab:files-request', (event) => {
    const e = event as CustomEvent<FilesRequest>;
    e.preventDefault();
    void flush().then(() => e.detail.resolve(editor.getFiles()), () => e.detail.resolve(editor.getFiles()));
  });

  // ------------------------------------------------------------ run
  let running: AbortController | undefined;

  const setRunning = (on: boolean) => {
    runButton.disabled = on;
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
    output.replaceChildren();
    placeholder = false;
    append(`${ui.runCommand(command)}\n`, 'command');
    phaseView.reset();
    editor.setDiagnostics([]);
    const diagnostics: Diagnostic[] = [];
    let stderrLine = '';
    /** Complete stderr lines become editor markers as they arrive. */
    const scanStderr = (data: string, end = false) => {
      stderrLine += data;
      const lines = stderrLine.split('\n');
      stderrLine = end ? '' : (lines.pop() ?? '');
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
      await flush();
      await runStream(
        { files: editor.getFiles(), command, lesson },
        {
          event: (e) => phaseView.event(e),
          output: (e: OutputEvent) => {
            append(e.data, e.type === 'stderr' ? 'stderr' : 'stdout');
            if (e.type === 'stderr') scanStderr(e.data);
          },
          exit: (e: ExitEvent) => {
            scanStderr('', true);
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
      running = undefined;
      setRunning(false);
    }
  });

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
    clearTimeout(saveTimer);
    saveTimer = undefined;
    await saving;
    dirty.clear();
    try {
      editor.setFiles((await resetFiles(lesson)).files);
      showSave('saved');
    } catch (err) {
      showSave('error', ui.resetFailed(message(err)));
    }
    resetButton.focus();
  });

  // ------------------------------------------------------------ start
  // The terminal (xterm.js) loads once the page is idle, so it never delays the
  // editor, and only after the files call: that call creates the session cookie
  // the terminal socket needs.
  const startTerminal = () =>
    import('./terminal.ts')
      .then(({ startTerminal }) => startTerminal(terminalHost, lesson, (e) => phaseView.terminalEvent(e)))
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
