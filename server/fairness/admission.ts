/**
 * Admission of commands to the machine: at most `slots` run at once, then a
 * bounded queue, then "busy" (HTTP 429).
 *
 * Fair per learner, not per address: a whole class often comes from one
 * school address, so each learner (a session, or a classroom learner) holds
 * at most `perLearner` places (running or queued), and the address only has
 * a backstop, `perAddress`, sized for a class of 40 so that many sessions
 * made from one address still cannot fill the queue for everyone else.
 *
 * Order: the next command to start is the one whose address has the fewest
 * commands running (another school is never stuck behind a flooding one),
 * then one whose learner has nothing running, then the oldest. The last
 * `reserved` slots only go to learners with nothing running, so a newcomer's
 * Run starts at once however many busy learners there are. Waiting commands
 * are told their position each time it changes.
 *
 * Long commands move to the background: a command that has run long enough to
 * lose its CPU priority (the sandbox demotes it to the idle class after
 * FULL_CPU_WEIGHT_MS, or at once for a heavy client or a queued grading) no
 * longer slows a newcomer down, so holding one of the `slots` would only make
 * the newcomer wait for it to end — up to the hard time limit (a busy loop, a
 * forged event stream). `toBackground()` moves it to one of `backgroundSlots`
 * when one is free (else it keeps its slot), and the slot goes to the queue.
 * Per-learner and per-address places still count it until it ends, so this
 * adds no room for anyone: at most `slots + backgroundSlots` commands exist.
 */
import type { RefusalReason } from '../observability/metrics.ts';

export class Busy extends Error {
  readonly retryAfterSeconds: number;
  /** Which limit refused, for the refusals metric (observability/metrics.ts). */
  readonly reason: RefusalReason;
  constructor(message: string, retryAfterSeconds: number, reason: RefusalReason = 'other') {
    super(message);
    this.name = 'Busy';
    this.retryAfterSeconds = retryAfterSeconds;
    this.reason = reason;
  }
}

/** Who a command counts against: the learner, and the address it came from. */
export interface Claimant {
  learner: string;
  address: string;
}

export interface AdmissionOptions {
  slots: number;
  maxQueued: number;
  /** Places (running or queued) one learner may hold. */
  perLearner: number;
  /** Places one address may hold (default: unlimited but the queue); a backstop, not the fairness. */
  perAddress?: number;
  /** Slots kept for learners with no command running (default 1). */
  reserved?: number;
  /** A typical command's duration, for the retry time a refusal names (default 2 s). */
  typicalCommandSeconds?: number;
  /** Places for commands that lost their CPU priority (default 0: they keep their slot). */
  backgroundSlots?: number;
}

/**
 * Ends a command's admission (call once it ended; later calls do nothing).
 * `toBackground()` says the command lost its CPU priority: it gives its slot
 * back if a background place is free (true), else keeps it (false).
 */
export type Release = (() => void) & { toBackground(): boolean };

interface Waiting {
  who: Claimant;
  start: () => void;
  onQueued?: (position: number) => void;
  position: number;
}

/** Counts per key, forgetting zeros (so the maps do not grow with every learner ever seen). */
class Counter {
  readonly #m = new Map<string, number>();
  get(key: string): number {
    return this.#m.get(key) ?? 0;
  }
  add(key: string, n: number): void {
    const v = this.get(key) + n;
    if (v > 0) this.#m.set(key, v);
    else this.#m.delete(key);
  }
}

export class Admission {
  readonly #o: AdmissionOptions;
  #running = 0;
  /** Commands moved to the background (they hold a background place, not a slot). */
  #background = 0;
  readonly #queue: Waiting[] = [];
  /** Places (running + queued) per learner and per address. */
  readonly #placesByLearner = new Counter();
  readonly #placesByAddress = new Counter();
  /** Commands running per learner and per address. */
  readonly #runningByLearner = new Counter();
  readonly #runningByAddress = new Counter();

  constructor(o: AdmissionOptions) {
    this.#o = o;
  }

  /** Commands holding a slot (the background ones not counted). */
  get running(): number {
    return this.#running;
  }
  get background(): number {
    return this.#background;
  }
  get queued(): number {
    return this.#queue.length;
  }

