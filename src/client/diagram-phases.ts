/**
 * Live lesson diagrams: nodes of a mermaid diagram follow the build phases of
 * the learner's latest go command. A node whose id is a phase name (load,
 * compile, link, run, test, vet) is bound by convention; a diagram binds other
 * nodes with a comment line, `%% phases: nodeId=phase, otherNode=phase`
 * (docs/authoring.md). The phase view (phase-view.ts) announces states with a
 * `lab:phases` event on document; diagrams drawn later get the latest states
 * when they are drawn.
 */
import type { Phase } from '../lib/protocol.ts';
import { ui } from '../lib/ui-strings.ts';
import { phaseBindings, type StepState } from './phase-model.ts';

export const PHASES_EVENT = 'lab:phases';
export type PhaseStates = Partial<Record<Phase, StepState>>;

const CLASSES = { active: 'lab-phase-active', done: 'lab-phase-done', failed: 'lab-phase-failed' } as const;

interface Bound {
  figure: HTMLElement;
  nodes: Array<{ el: Element; phase: Phase }>;
  note: HTMLElement;
}

const bound: Bound[] = [];
let latest: PhaseStates = {};

/** The source id of a drawn mermaid node: `data-id`, or the id mermaid derives from it (`…flowchart-compile-1`). */
function nodeId(el: Element): string | undefined {
  const data = el.getAttribute('data-id');
  if (data) return data;
  const m = /(?:^|-)flowchart-(.+)-\d+$/.exec(el.id);
  return m?.[1];
}

/** Call once a diagram's SVG is in the figure. */
export function bindDiagram(figure: HTMLElement, source: string): void {
  const candidates = [...figure.querySelectorAll('svg g.node, svg [data-id]')].filter((el) => nodeId(el));
  const ids = new Set(candidates.map((el) => nodeId(el)!));
  const bindings = phaseBindings(source, ids);
  if (bindings.size === 0) return;
  const nodes = candidates.flatMap((el) => {
    const phase = bindings.get(nodeId(el)!);
    return phase ? [{ el, phase }] : [];
  });
  if (nodes.length === 0) return;
  figure.dataset.livePhases = '';
  const note = document.createElement('p');
  note.className = 'diagram-live-note';
  figure.append(note);
  const entry = { figure, nodes, note };
  bound.push(entry);
  apply(entry);
}

function apply(entry: Bound): void {
  for (const { el, phase } of entry.nodes) {
    const state = latest[phase];
    for (const [s, cls] of Object.entries(CLASSES)) el.classList.toggle(cls, s === state);
    if (state && state !== 'pending') el.setAttribute('data-phase-state', state);
    else el.removeAttribute('data-phase-state');
  }
  const phases = [...new Set(entry.nodes.map((n) => n.phase))].filter((p) => latest[p]);
  entry.note.hidden = phases.length === 0;
  entry.note.textContent = phases.length ? `${ui.diagramLive} ${phases.map((p) => `${ui.phaseStepName[p]} ${ui.phaseStateText[latest[p]!]}`).join(', ')}.` : '';
}

document.addEventListener(PHASES_EVENT, (e) => {
  latest = (e as CustomEvent<PhaseStates>).detail ?? {};
  for (const entry of bound) apply(entry);
});
