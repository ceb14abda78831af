/**
 * The workbench's three panes (editor, output, terminal): two splitters that
 * resize them (drag, or the arrow keys: the WAI-ARIA window-splitter pattern)
 * a Hide/Show and a Maximize/Restore button on each (Maximize hides the other
 * two), with the sizes and what is hidden kept in
 * localStorage. The layout stays CSS grid (Workbench.astro): this only sets
 * the three rows' sizes as custom properties. The terminal refits itself
 * when its pane changes size (terminal.ts observes its host).
 */
import { ui } from '../lib/ui-strings.ts';

export type PaneName = 'editor' | 'output' | 'terminal';
const PANES: PaneName[] = ['editor', 'output', 'terminal'];

export interface PaneState {
  /** Relative sizes (grid fr units; any scale). */
  sizes: Record<PaneName, number>;
  hidden: Record<PaneName, boolean>;
}

const STORAGE_KEY = 'golab:panes';
export const DEFAULT_PANES: PaneState = {
  sizes: { editor: 1, output: 0.45, terminal: 0.6 },
  hidden: { editor: false, output: false, terminal: false },
};
/** The smallest a shown pane may be dragged to, in px (a few lines of each). */
const MIN_PX: Record<PaneName, number> = { editor: 120, output: 64, terminal: 96 };
/** One arrow-key press moves a splitter this far; with Shift, four times as far. */
const STEP_PX = 24;

/** A stored state, or the default for anything missing or malformed (storage is the learner's to edit). */
export function parsePaneState(raw: string | null): PaneState {
  const state: PaneState = structuredClone(DEFAULT_PANES);
  if (!raw) return state;
  try {
    const v = JSON.parse(raw) as Partial<PaneState>;
    for (const p of PANES) {
      const size = v.sizes?.[p];
      if (typeof size === 'number' && Number.isFinite(size) && size > 0 && size < 1e6) state.sizes[p] = size;
      if (typeof v.hidden?.[p] === 'boolean') state.hidden[p] = v.hidden[p];
    }
  } catch {
    // the default
  }
  return state;
}

/**
 * New sizes after moving the boundary between `above` and `below` by `dy` px
 * (down is positive), from their current heights in px; each keeps at least
 * its minimum. Sizes become px (fr units of the same scale): the third pane's
 * share is scaled to match.
 */
export function moveBoundary(
  heights: Record<PaneName, number>,
  above: PaneName,
  below: PaneName,
  dy: number,
  min: Record<PaneName, number> = MIN_PX,
): Record<PaneName, number> {
  const total = heights[above] + heights[below];
  const lo = Math.min(min[above], total / 2);
  const hi = Math.max(total - min[below], total / 2);
  const a = Math.round(Math.min(hi, Math.max(lo, heights[above] + dy)));
  return { ...heights, [above]: a, [below]: total - a };
}

function load(): PaneState {
  try {
    return parsePaneState(localStorage.getItem(STORAGE_KEY));
  } catch {
    return structuredClone(DEFAULT_PANES);
  }
}

function save(state: PaneState): void {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(state));
  } catch {
    // not kept: the layout lasts for this page
  }
}

