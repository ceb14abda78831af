/** Small DOM helpers shared by the classroom pages: forms and buttons with a live message, elements, tables. */
import type { SubmissionStatus } from '../../lib/protocol-classroom.ts';
import { classroomUi } from '../../lib/ui-strings-classroom.ts';

/**
 * Runs `handler` on submit with the form's submit button disabled, and shows a
 * thrown error's sentence in the form's `[data-message]` region (aria-live), so
 * a screen reader hears it; the fields keep what was typed.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: a handler with nothing to say is an async function without a return (Promise<void>), which Promise<string | undefined> does not accept.
export function bindForm(form: HTMLFormElement, handler: (data: FormData) => Promise<string | void>): void {
  const message = form.querySelector<HTMLElement>('[data-message]');
  const button = form.querySelector<HTMLButtonElement>('button[type=submit], button:not([type])');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (button?.disabled) return;
    if (button) button.disabled = true;
    setMessage(message, classroomUi.working);
    try {
      const done = await handler(new FormData(form));
      setMessage(message, done ?? '');
    } catch (err) {
      setMessage(message, (err as Error).message, true);
    } finally {
      if (button) button.disabled = false;
    }
  });
}

/**
 * Runs `action` on click with the button disabled; the sentence it answers, or
 * the error's as "That did not work: …", goes into `message` (aria-live).
 */
export function bindAction(button: HTMLButtonElement, message: HTMLElement, action: () => Promise<string>): void {
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      setMessage(message, await action());
    } catch (err) {
      setMessage(message, classroomUi.actionFailed((err as Error).message), true);
    } finally {
      button.disabled = false;
    }
  });
}

export function setMessage(el: HTMLElement | null, text: string, error = false): void {
  if (!el) return;
  el.textContent = text;
  el.dataset.kind = error ? 'error' : 'info';
}

/** A text field's trimmed value. */
export function field(data: FormData, name: string): string {
  const v = data.get(name);
  return typeof v === 'string' ? v.trim() : '';
}

/** Query one element under root or fail loudly (a page and its script are out of step). */
export function need<T extends HTMLElement>(root: ParentNode, selector: string): T {
  const el = root.querySelector<T>(selector);
  if (!el) throw new Error(`missing ${selector}`);
  return el;
}

/** A new element with text. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

/** A status in words (statusText), coloured by its status (classroom.css, `.cr-st`). */
export function statusLabel(status: SubmissionStatus, text: string): HTMLSpanElement {
  const label = el('span', text, 'cr-st');
  label.dataset.status = status;
  return label;
}

/** A <time> element showing `text` for an ISO time. */
export function timeEl(iso: string, text: string): HTMLTimeElement {
  const t = document.createElement('time');
  t.dateTime = iso;
  t.textContent = text;
  return t;
}

/** A heading cell: of a column, or of a row (the row's first cell). */
export function th(content: string | Node, scope: 'col' | 'row'): HTMLTableCellElement {
  const cell = el('th');
  cell.append(content);
  cell.scope = scope;
  return cell;
}

/** A captioned `cr-table` with one row of column headings; rows go into the answered body. */
export function dataTable(caption: string, columns: Array<string | HTMLTableCellElement>): { table: HTMLTableElement; tbody: HTMLTableSectionElement } {
  const table = el('table', undefined, 'cr-table');
  table.append(el('caption', caption));
  const head = el('tr');
  head.append(...columns.map((c) => (typeof c === 'string' ? th(c, 'col') : c)));
  table.createTHead().append(head);
  return { table, tbody: table.createTBody() };
}

/**
 * Replaces `host`'s children; a live redraw (another tab, the event stream)
 * must not take the keyboard's place, so the control that had the focus, found
 * again by its data-focus-key, has it after the redraw too.
 */
export function redrawKeepingFocus(host: HTMLElement, ...children: Node[]): void {
  const focused = document.activeElement instanceof HTMLElement && host.contains(document.activeElement) ? document.activeElement.dataset.focusKey : undefined;
  host.replaceChildren(...children);
  if (focused) host.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(focused)}"]`)?.focus();
}
