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
import type { ExitEvent, OutputEvent, WorkspaceFile } from '../lib/protocol.ts';
import { ui } from '../lib/ui-strings.ts';
import { putLessonFiles, runCollected, runStream } from './api.ts';
import { DeepDive, type SendableFiles } from './deep-dive.ts';
import { Editor } from './editor.ts';
import { listFiles, loadFiles, noteSent, resetFiles, saveFiles } from './files-api.ts';
import { planSync } from './file-sync.ts';
import { parseDiagnostic, type Diagnostic } from './phase-model.ts';
import { PhaseView } from './phase-view.ts';
import { splitRefs } from './output-links.ts';
import { setupPanes } from './panes.ts';
import type { FilesRequest } from './exercise.ts';
import { LineSplitter } from '../lib/lines.ts';
import { MAX_FILES } from '../lib/protocol.ts';

const SAVE_DELAY_MS = 500;
/** Format (gofmt of one file in the sandbox) is given up after this long. */
const FORMAT_TIMEOUT_MS = 20_000;
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
  const otherFiles = root.querySelector<HTMLElement>('[data-other-files]')!;
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
    let listed: WorkspaceFile[];
    try {
      listed = (await listFiles(lesson, AbortSignal.timeout(SYNC_TIMEOUT_MS))).files;
    } catch {
      return; // nothing lost: the editor's own files are saved and sent as before
    }
    showFolder(listed);
    const workspace = listed.flatMap((f) => (f.content !== undefined ? [{ name: f.name, content: f.content }] : []));
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

  /** Names of the lesson's starting files (Reset keeps them; their tabs always stay). */
  const starting = new Set<string>();
  /**
   * What the listing says is in the folder besides the editor's files: a new
   * text file (the terminal or a Try it block made it) opens in a tab of its
   * own; one the editor has that is gone from the folder (and not being
   * edited) loses its tab; what the editor cannot open (a built program, a
   * huge file, a symlink) is named beside the tabs. MAX_FILES bounds the tabs:
   * a Run carries every open file.
   */
  const showFolder = (listed: WorkspaceFile[]) => {
    const open = editor.getFiles();
    let added = false;
    for (const f of listed) {
      if (f.starting || f.content === undefined || Object.hasOwn(open, f.name)) continue;
      if (Object.keys(editor.getFiles()).length >= MAX_FILES) break;
      editor.addFile(f.name, f.content);
      base.set(f.name, f.content);
      added = true;
    }
    const inFolder = new Set(listed.filter((f) => f.content !== undefined).map((f) => f.name));
    for (const name of Object.keys(open)) {
      if (!starting.has(name) && !inFolder.has(name) && !dirty.has(name)) {
        editor.removeFile(name);
        base.delete(name);
        added = true;
      }
    }
    if (added) deepDive.filesChanged();
    const others = listed.filter((f) => f.content === undefined && !(f.starting && f.kind === 'text'));
    otherFiles.hidden = others.length === 0;
    otherFiles.textContent = others.length ? `${ui.otherFilesLabel} ${others.map((f) => ui.otherFile(f.name, f.kind, f.bytes)).join(', ')}` : '';
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

  /**
   * For a command whose request carries the files (Run, Format, a deep dive):
   * sync with the workspace like syncAndSave, but without the save — the
   * command's request saves them, so the files go over the wire once. `sent`
   * (the server took the request) makes the carried edits saved.
   */
  const prepareSend = (): Promise<SendableFiles> => {
    cancelAutosave();
    return new Promise<SendableFiles>((resolve, reject) => {
      serial(async () => {
        await syncWorkspace();
        cancelAutosave();
        const files = editor.getFiles();
        const carried = Object.fromEntries([...dirty].map((n) => [n, files[n] ?? '']));
        resolve({
          files,
          sent: () => {
            const now = editor.getFiles();
            for (const [name, content] of Object.entries(carried)) {
              base.set(name, content);
              if (now[name] === content) dirty.delete(name);
            }
            if (Object.keys(carried).length) noteSent(lesson, carried);
            if (dirty.size === 0 && !saveTimer) showSave('saved');
          },
        });
      }).catch(reject);
    });
  };
  /** After a command: edits its request did not carry (it failed, or they came meanwhile) are saved as usual. */
  const saveLeftovers = () => {
    if (dirty.size && !saveTimer) saveTimer = setTimeout(() => void syncAndSave(), SAVE_DELAY_MS);
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
    void putLessonFiles(lesson, files, true).catch(() => undefined);
  });

  // A deep dive runs a command of its own: Run waits for it (one command per session).
  let deepDiveBusy = false;
  const deepDive = new DeepDive(root, {
    lesson,
    editor,
    // Its commands send the editor's files too: bring in the terminal's changes first.
    prepare: prepareSend,
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
    const outputLines = new LineSplitter();
    /**
     * Complete output lines become editor markers as they arrive. The Run asks
     * for one ordered stream (stdout and stderr as a terminal interleaves them),
     * so the compiler's file:line:col lines come in it too.
     */
    const scanOutput = (data: string, end = false) => {
      const lines = outputLines.push(data);
      if (end) lines.push(outputLines.end());
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
      const { files, sent } = await prepareSend();
      await runStream(
        { files, command, lesson, merge: true },
        {
          accepted: sent,
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
      saveLeftovers();
      // The command may have made files (a lesson's `go build -o release`): the folder is read again.
      requestSync();
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
      const { files, sent } = await prepareSend();
      const name = /^[\w./-]+$/.test(file) ? file : `'${file.replaceAll("'", `'\\''`)}'`;
      const result = await runCollected({ files, command: `gofmt ${name}`, lesson, observe: false }, AbortSignal.timeout(FORMAT_TIMEOUT_MS), sent);
      ({ stdout, stderr } = result);
      code = result.exit?.code;
    } catch (err) {
      showSave('error', ui.formatFailed(message(err)));
      return null;
    } finally {
      formatting = false;
      formatButton.disabled = false;
      runButton.disabled = !!running || deepDiveBusy;
      saveLeftovers();
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
  const extraBox = dialog.querySelector<HTMLElement>('[data-reset-extra]')!;
  const extraTitle = dialog.querySelector<HTMLElement>('[data-reset-extra-title]')!;
  const extraList = dialog.querySelector<HTMLElement>('[data-reset-extra-list]')!;
  /** The confirmation names what Reset removes: everything in the folder that is not a starting file. */
  const showExtras = (listing: { files: WorkspaceFile[]; truncated: boolean } | null) => {
    const extra = listing?.files.filter((f) => !f.starting) ?? [];
    extraBox.hidden = extra.length === 0;
    extraTitle.textContent = ui.resetRemoves(extra.length);
    extraList.replaceChildren(...extra.map((f) => Object.assign(document.createElement('li'), { textContent: f.name })));
    if (listing?.truncated) extraList.append(Object.assign(document.createElement('li'), { textContent: ui.resetRemovesMore }));
  };
  let resetAsking = false;
  resetButton.addEventListener('click', async () => {
    if (resetAsking) return;
    resetAsking = true;
    // A listing that fails or is slow still lets the learner reset (without the list).
    const listing = await listFiles(lesson, AbortSignal.timeout(SYNC_TIMEOUT_MS)).catch(() => null);
    resetAsking = false;
    showExtras(listing);
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
        otherFiles.hidden = true;
        otherFiles.textContent = '';
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
  editor.preloadMonaco();
  loadFiles(lesson)
    .then(
      (answer) => {
        editor.setFiles(answer.files);
        setBase(answer.files);
        for (const f of answer.files) starting.add(f.name);
        scheduleTerminal();
        // Files made earlier in the terminal (another visit) get their tabs too.
        void serial(syncWorkspace);
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
