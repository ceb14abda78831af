/**
 * A drawn lesson diagram can be opened full screen (its Enlarge button, or a
 * click on it) in a modal dialog that zooms: the buttons, + and − (or
 * Ctrl+wheel) and Fit; it scrolls with the arrow keys, the wheel, a drag or a
 * finger. The diagram's own SVG moves into the dialog and back when it closes
 * (no copy: its element ids stay unique and live build phases keep showing).
 */
import { ui } from '../lib/ui-strings.ts';

const MIN_ZOOM = 0.25;
const MAX_ZOOM = 8;
const STEP = 1.25;

let dialog: HTMLDialogElement | undefined;

interface Open {
  svg: SVGSVGElement;
  figure: HTMLElement;
  opener: HTMLElement;
  style: string | null;
  width: string | null;
  zoom: number;
}
let current: Open | undefined;

/** The diagram's own size in CSS px (its viewBox), which zoom 1 shows at. */
function naturalSize(svg: SVGSVGElement): { width: number; height: number } {
  const vb = svg.viewBox.baseVal;
  if (vb && vb.width > 0 && vb.height > 0) return { width: vb.width, height: vb.height };
  const box = svg.getBoundingClientRect();
  return { width: box.width || 300, height: box.height || 150 };
}

function button(text: string, label?: string): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  if (label) b.setAttribute('aria-label', label);
  return b;
}

function getDialog(): HTMLDialogElement {
  if (dialog) return dialog;
  const d = document.createElement('dialog');
  d.className = 'diagram-dialog';
  d.setAttribute('aria-label', ui.diagramDialog);
  const bar = document.createElement('div');
  bar.className = 'diagram-dialog-bar';
  const zoomOut = button('−', ui.diagramZoomOut);
  const level = document.createElement('output');
  level.className = 'diagram-zoom-level';
  level.setAttribute('aria-live', 'polite');
  const zoomIn = button('+', ui.diagramZoomIn);
  const fit = button(ui.diagramFit);
  const close = button(ui.diagramClose);
  close.className = 'diagram-close';
  bar.append(zoomOut, level, zoomIn, fit, close);
  const stage = document.createElement('div');
  stage.className = 'diagram-stage';
  stage.tabIndex = 0;
  stage.setAttribute('role', 'group');
  stage.setAttribute('aria-label', ui.diagramStage);
  d.append(bar, stage);
  document.body.append(d);

  const setZoom = (zoom: number) => {
    if (!current) return;
    const z = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, zoom));
    // Keep the middle of what is shown in the middle.
    const cx = (stage.scrollLeft + stage.clientWidth / 2) / (stage.scrollWidth || 1);
    const cy = (stage.scrollTop + stage.clientHeight / 2) / (stage.scrollHeight || 1);
    current.zoom = z;
    const { width, height } = naturalSize(current.svg);
    current.svg.style.width = `${Math.round(width * z)}px`;
    current.svg.style.height = `${Math.round(height * z)}px`;
    level.textContent = ui.diagramZoomLevel(Math.round(z * 100));
    stage.scrollLeft = cx * stage.scrollWidth - stage.clientWidth / 2;
    stage.scrollTop = cy * stage.scrollHeight - stage.clientHeight / 2;
  };
  const fitZoom = () => {
    if (!current) return 1;
    const { width, height } = naturalSize(current.svg);
    return Math.min((stage.clientWidth - 16) / width, (stage.clientHeight - 16) / height);
  };
  zoomIn.addEventListener('click', () => setZoom((current?.zoom ?? 1) * STEP));
  zoomOut.addEventListener('click', () => setZoom((current?.zoom ?? 1) / STEP));
  fit.addEventListener('click', () => setZoom(fitZoom()));
  close.addEventListener('click', () => d.close());
  d.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === '+' || e.key === '=') setZoom((current?.zoom ?? 1) * STEP);
    else if (e.key === '-') setZoom((current?.zoom ?? 1) / STEP);
    else if (e.key === '0') setZoom(fitZoom());
    else return;
    e.preventDefault();
  });
  stage.addEventListener(
    'wheel',
    (e) => {
      if (!e.ctrlKey) return; // a plain wheel scrolls
      e.preventDefault();
      setZoom((current?.zoom ?? 1) * (e.deltaY < 0 ? STEP : 1 / STEP));
    },
    { passive: false },
  );
  // Drag to pan with a mouse (fingers pan natively: the stage scrolls).
  stage.addEventListener('pointerdown', (e) => {
    if (e.pointerType !== 'mouse' || e.button !== 0) return;
    const start = { x: e.clientX, y: e.clientY, left: stage.scrollLeft, top: stage.scrollTop };
    stage.setPointerCapture(e.pointerId);
    stage.dataset.panning = '';
    const move = (ev: PointerEvent) => {
      stage.scrollLeft = start.left - (ev.clientX - start.x);
      stage.scrollTop = start.top - (ev.clientY - start.y);
    };
    const up = () => {
      stage.removeEventListener('pointermove', move);
      stage.removeEventListener('pointerup', up);
      stage.removeEventListener('pointercancel', up);
      delete stage.dataset.panning;
    };
    stage.addEventListener('pointermove', move);
    stage.addEventListener('pointerup', up);
    stage.addEventListener('pointercancel', up);
  });
  d.addEventListener('close', () => {
    if (!current) return;
    const { svg, figure, opener, style, width } = current;
    current = undefined;
    // Back where it was, as it was.
    if (style === null) svg.removeAttribute('style');
    else svg.setAttribute('style', style);
    if (width === null) svg.removeAttribute('width');
    else svg.setAttribute('width', width);
    figure.prepend(svg);
    opener.focus();
  });
  d.addEventListener('lab:diagram-open', () => {
    setZoom(Math.max(fitZoom(), 1));
    // A diagram wider than the screen starts at its beginning (a flowchart reads from the left).
    stage.scrollLeft = 0;
    stage.scrollTop = 0;
  });
  dialog = d;
  return d;
}

/** Give a drawn diagram (a figure with its SVG first) its Enlarge button and click-to-open. */
export function makeZoomable(figure: HTMLElement): void {
  const svg = figure.querySelector<SVGSVGElement>(':scope > svg');
  if (!svg) return;
  const enlarge = button(`⤢ ${ui.diagramEnlarge}`, ui.diagramEnlargeLabel);
  enlarge.className = 'diagram-enlarge';
  svg.after(enlarge);
  const open = () => {
    const d = getDialog();
    if (current) return;
    const svgNow = figure.querySelector<SVGSVGElement>(':scope > svg');
    if (!svgNow) return;
    current = { svg: svgNow, figure, opener: enlarge, style: svgNow.getAttribute('style'), width: svgNow.getAttribute('width'), zoom: 1 };
    svgNow.removeAttribute('width');
    svgNow.style.maxWidth = 'none';
    d.querySelector('.diagram-stage')!.replaceChildren(svgNow);
    d.showModal();
    (d.querySelector('.diagram-stage') as HTMLElement).focus();
    // Large enough to read: at least its natural size, more when the screen has room.
    d.dispatchEvent(new Event('lab:diagram-open'));
  };
  enlarge.addEventListener('click', open);
  svg.addEventListener('click', open);
  svg.classList.add('diagram-zoomable');
}
