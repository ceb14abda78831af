/**
 * The learner's progress: the lessons whose exercise passed. Kept in this
 * browser (localStorage) and, for a learner of a class, on the server too
 * (learner-sync.ts), so it follows them to another browser. Pages mark done
 * lessons from it (home page, lesson header) and the home page says how far
 * along they are (progress-summary.ts).
 *
 * Whose progress is shown: a learner's is the server's only. A browser's own
 * progress may be someone else's (school computers are shared), so it is
 * neither shown for the learner nor sent to their record.
 */
import { learner, markDoneOnServer, type Learner } from './learner-sync.ts';
import { showSummary } from './progress-summary.ts';

const KEY = 'golab:done-lessons';

/** The learner once the server answered (null: not a learner); undefined until then. */
let known: Learner | null | undefined;

/** This browser's own progress. */
export function doneLessons(): Set<string> {
  try {
    const value = JSON.parse(localStorage.getItem(KEY) ?? '[]');
    return new Set(Array.isArray(value) ? value.filter((v) => typeof v === 'string') : []);
  } catch {
    return new Set();
  }
}

export function markDone(lesson: string): void {
  const done = doneLessons();
  done.add(lesson);
  try {
    localStorage.setItem(KEY, JSON.stringify([...done]));
  } catch {
    // Storage full or disabled: progress is a convenience, the check result still shows.
  }
  // Shown at once by the showProgress() that follows, before the server has answered.
  known?.done.add(lesson);
  void markDoneOnServer(lesson);
}

function render(root: ParentNode, done: ReadonlySet<string>): void {
  for (const el of root.querySelectorAll<HTMLElement>('[data-lesson-done]')) {
    el.hidden = !done.has(el.dataset.lessonDone ?? '');
  }
  showSummary(root, done);
}

/**
 * Shows the done state on every element with data-lesson-done="<lesson id>"
 * (and the summary, where the page has one): at once from what is known, then
 * from the server when it says this browser is a learner's.
 */
export function showProgress(root: ParentNode = document): void {
  render(root, known ? known.done : doneLessons());
  if (known !== undefined) return;
  void learner().then((me) => {
    known = me;
    if (me) render(root, me.done);
  });
}
