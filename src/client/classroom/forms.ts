/** Small DOM helpers shared by the classroom pages: forms with a live message, and show/hide. */
import { classroomUi } from '../../lib/ui-strings-classroom.ts';

/**
 * Runs `handler` on submit with the form's submit button disabled, and shows a
 * thrown error's sentence in the form's `[data-message]` region (aria-live), so
 * a screen reader hears it; the fields keep what was typed.
 */
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

/** A <time> element showing `text` for an ISO time. */
export function timeEl(iso: string, text: string): HTMLTimeElement {
  const t = document.createElement('time');
  t.dateTime = iso;
  t.textContent = text;
  return t;
}