  /** Seconds after which trying again is likely to find room: the queue drains about `slots` commands per typical duration. */
  retrySeconds(): number {
    const typical = this.#o.typicalCommandSeconds ?? 2;
    return Math.max(1, Math.ceil(((this.#queue.length + 1) / Math.max(1, this.#o.slots)) * typical));
  }

  /**
   * Checks synchronously that the claimant may enter (throws Busy otherwise),
   * then resolves with a release function once a slot is free. `onQueued` is
   * told the position when the command has to wait, and again as it moves up.
   * A bare string counts as both learner and address.
   */
  enter(claimant: string | Claimant, onQueued?: (position: number) => void, signal?: AbortSignal): Promise<Release> {
    const who = typeof claimant === 'string' ? { learner: claimant, address: claimant } : claimant;
    if (this.#placesByLearner.get(who.learner) >= this.#o.perLearner) {
      throw new Busy(`you already have ${this.#o.perLearner} commands running or waiting; wait for one of them to finish`, 2, 'learner-places');
    }
    if (this.#o.perAddress !== undefined && this.#placesByAddress.get(who.address) >= this.#o.perAddress) {
      throw new Busy(`too many commands from your network at once (${this.#o.perAddress}); try again in a few seconds`, this.retrySeconds(), 'address-places');
    }
    if (this.#running >= this.#o.slots && this.#queue.length >= this.#o.maxQueued) {
      throw new Busy(
        `the lab is full right now: ${this.#queue.length} commands are waiting; try again in about ${this.retrySeconds()} s`,
        this.retrySeconds(),
        'queue-full',
      );
    }
    this.#placesByLearner.add(who.learner, 1);
    this.#placesByAddress.add(who.address, 1);
    let released = false;
    let inBackground = false;
    const release: Release = Object.assign(
      () => {
        if (released) return;
        released = true;
        this.#placesByLearner.add(who.learner, -1);
        this.#placesByAddress.add(who.address, -1);
        this.#runningByLearner.add(who.learner, -1);
        this.#runningByAddress.add(who.address, -1);
        if (inBackground) this.#background--;
        else this.#running--;
        this.#next();
      },
      {
        toBackground: () => {
          if (released || inBackground) return inBackground;
          if (this.#background >= (this.#o.backgroundSlots ?? 0)) return false;
          inBackground = true;
          this.#background++;
          this.#running--;
          this.#next();
          return true;
        },
      },
    );
    const begin = () => {
      this.#running++;
      this.#runningByLearner.add(who.learner, 1);
      this.#runningByAddress.add(who.address, 1);
    };
    if (!this.#queue.length && this.#mayStart(who)) {
      begin();
      return Promise.resolve(release);
    }
    return new Promise((resolve, reject) => {
      const entry: Waiting = {
        who,
        onQueued,
        position: 0,
        start: () => {
          begin();
          resolve(release);
        },
      };
      this.#queue.push(entry);
      // It may start at once after all (a reserved slot, while busy learners wait).
      this.#next();
      signal?.addEventListener(
        'abort',
        () => {
          const i = this.#queue.indexOf(entry);
          if (i < 0) return;
          this.#queue.splice(i, 1);
          this.#placesByLearner.add(who.learner, -1);
          this.#placesByAddress.add(who.address, -1);
          this.#tellPositions();
          reject(new Error('cancelled while waiting'));
        },
        { once: true },
      );
    });
  }

  /** A free slot this claimant may take (the reserved ones only when its learner runs nothing). */
  #mayStart(who: Claimant): boolean {
    const limit = this.#runningByLearner.get(who.learner) > 0 ? this.#o.slots - (this.#o.reserved ?? 1) : this.#o.slots;
    return this.#running < limit;
  }

  /** Starts queued commands while slots allow, in the order the header describes. */
  #next(): void {
    for (;;) {
      let best = -1;
      for (let i = 0; i < this.#queue.length; i++) {
        const e = this.#queue[i];
        if (!this.#mayStart(e.who)) continue;
        if (best < 0 || this.#before(e, this.#queue[best])) best = i;
      }
      if (best < 0) break;
      this.#queue.splice(best, 1)[0].start();
    }
    this.#tellPositions();
  }

  /** Whether `a` should start before `b` (both may start; `b` is older when they tie). */
  #before(a: Waiting, b: Waiting): boolean {
    const ra = this.#runningByAddress.get(a.who.address);
    const rb = this.#runningByAddress.get(b.who.address);
    if (ra !== rb) return ra < rb;
    const la = this.#runningByLearner.get(a.who.learner) > 0 ? 1 : 0;
    const lb = this.#runningByLearner.get(b.who.learner) > 0 ? 1 : 0;
    return la < lb;
  }

  /** Tells each waiting command its position (1-based) when it changed. */
  #tellPositions(): void {
    this.#queue.forEach((e, i) => {
      if (e.position !== i + 1) {
        e.position = i + 1;
        e.onQueued?.(e.position);
      }
    });
  }
}
