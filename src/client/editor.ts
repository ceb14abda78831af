/**
 * The editor: a tab per file (ARIA tabs with arrow keys) over one Monaco editor
 * with a model per file. Until Monaco has loaded, the current file is shown
 * read-only in a <pre>.
 */
import { ui } from '../lib/ui-strings.ts';
import { changedSpan } from './file-sync.ts';
import type { Diagnostic } from './phase-model.ts';

type Monaco = typeof import('monaco-editor/editor/editor.api');
type CodeEditor = import('monaco-editor/editor/editor.api').editor.IStandaloneCodeEditor;
type TextModel = import('monaco-editor/editor/editor.api').editor.ITextModel;
type ViewState = import('monaco-editor/editor/editor.api').editor.ICodeEditorViewState;

/**
 * A note shown beside a source line (the compiler deep dive's -m report):
 * a decoration with text after the line and a hover, never a marker, so it
 * cannot be mistaken for a compile error.
 */
export interface LineAnnotation {
  file: string;
  line: number;
  /** Shown after the line's text. */
  after: string;
  /** Markdown for the hover. */
  hover: string;
  /** Extra CSS class (the note's kind, for its colour). */
  className: string;
}

function languageOf(name: string): string {
  return name.endsWith('.go') ? 'go' : 'plaintext';
}

/** The items (markers, notes) that belong to a file and fall on one of its lines. */
function onLinesOf<T extends { file: string; line: number }>(items: T[], file: string, lineCount: number): T[] {
  return items.filter((x) => x.file === file && x.line >= 1 && x.line <= lineCount);
}

/** Compile errors red, vet's findings yellow, the compiler's -m notes blue information (not errors: the build worked). */
const SEVERITY: Record<Diagnostic['severity'], (m: Monaco) => number> = {
  error: (m) => m.MarkerSeverity.Error,
  warning: (m) => m.MarkerSeverity.Warning,
  info: (m) => m.MarkerSeverity.Info,
};
const SOURCE: Record<Diagnostic['severity'], string> = { error: 'go', warning: 'go vet', info: 'compiler note' };

/** The editor's Monaco theme (defined when Monaco loads). */
const EDITOR_THEME = 'golab-dark';

export class Editor {
  private readonly tablist: HTMLElement;
  private readonly panel: HTMLElement;
  private readonly fallback: HTMLElement;
  private readonly host: HTMLElement;
  private readonly loading: HTMLElement;
  private names: string[] = [];
  private contents = new Map<string, string>();
  private current = '';
  private monaco: Monaco | undefined;
  private editor: CodeEditor | undefined;
  private models = new Map<string, TextModel>();
  private viewStates = new Map<string, ViewState | null>();
  /** Compiler and vet findings of the last Run, shown as Monaco markers. */
  private diagnostics: Diagnostic[] = [];
  /** Set while the editor itself replaces text, so it is not reported as a learner edit. */
  private settingText = false;
  /** Deep-dive annotations, and their decoration ids per model. */
  private annotations: LineAnnotation[] = [];
  private decorationIds = new Map<string, string[]>();
  /** Changes of the text so far (edits, loads, resets): a result computed before one no longer matches the files. */
  editCount = 0;
  /** Called when a change of the text (an edit, a load, a reset) clears the annotations. */
  onAnnotationsCleared: (() => void) | undefined;
  /** Called when the editor gains focus (the learner may be back from the terminal). */
  onFocusIn: (() => void) | undefined;
  /**
   * Formats a file: its new text, or null to leave it (gofmt found errors).
   * Monaco's Format Document (Shift+Alt+F) and the toolbar's Format call it.
   */
  formatter: ((file: string) => Promise<string | null>) | undefined;

  private readonly onEdit: (name: string) => void;

