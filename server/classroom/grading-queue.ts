/**
 * The queue of submissions waiting for their grade (a submission is
 * never lost to load). A submission is stored as pending and answered at
 * once; this queue grades it when the machine has room, stores the grade,
 * and tells the class's and the submission's event streams (events.ts).
 *
 * - Capacity: at most MAX_CONCURRENT_GRADINGS at once, each in an admission
 *   slot like any Check (lab.admission), so gradings never take every runner
 *   from the learners' Runs. When admission refuses (Busy: every runner taken
 *   and its queue full) the grading waits as long as Busy says and asks
 *   again, for as long as it takes: "busy" is never stored as a result.
 * - Fairness: learners take turns (round robin), so one learner's many
 *   submissions do not hold back the rest of the class; each learner's own
 *   are graded oldest first.
 * - Restarts: pending submissions stay pending in the database, and at start-up
 *   requeuePending() queues them all again. A grading cut off by a stop is
 *   never stored (close() comes first), so it is graded again at the next start.
 */
import { Busy, type Release } from '../fairness/admission.ts';
import type { Lab } from '../lab.ts';
import type { ClassroomEvents } from './events.ts';
import { gradeSubmission } from './grade.ts';
import type { ClassroomStore, SubmissionRow } from './store.ts';
import { submissionEvent, submissionInfo } from './views.ts';
import { commandStarted } from '../observability/metrics.ts';

/**
 * Gradings at once. Two: each takes an admission slot (MAX_CONCURRENT_COMMANDS,
 * 2 per core), so on the 2-core lab server half the runners stay for Runs
 * and Checks, and a class's submissions still go through about as fast as
 * the two cores can check them.
 */
export const MAX_CONCURRENT_GRADINGS = 2;
/**
 * The longest wait before asking admission again after Busy. Its Retry-After
 * (seconds) is meant for people; asking costs nothing, and a runner that comes
 * free should not stay idle for long.
 */
const MAX_ADMISSION_RETRY_MS = 1000;

/** The admission client a learner's gradings count as: per learner, not per address (a class shares one). */
export const gradingClient = (learnerId: string) => `learner:${learnerId}`;

export class GradingQueue {
  readonly #lab: Lab;
  readonly #store: ClassroomStore;
  readonly #events: ClassroomEvents;
  readonly #concurrency: number;
  /** Waiting submission ids per learner (oldest first); the map's order is the learners' turn order. */
  readonly #waiting = new Map<string, string[]>();
  /** Ids queued or being graded: a submission is never graded twice at once. */
  readonly #known = new Set<string>();
  #running = 0;
  #closed = false;
  /**
   * Gradings ask admission one at a time, in the order they were taken: one
   * waiting after Busy is not overtaken by a later one of this queue that
   * happens to ask just as a runner comes free.
   */
  #admitting: Promise<unknown> = Promise.resolve();
  /** Resolves when the queue is empty and nothing runs (for tests and shutdown). */
  #idle: Array<() => void> = [];

  constructor(lab: Lab, store: ClassroomStore, events: ClassroomEvents, concurrency = MAX_CONCURRENT_GRADINGS) {
    this.#lab = lab;
    this.#store = store;
    this.#events = events;
    this.#concurrency = concurrency;
  }

  /** Submissions waiting (not yet being graded). */
  get waiting(): number {
    let n = 0;
    for (const ids of this.#waiting.values()) n += ids.length;
    return n;
  }

  get running(): number {
    return this.#running;
  }

  /** Queues a stored pending submission. */
  add(learnerId: string, submissionId: string): void {
    if (this.#closed || this.#known.has(submissionId)) return;
    this.#known.add(submissionId);
    const mine = this.#waiting.get(learnerId);
    if (mine) mine.push(submissionId);
    else this.#waiting.set(learnerId, [submissionId]);
    this.#pump();
  }

  /** Queues every submission the database holds as pending (at start-up: left by a stopped server); answers how many. */
  async requeuePending(): Promise<number> {
    const pending = await this.#store.pendingSubmissions();
    for (const p of pending) this.add(p.learnerId, p.id);
    return pending.length;
  }

  /** Stops taking work: gradings in flight finish but their grades are not stored (the next start grades them again). */
  close(): void {
    this.#closed = true;
    this.#waiting.clear();
  }

  /** Resolves once nothing waits and nothing runs. */
  idle(): Promise<void> {
    if (!this.#running && !this.#waiting.size) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** The next learner's oldest submission; that learner goes to the end of the turn order. */
  #take(): string | null {
    for (const [learnerId, ids] of this.#waiting) {
      const id = ids.shift()!;
      this.#waiting.delete(learnerId);
      if (ids.length) this.#waiting.set(learnerId, ids);
      return id;
    }
    return null;
  }

  #pump(): void {
    while (!this.#closed && this.#running < this.#concurrency) {
      const id = this.#take();
      if (id === null) break;
      this.#running++;
      this.#grade(id)
        .catch((err) => console.error(`[lab] classroom: grading submission ${id} failed:`, err))
        .finally(() => {
          this.#running--;
          this.#known.delete(id);
          this.#pump();
          if (!this.#running && !this.#waiting.size) for (const resolve of this.#idle.splice(0)) resolve();
        });
    }
  }

  /** An admission slot for the client, however long that takes (after those asked before); null when the queue closed meanwhile. */
  #admit(client: string): Promise<Release | null> {
    const turn = this.#admitting.then(async () => {
      for (;;) {
        if (this.#closed) return null;
        try {
          return await this.#lab.admission.enter(client);
        } catch (err) {
          if (!(err instanceof Busy)) throw err;
          await new Promise((resolve) => setTimeout(resolve, Math.min(MAX_ADMISSION_RETRY_MS, err.retryAfterSeconds * 1000)));
        }
      }
    });
    this.#admitting = turn.catch(() => {});
    return turn;
  }

  async #grade(id: string): Promise<void> {
    const s = await this.#store.submissionById(id);
    // Deleted with its class or assignment, or graded already (a second server on the file): nothing to do.
    if (s?.status !== 'pending') return;
    const lesson = this.#lab.lessons.get(s.lesson);
    let result: Awaited<ReturnType<typeof gradeSubmission>>;
    if (!lesson?.exercise) {
      result = { status: 'error' as const, message: `lesson "${s.lesson}" has no exercise on this server any more`, tests: [] };
    } else {
      const client = gradingClient(s.learnerId);
      const release = await this.#admit(client);
      if (!release) return;
      if (this.#closed) {
        release();
        return;
      }
      const endGrading = commandStarted('grading');
      result = await gradeSubmission(this.#lab, lesson, s.files, client, Promise.resolve(release));
      endGrading(result.status);
    }
    // Stopping: the grading may have been cut off (its sandbox killed); leave it pending for the next start.
    if (this.#closed) return;
    if (!(await this.#store.finishPending(id, result, Date.now()))) return;
    // Read back: the streams tell exactly what is stored (an override set meanwhile included).
    const stored = await this.#store.submissionById(id);
    if (stored) await announceSubmission(this.#store, this.#events, stored, true);
  }
}

/**
 * Tells the class's teachers (and, with `final`, the submission's watchers,
 * whose streams then end) about a stored submission.
 */
export async function announceSubmission(store: ClassroomStore, events: ClassroomEvents, s: SubmissionRow, final: boolean): Promise<void> {
  const a = await store.assignmentById(s.assignmentId);
  if (!a) return;
  events.publish(`class:${a.classId}`, 'submission', submissionEvent(s));
  if (final) events.publish(`submission:${s.id}`, 'submission', submissionInfo(s, a), true);
}
