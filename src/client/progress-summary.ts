/**
 * The home page's "n of N done, continue with <lesson>": counted over the
 * page's lesson list (the elements with data-lesson-done, in curriculum
 * order), so it needs no data of its own; the next lesson is the first one
 * not done. Shown in the element with data-progress-summary, if the page has one.
 */
import { ui } from '../lib/ui-strings.ts';

export function showSummary(root: ParentNode, done: ReadonlySet<string>): void {
  const box = root.querySelector<HTMLElement>('[data-progress-summary]');
  if (!box) return;
  const marks = [...root.querySelectorAll<HTMLElement>('[data-lesson-done]')];
  if (marks.length === 0) return;
  const count = marks.filter((el) => done.has(el.dataset.lessonDone ?? '')).length;
  const next = marks.find((el) => !done.has(el.dataset.lessonDone ?? ''));
  const link = next?.closest('li')?.querySelector<HTMLAnchorElement>('a[href]');
  if (!link) {
    box.replaceChildren(ui.progressAllDone(marks.length));
  } else {
    const go = document.createElement('a');
    go.href = link.href;
    go.textContent = link.textContent?.trim() ?? '';
    go.dataset.progressNext = next!.dataset.lessonDone;
    box.replaceChildren(`${ui.progressSummary(count, marks.length)}, ${count === 0 ? ui.progressStart : ui.progressContinue} `, go);
  }
  box.hidden = false;
}
