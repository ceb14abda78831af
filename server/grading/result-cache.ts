/**
 * Results of recent gradings, by exactly what was graded (the lesson and every
 * file's name and content). A learner who presses Check and then Submit with
 * the same files, or a teacher's regrade of unchanged code, gets the grade
 * already computed instead of a second round of sandboxes: grading is a
 * deterministic function of the files, and it is the most expensive thing the
 * lab does. Only clean verdicts are kept: a result with an error (a limit, a
 * busy machine, the lab's own fault) is graded again next time.
 */
import { createHash } from 'node:crypto';
import type { CheckResult } from '../../src/lib/protocol.ts';

/** Gradings remembered (each holds one small result: at most a few KiB of capped output). */
export const GRADE_CACHE_ENTRIES = 512;
/** How long a grade is reused; the server's content does not change while it runs, so this only bounds memory's age. */
export const GRADE_CACHE_TTL_MS = 15 * 60_000;

export function gradingKey(lessonId: string, files: Record<string, string>): string {
  const h = createHash('sha256').update(lessonId).update('\0');
  for (const name of Object.keys(files).sort()) h.update(name).update('\0').update(files[name]).update('\0');
  return h.digest('hex');
}

export class GradeCache {
  readonly #entries = new Map<string, { result: CheckResult; at: number }>();

  get(key: string, now = Date.now()): CheckResult | undefined {
    const e = this.#entries.get(key);
    if (!e) return undefined;
    this.#entries.delete(key);
    if (now - e.at > GRADE_CACHE_TTL_MS) return undefined;
    this.#entries.set(key, e); // most recently used last
    return structuredClone(e.result);
  }

  /** Keeps a clean verdict (no error anywhere in it). */
  set(key: string, result: CheckResult, now = Date.now()): void {
    if (result.status === 'error' || result.tests.some((t) => t.status === 'error')) return;
    this.#entries.delete(key);
    this.#entries.set(key, { result: structuredClone(result), at: now });
    while (this.#entries.size > GRADE_CACHE_ENTRIES) this.#entries.delete(this.#entries.keys().next().value!);
  }
}
