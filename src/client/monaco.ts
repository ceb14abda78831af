/**
 * Monaco, loaded on demand (src/client/editor.ts imports this module with a
 * dynamic import(), so none of it is in the page's initial JavaScript):
 * the editor API, the Go basic language, and the editor worker.
 */
import * as monaco from 'monaco-editor/editor/editor.api';
import 'monaco-editor/languages/definitions/go/register';
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