  constructor(root: HTMLElement, onEdit: (name: string) => void) {
    this.onEdit = onEdit;
    this.tablist = root.querySelector<HTMLElement>('[data-tablist]')!;
    this.panel = root.querySelector<HTMLElement>('[data-editor-panel]')!;
    this.fallback = root.querySelector<HTMLElement>('[data-editor-fallback]')!;
    this.host = root.querySelector<HTMLElement>('[data-monaco-host]')!;
    this.loading = root.querySelector<HTMLElement>('[data-editor-loading]')!;
    this.names = [...this.tablist.querySelectorAll<HTMLElement>('[role=tab]')].map((t) => t.dataset.file ?? '');
    this.current = this.names[0] ?? '';
    this.tablist.addEventListener('click', (e) => {
      const tab = (e.target as HTMLElement).closest<HTMLElement>('[role=tab]');
      if (tab?.dataset.file) this.select(tab.dataset.file);
    });
    this.tablist.addEventListener('keydown', (e) => this.onTabKey(e));
    this.fallback.addEventListener('focus', () => this.onFocusIn?.());
  }

  /** Show a message instead of file contents (before the files arrived, or on errors). */
  showMessage(message: string): void {
    if (!this.editor) this.fallback.textContent = message;
  }

  /** Replace every file (initial load, reset). Tabs follow the given order. */
  setFiles(files: Array<{ name: string; content: string }>): void {
    this.contents = new Map(files.map((f) => [f.name, f.content]));
    const names = files.map((f) => f.name);
    if (names.join('\0') !== this.names.join('\0')) {
      this.names = names;
      this.renderTabs();
    }
    if (this.monaco) {
      for (const [name, model] of this.models) {
        if (!this.contents.has(name)) {
          model.dispose();
          this.models.delete(name);
          this.decorationIds.delete(name);
        }
      }
      this.settingText = true;
      try {
        for (const f of files) {
          const model = this.models.get(f.name);
          if (model) {
            if (model.getValue() !== f.content) model.setValue(f.content);
          } else {
            this.createModel(f.name, f.content);
          }
        }
      } finally {
        this.settingText = false;
      }
      this.viewStates.clear();
      this.applyMarkers();
    }
    this.textChanged();
    this.select(this.contents.has(this.current) ? this.current : (this.names[0] ?? ''), false);
  }

  /**
   * Show new content of one file that changed outside the editor (the
   * terminal), without reporting it as a learner edit. Only the changed span
   * is replaced, as one undo step, so the cursor and the scroll position of
   * the rest of the file stay where they were.
   */
  replaceFile(name: string, content: string): void {
    if (!this.names.includes(name)) return;
    this.contents.set(name, content);
    const model = this.models.get(name);
    if (model) {
      const old = model.getValue();
      if (old === content) return;
      const span = changedSpan(old, content);
      const range = this.monaco!.Range.fromPositions(model.getPositionAt(span.start), model.getPositionAt(span.end));
      this.settingText = true;
      try {
        model.pushStackElement();
        model.pushEditOperations(null, [{ range, text: span.text }], () => null);
        model.pushStackElement();
      } finally {
        this.settingText = false;
      }
    } else if (!this.editor && this.current === name) {
      this.fallback.textContent = content;
    }
    this.textChanged();
  }

  /** Open a file that appeared in the lesson folder (the terminal, a Try it block made it) in a new tab, last. */
  addFile(name: string, content: string): void {
    if (this.names.includes(name)) {
      this.replaceFile(name, content);
      return;
    }
    this.names = [...this.names, name];
    this.contents.set(name, content);
    if (this.monaco) {
      this.settingText = true;
      try {
        this.createModel(name, content);
      } finally {
        this.settingText = false;
      }
    }
    this.renderTabs();
    this.select(this.current, false);
  }

