/**
 * The learner's progress on the server ("Progress follows the
 * learner"; docs/api.md, "Classes"): whether this browser is signed in as a
 * learner of a class, and their ✓ done lessons. Asked once per page and
 * shared by progress.ts (the ✓ marks, the home page's summary) and
 * learner-files.ts (the lesson's files). The learner cookie is HttpOnly, so
 * the only way to know is to ask: 401 means "not in a class".
 */
import type { LearnerProgress } from '../lib/protocol-classroom.ts';
import { readAnswer } from './wire.ts';

/** A slower answer is given up: the page goes on with the browser's own progress. */
const REQUEST_TIMEOUT_MS = 5000;

export interface Learner {
  id: string;
  /** Lesson ids done, as the server has them (updated here when this page marks one). */
  done: Set<string>;
}

let asked: Promise<Learner | null> | undefined;

/** The signed-in learner and their progress, or null (not in a class, or the server did not answer). */
export function learner(): Promise<Learner | null> {
  asked ??= fetch('/api/me/progress', { credentials: 'same-origin', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })
    .then(async (res) => {
      if (!res.ok) return null;
      // Only a learner's page gets here, so only it loads the classroom's schemas (and zod): not every page.
      // A malformed answer counts as no answer: the page goes on with the browser's own progress.
      const { LearnerProgressSchema } = await import('../lib/protocol-classroom.ts');
      return fromAnswer(await readAnswer(res, LearnerProgressSchema));
    })
    .catch(() => null);
  return asked;
}

function fromAnswer(answer: LearnerProgress): Learner {
  return { id: answer.learnerId, done: new Set(answer.done.map((d) => d.lesson)) };
}

/** Marks the lesson done on the server too, when this browser is a learner's; failures are left for the next pass. */
export async function markDoneOnServer(lesson: string): Promise<void> {
  const me = await learner();
  if (!me) return;
  me.done.add(lesson);
  try {
    await fetch(`/api/me/progress?lesson=${encodeURIComponent(lesson)}`, {
      method: 'PUT',
      credentials: 'same-origin',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch {
    // Offline or slow: the ✓ stays in this browser; passing the check again marks it on the server.
  }
}
