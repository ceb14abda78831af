/**
 * The learner's progress, kept in this browser only: the lessons whose
 * exercise passed. Pages mark done lessons from it (home page, lesson header).
 */
const KEY = 'golab:done-lessons';

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
}

/** Shows the done state on every element with data-lesson-done="<lesson id>". */
export function showProgress(root: ParentNode = document): void {
  const done = doneLessons();
  for (const el of root.querySelectorAll<HTMLElement>('[data-lesson-done]')) {
    el.hidden = !done.has(el.dataset.lessonDone ?? '');
  }
}