export function setupPanes(root: HTMLElement): void {
  const state = load();
  const pane = (p: PaneName) => root.querySelector<HTMLElement>(`[data-pane="${p}"]`)!;
  const toggles = new Map(PANES.map((p) => [p, root.querySelector<HTMLButtonElement>(`[data-pane-toggle="${p}"]`)!]));
  const maximizers = new Map(PANES.map((p) => [p, root.querySelector<HTMLButtonElement>(`[data-pane-max="${p}"]`)!]));
  /** The one pane shown while the other two are hidden by its Maximize button. */
  const maximized = (): PaneName | undefined => {
    const shown = PANES.filter((p) => !state.hidden[p]);
    return shown.length === 1 ? shown[0] : undefined;
  };
  const splitters = [...root.querySelectorAll<HTMLElement>('[data-splitter]')];

  const apply = () => {
    // The shown panes' fr add up to 10: flex factors summing below 1 would
    // leave space unused (it went to the title bars' rows).
    const shownSum = PANES.reduce((sum, p) => sum + (state.hidden[p] ? 0 : state.sizes[p]), 0) || 1;
    for (const p of PANES) {
      const hidden = state.hidden[p];
      const fr = ((state.sizes[p] / shownSum) * 10).toFixed(4);
      // A hidden pane keeps only its title bar: its row shrinks to fit that.
      root.style.setProperty(`--row-${p}`, hidden ? 'auto' : `minmax(${MIN_PX[p]}px, ${fr}fr)`);
      root.style.setProperty(`--m-row-${p}`, hidden ? 'auto' : '');
      pane(p).toggleAttribute('data-collapsed', hidden);
      const button = toggles.get(p)!;
      button.setAttribute('aria-expanded', String(!hidden));
      button.textContent = hidden ? ui.paneShow : ui.paneHide;
      button.setAttribute('aria-label', `${hidden ? ui.paneShow : ui.paneHide} ${ui.paneName[p]}`);
    }
    const max = maximized();
    for (const p of PANES) {
      const button = maximizers.get(p)!;
      const on = max === p;
      button.setAttribute('aria-pressed', String(on));
      button.textContent = on ? ui.paneRestore : ui.paneMaximize;
      button.setAttribute('aria-label', `${on ? ui.paneRestore : ui.paneMaximize} ${ui.paneName[p]}`);
    }
    for (const s of splitters) {
      const [above, below] = s.dataset.splitter!.split(':') as [PaneName, PaneName];
      const off = state.hidden[above] || state.hidden[below];
      s.hidden = off;
      const share = state.sizes[above] / (state.sizes[above] + state.sizes[below]);
      s.setAttribute('aria-valuenow', String(Math.round(share * 100)));
    }
  };

  const heights = (): Record<PaneName, number> => Object.fromEntries(PANES.map((p) => [p, pane(p).getBoundingClientRect().height])) as Record<PaneName, number>;

  const move = (splitter: HTMLElement, dy: number, from = heights(), sizes = state.sizes) => {
    const [above, below] = splitter.dataset.splitter!.split(':') as [PaneName, PaneName];
    const moved = moveBoundary(from, above, below, dy);
    // The two panes' sizes become px; the third pane (shown or hidden) keeps
    // its share, rescaled to px, so it does not change size.
    const third = PANES.find((p) => p !== above && p !== below)!;
    const scale = (from[above] + from[below]) / (sizes[above] + sizes[below]);
    state.sizes = { ...moved, [third]: sizes[third] * scale } as Record<PaneName, number>;
    apply();
  };

  for (const p of PANES) {
    toggles.get(p)!.addEventListener('click', () => {
      state.hidden[p] = !state.hidden[p];
      apply();
      save(state);
    });
  }

  for (const p of PANES) {
    maximizers.get(p)!.addEventListener('click', () => {
      // Maximize: this pane alone; again (Restore): all three.
      const on = maximized() !== p;
      for (const q of PANES) state.hidden[q] = on && q !== p;
      apply();
      save(state);
    });
  }

  for (const s of splitters) {
    s.addEventListener('keydown', (e) => {
      const step = e.shiftKey ? STEP_PX * 4 : STEP_PX;
      const dy = { ArrowUp: -step, ArrowDown: step, Home: -1e6, End: 1e6 }[e.key];
      if (dy === undefined) return;
      e.preventDefault();
      move(s, dy);
      save(state);
    });
    s.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      e.preventDefault();
      s.setPointerCapture(e.pointerId);
      const startY = e.clientY;
      const start = heights();
      const startSizes = { ...state.sizes };
      s.dataset.dragging = '';
      const onMove = (ev: PointerEvent) => move(s, ev.clientY - startY, start, startSizes);
      const onUp = () => {
        s.removeEventListener('pointermove', onMove);
        s.removeEventListener('pointerup', onUp);
        s.removeEventListener('pointercancel', onUp);
        delete s.dataset.dragging;
        save(state);
      };
      s.addEventListener('pointermove', onMove);
      s.addEventListener('pointerup', onUp);
      s.addEventListener('pointercancel', onUp);
    });
  }
  apply();
}
