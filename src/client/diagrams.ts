/**
 * Mermaid diagrams: the MDX keeps each ```mermaid fence as source text in a
 * <pre> (readable without JavaScript). When a diagram comes within 200px of
 * the viewport, mermaid is imported (once) and the diagram is drawn as inline
 * SVG next to its source, which stays in the DOM in a <details>. Nodes bound
 * to build phases follow the learner's go commands live (diagram-phases.ts);
 * each opens full screen with zoom (diagram-zoom.ts).
 */
import { ui } from '../lib/ui-strings.ts';
import { bindDiagram } from './diagram-phases.ts';
import { makeZoomable } from './diagram-zoom.ts';
import { renderMermaid } from './mermaid-render.ts';

/**
 * On a lesson page, diagrams wait until the workbench's editor is ready
 * (editor.ts sends lab:editor-ready), at most this long: mermaid and its
 * layout engines are larger than Monaco, and on a first visit they competed
 * with it for the network and the CPU, delaying the editor by seconds.
 */
const EDITOR_FIRST_MAX_MS = 4000;

const editorFirst: Promise<unknown> = document.querySelector('[data-workbench]')
  ? new Promise((resolve) => {
      document.addEventListener('lab:editor-ready', resolve, { once: true });
      setTimeout(resolve, EDITOR_FIRST_MAX_MS);
    })
  : Promise.resolve();

const SELECTOR = 'pre.mermaid, pre[data-language="mermaid"], pre:has(> code.language-mermaid)';

async function draw(pre: HTMLElement): Promise<void> {
  const source = pre.textContent ?? '';
  const figure = document.createElement('figure');
  figure.className = 'diagram';
  try {
    const { id, svg } = await renderMermaid('diagram', source);
    figure.dataset.diagram = id;
    figure.innerHTML = svg;
  } catch {
    pre.insertAdjacentHTML('beforebegin', `<p class="diagram-error" role="note"></p>`);
    (pre.previousElementSibling as HTMLElement).textContent = ui.diagramError;
    return;
  }
  const details = document.createElement('details');
  details.className = 'diagram-source';
  const summary = document.createElement('summary');
  summary.textContent = ui.diagramSource;
  pre.replaceWith(figure);
  details.append(summary, pre);
  figure.append(details);
  bindDiagram(figure, source);
  makeZoomable(figure);
}

function init(): void {
  const blocks = [...document.querySelectorAll<HTMLElement>(SELECTOR)];
  if (blocks.length === 0) return;
  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        observer.unobserve(entry.target);
        void editorFirst.then(() => draw(entry.target as HTMLElement));
      }
    },
    { rootMargin: '200px' },
  );
  for (const block of blocks) observer.observe(block);
}

init();