  /** Close the tab of a file that is gone from the lesson folder (removed in the terminal). */
  removeFile(name: string): void {
    if (!this.names.includes(name)) return;
    this.names = this.names.filter((n) => n !== name);
    this.contents.delete(name);
    this.models.get(name)?.dispose();
    this.models.delete(name);
    this.viewStates.delete(name);
    this.decorationIds.delete(name);
    this.renderTabs();
    this.select(this.current === name ? (this.names[0] ?? '') : this.current, false);
  }

  /** Current contents of every file. */
  getFiles(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const name of this.names) {
      out[name] = this.models.get(name)?.getValue() ?? this.contents.get(name) ?? '';
    }
    return out;
  }

  /**
   * Start fetching Monaco now (while the files are still on their way), so
   * loadMonaco() finds it loaded: a first visit's files call makes the
   * session and can take a while, and the two need not wait for each other.
   */
  preloadMonaco(): void {
    this.monacoModule ??= import('./monaco.ts');
    this.monacoModule.catch(() => undefined);
  }

  private monacoModule: Promise<typeof import('./monaco.ts')> | undefined;

  /** Load Monaco (once) and put it in place of the read-only <pre>. */
  async loadMonaco(): Promise<void> {
    if (this.monaco) return;
    let monaco: Monaco;
    try {
      this.preloadMonaco();
      ({ monaco } = await this.monacoModule!);
    } catch (err) {
      this.loading.textContent = ui.editorLoadFailed;
      throw err;
    }
    this.monaco = monaco;
    this.settingText = true;
    for (const name of this.names) this.createModel(name, this.contents.get(name) ?? '');
    this.settingText = false;
    this.applyMarkers();
    this.applyAnnotations();
    this.host.hidden = false;
    // vs-dark with comments light enough for WCAG AA contrast (its #6A9955 is 4.1:1 on #1e1e1e).
    monaco.editor.defineTheme(EDITOR_THEME, {
      base: 'vs-dark',
      inherit: true,
      rules: [{ token: 'comment', foreground: '8FBF7F' }],
      colors: {},
    });
    this.editor = monaco.editor.create(this.host, {
      model: this.models.get(this.current) ?? null,
      theme: EDITOR_THEME,
      automaticLayout: true,
      minimap: { enabled: false },
      fontSize: 14,
      tabSize: 4,
      insertSpaces: false,
      scrollBeyondLastLine: false,
      ariaLabel: ui.editorAriaLabel(this.current),
      tabFocusMode: false,
    });
    this.editor.onDidFocusEditorWidget(() => this.onFocusIn?.());
    monaco.languages.registerDocumentFormattingEditProvider('go', {
      displayName: 'gofmt',
      provideDocumentFormattingEdits: async (model) => {
        const name = [...this.models].find(([, m]) => m === model)?.[0];
        if (!name || !this.formatter) return [];
        const before = model.getValue();
        const after = await this.formatter(name);
        // Typed meanwhile: the answer is about older text.
        if (after === null || after === before || model.getValue() !== before) return [];
        // Only the changed span, so the cursor and the rest of the file stay put.
        const span = changedSpan(before, after);
        const range = monaco.Range.fromPositions(model.getPositionAt(span.start), model.getPositionAt(span.end));
        return [{ range, text: span.text }];
      },
    });
    this.setUpTabKey(this.editor, monaco);
    const hadFocus = this.fallback === document.activeElement;
    this.fallback.remove();
    // The element that takes focus: an EditContext <div> in Chromium, a <textarea> elsewhere.
    for (const input of this.host.querySelectorAll('.native-edit-context, textarea.inputarea')) {
      input.setAttribute('aria-describedby', this.loading.id);
    }
    if (hadFocus) this.editor.focus();
    // The page's diagrams wait for this before loading mermaid (diagrams.ts): the editor comes first.
    document.dispatchEvent(new CustomEvent('lab:editor-ready'));
  }

  /**
   * Tab indents (a Go file is indented with tabs), so the editor must offer a
   * way out that the hint beside the file tabs names (WCAG 2.1.2): Esc then
   * Tab (or Shift+Tab) leaves once, as in CodeMirror; Ctrl+M makes Tab move
   * focus until pressed again. Monaco's own Ctrl+M action is not bundled:
   * this one also keeps the hint in step with the mode.
   */
  private setUpTabKey(editor: CodeEditor, monaco: Monaco): void {
    let tabMoves = false;
    let armed = false;
    const apply = () => {
      editor.updateOptions({ tabFocusMode: tabMoves || armed });
      this.loading.dataset.mode = tabMoves ? 'focus' : armed ? 'armed' : 'indent';
      this.loading.textContent = tabMoves ? ui.editorTabHintMoves : armed ? ui.editorTabHintArmed : ui.editorTabHint;
    };
    const disarm = () => {
      if (!armed) return;
      armed = false;
      apply();
    };
    const { KeyCode, KeyMod } = monaco;
    const modifiers = new Set([KeyCode.Shift, KeyCode.Ctrl, KeyCode.Alt, KeyCode.Meta]);
    editor.addCommand(KeyMod.CtrlCmd | KeyCode.KeyM, () => {
      tabMoves = !tabMoves;
      armed = false;
      apply();
    });
    editor.onKeyDown((e) => {
      if (e.keyCode === KeyCode.Escape) {
        if (!tabMoves && !armed) {
          armed = true;
          apply();
        }
      } else if (e.keyCode !== KeyCode.Tab && !modifiers.has(e.keyCode)) disarm();
    });
    editor.onDidBlurEditorText(disarm);
    apply();
  }

  /** Replace the findings shown in the editor (an empty list clears them). */
  setDiagnostics(list: Diagnostic[]): void {
    this.diagnostics = list;
    this.applyMarkers();
  }

  private applyMarkers(): void {
    const monaco = this.monaco;
    if (!monaco) return;
    for (const [name, model] of this.models) {
      const markers = onLinesOf(this.diagnostics, name, model.getLineCount()).map((d) => {
        const maxColumn = model.getLineMaxColumn(d.line);
        let startColumn = d.column ?? (model.getLineFirstNonWhitespaceColumn(d.line) || 1);
        startColumn = Math.max(1, Math.min(startColumn, maxColumn));
        const word = d.column ? model.getWordAtPosition({ lineNumber: d.line, column: startColumn }) : null;
        let endColumn = word ? word.endColumn : d.column ? startColumn + 1 : maxColumn;
        if (endColumn <= startColumn) endColumn = Math.min(startColumn + 1, maxColumn);
        if (endColumn <= startColumn) startColumn = Math.max(1, endColumn - 1);
        return {
          severity: SEVERITY[d.severity](monaco),
          message: d.message,
          startLineNumber: d.line,
          startColumn,
          endLineNumber: d.line,
          endColumn,
          source: SOURCE[d.severity],
        };
      });
      monaco.editor.setModelMarkers(model, 'go-build-lab', markers);
    }
  }

  /** Replace the line annotations (an empty list clears them). Shown once Monaco has loaded. */
  setAnnotations(list: LineAnnotation[]): void {
    this.annotations = list;
    this.applyAnnotations();
  }

  private applyAnnotations(): void {
    const monaco = this.monaco;
    if (!monaco) return;
    for (const [name, model] of this.models) {
      const decorations = onLinesOf(this.annotations, name, model.getLineCount()).map((a) => ({
        // The whole line, so hovering anywhere on it shows the notes; the text goes after its end.
        range: new monaco.Range(a.line, 1, a.line, model.getLineMaxColumn(a.line)),
        options: {
          description: 'lab-compiler-note',
          hoverMessage: { value: a.hover },
          linesDecorationsClassName: `lab-note-gutter ${a.className}`,
          after: {
            content: a.after,
            inlineClassName: `lab-note-after ${a.className}`,
            cursorStops: monaco.editor.InjectedTextCursorStops.None,
          },
          stickiness: monaco.editor.TrackedRangeStickiness.NeverGrowsWhenTypingAtEdges,
        },
      }));
      this.decorationIds.set(name, model.deltaDecorations(this.decorationIds.get(name) ?? [], decorations));
    }
  }

  /** Show `file` at `line` (a link from a deep dive) and put the cursor there. */
  reveal(file: string, line: number): void {
    if (!this.names.includes(file)) return;
    this.select(file);
    if (this.editor) {
      this.editor.revealLineInCenter(line);
      this.editor.setPosition({ lineNumber: line, column: 1 });
    }
    this.focus();
  }

  /** Format the open file (gofmt through `formatter`), as Shift+Alt+F does; focus goes back to the code. */
  async format(): Promise<void> {
    if (!this.editor) return;
    this.editor.focus();
    await this.editor.getAction('editor.action.formatDocument')?.run();
  }

  focus(): void {
    if (this.editor) this.editor.focus();
    else this.fallback.focus();
  }

  select(name: string, focusTab = false): void {
    if (!name) return;
    if (this.editor && this.current !== name) this.viewStates.set(this.current, this.editor.saveViewState());
    this.current = name;
    const index = this.names.indexOf(name);
    this.tablist.querySelectorAll<HTMLElement>('[role=tab]').forEach((tab, i) => {
      const selected = i === index;
      tab.setAttribute('aria-selected', String(selected));
      tab.tabIndex = selected ? 0 : -1;
      if (selected) {
        this.panel.setAttribute('aria-labelledby', tab.id);
        if (focusTab) tab.focus();
      }
    });
    if (this.editor) {
      const model = this.models.get(name) ?? null;
      this.editor.setModel(model);
      const state = this.viewStates.get(name);
      if (state) this.editor.restoreViewState(state);
      this.editor.updateOptions({ ariaLabel: ui.editorAriaLabel(name) });
    } else if (this.contents.has(name)) {
      this.fallback.textContent = this.contents.get(name) ?? '';
    }
  }

  /**
   * The text changed (an edit, a file loaded or reset): results computed from
   * the old text no longer match it, and the notes about it are wrong, so they go.
   */
  private textChanged(): void {
    this.editCount++;
    if (this.annotations.length) {
      this.setAnnotations([]);
      this.onAnnotationsCleared?.();
    }
  }

  private createModel(name: string, content: string): void {
    const monaco = this.monaco!;
    const model = monaco.editor.createModel(content, languageOf(name), monaco.Uri.file(`/${name}`));
    model.onDidChangeContent(() => {
      if (this.settingText) return;
      this.textChanged();
      this.onEdit(name);
    });
    this.models.set(name, model);
  }

  private renderTabs(): void {
    this.tablist.replaceChildren(
      ...this.names.map((name, i) => {
        const tab = document.createElement('button');
        tab.type = 'button';
        tab.className = 'tab';
        tab.setAttribute('role', 'tab');
        tab.id = `file-tab-${i}`;
        tab.setAttribute('aria-controls', this.panel.id);
        tab.dataset.file = name;
        tab.textContent = name;
        return tab;
      }),
    );
    // Astro scopes component styles by attribute; copy it to the new tabs.
    const scope = [...this.tablist.attributes].find((a) => a.name.startsWith('data-astro-cid'));
    if (scope) for (const tab of this.tablist.querySelectorAll('[role=tab]')) tab.setAttribute(scope.name, '');
  }

  private onTabKey(e: KeyboardEvent): void {
    const i = this.names.indexOf(this.current);
    let next: number | undefined;
    if (e.key === 'ArrowRight') next = (i + 1) % this.names.length;
    else if (e.key === 'ArrowLeft') next = (i - 1 + this.names.length) % this.names.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = this.names.length - 1;
    if (next === undefined) return;
    e.preventDefault();
    this.select(this.names[next] ?? '', true);
  }
}
