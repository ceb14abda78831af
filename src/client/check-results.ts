/**
 * A check's result as a summary line and one list item per test: the
 * exercise's Check and Submit (src/client/exercise.ts) and the teacher's view
 * of a submission (src/client/classroom/class-page.ts) show it the same way.
 */
import type { CheckResult } from '../lib/protocol.ts';
import { ui } from '../lib/ui-strings.ts';

export function renderResult(list: HTMLElement, summary: HTMLElement, result: CheckResult): void {
  summary.textContent =
    result.status === 'pass'
      ? ui.checkPassed
      : result.status === 'error'
        ? ui.checkError
        : ui.checkFailed(result.tests.filter((t) => t.status !== 'pass').length, result.tests.length);
  summary.dataset.status = result.status;
  list.replaceChildren();
  if (result.message) {
    // In a list item of its own: a list holds only items (axe's "list" rule).
    const item = document.createElement('li');
    const pre = document.createElement('pre');
    pre.className = 'check-message';
    pre.textContent = result.message;
    item.append(pre);
    list.append(item);
  }
  for (const t of result.tests) {
    const li = document.createElement('li');
    li.dataset.status = t.status;
    const head = document.createElement('p');
    const mark = document.createElement('span');
    mark.className = 'check-mark';
    mark.textContent = ui.checkStatus[t.status];
    head.append(mark, ` ${t.name}`);
    li.append(head);
    if (t.message) {
      const p = document.createElement('p');
      p.className = 'check-why';
      p.textContent = t.message;
      li.append(p);
    }
    if (t.output && t.status !== 'pass') {
      const pre = document.createElement('pre');
      pre.textContent = t.output;
      li.append(pre);
    }
    list.append(li);
  }
  if (result.review) {
    const li = document.createElement('li');
    li.className = 'check-review';
    li.textContent = ui.checkReview(result.review);
    list.append(li);
  }
}
