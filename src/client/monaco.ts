/**
 * Monaco, loaded on demand (src/client/editor.ts imports this module with a
 * dynamic import(), so none of it is in the page's initial JavaScript):
 * the editor API, the Go basic language, and the editor worker.
 */
import * as monaco from 'monaco-editor/editor/editor.api';
// The bare editor API has no contributions: each editing feature a learner
// expects is its own module. Only these (not editor.main's ~60) are bundled.
// Find/replace (Ctrl+F, Ctrl+H; its register module also keeps the hidden widget out of the Tab order).
import 'monaco-editor/features/find/register';
// Toggle line/block comment (Ctrl+/, Shift+Alt+A).
import 'monaco-editor/editor/contrib/comment/browser/comment';
// Go to line (Ctrl+G), through the quick-input box.
import 'monaco-editor/editor/standalone/browser/quickAccess/standaloneGotoLineQuickAccess';
// Hovers: the message of a compile error's marker, the deep dive's notes.
import 'monaco-editor/editor/contrib/hover/browser/hoverContribution';
// F8 / Shift+F8: next/previous problem, read out by screen readers.
import 'monaco-editor/editor/contrib/gotoError/browser/gotoError';
// Move/copy/delete lines (Alt+Up, Shift+Alt+Down, Ctrl+Shift+K), word-wise deletion (Ctrl+Backspace).
import 'monaco-editor/editor/contrib/linesOperations/browser/linesOperations';
import 'monaco-editor/editor/contrib/wordOperations/browser/wordOperations';
// Format Document (Shift+Alt+F): workbench.ts provides gofmt, run in the sandbox.
import 'monaco-editor/editor/contrib/format/browser/formatActions';
// Matching bracket highlight and Ctrl+Shift+\ to jump to it.
import 'monaco-editor/editor/contrib/bracketMatching/browser/bracketMatching';
import 'monaco-editor/languages/definitions/go/register';
// The register module loads the Go grammar only when the first Go model is made,
// a round trip after Monaco itself; fetched now, it arrives while Monaco starts.
// @ts-expect-error: the grammar module ships without types (only its register module has them).
void import('monaco-editor/languages/definitions/go/go');
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
// The per-module stylesheets are emptied by a Vite plugin (astro.config.mjs); this is all of them.
import monacoCss from '../../node_modules/monaco-editor/min/vs/editor/editor.main.css?inline';

if (!document.querySelector('style[data-monaco]')) {
  const style = document.createElement('style');
  style.dataset.monaco = '';
  style.textContent = monacoCss;
  document.head.append(style);
}

declare global {
  interface Window {
    MonacoEnvironment?: { getWorker(workerId: string, label: string): Worker };
  }
}

window.MonacoEnvironment = {
  getWorker: () => new EditorWorker(),
};

export { monaco };
