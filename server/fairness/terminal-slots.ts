/**
 * Terminal slots: how many terminals are open on the machine, per client
 * address and per session, with claims that are taken synchronously (no await
 * between the check and the count, so concurrent upgrades cannot all pass the
 * check before any of them is counted) and released exactly once.
 */
export interface TerminalSlotLimits {
  machine: number;
  perClient: number;
  perSession: number;
}

/** A claim: release() gives the slot back (later calls do nothing). */
export interface Claim {
  release(): void;
}

/**
 * After a learner was refused a terminal because the machine had none left,
 * for this long idle terminals are reclaimed sooner (TerminalSlots.pressure):
 * a slot held by nobody typing is worth more to the one waiting.
 */
export const PRESSURE_WINDOW_MS = 5 * 60_000;

export class TerminalSlots {
  readonly limits: TerminalSlotLimits;
  #machine = 0;
  #lastRefusal = -Infinity;
  readonly #onPressure = new Set<() => void>();
  readonly #byClient = new Map<string, number>();
  readonly #bySession = new Map<string, number>();

  constructor(limits: TerminalSlotLimits) {
    this.limits = limits;
  }

  get open(): number {
    return this.#machine;
  }

  /** A machine slot for this client address, or why not (the learner reads it). */
  claimClient(client: string): Claim | { refused: string } {
    const mine = this.#byClient.get(client) ?? 0;
    if (mine >= this.limits.perClient) {
      return { refused: `too many terminals open from your address (limit ${this.limits.perClient}); close one, or try again in a minute` };
    }
    if (this.#machine >= this.limits.machine) {
      this.#lastRefusal = Date.now();
      for (const f of this.#onPressure) f();
      return { refused: machineFull(this.limits.machine) };
    }
    this.#machine++;
    this.#byClient.set(client, mine + 1);
    return once(() => {
      this.#machine--;
      decrement(this.#byClient, client);
    });
  }

  /** Whether a learner was refused a terminal for lack of slots lately. */
  underPressure(now = Date.now()): boolean {
    return now - this.#lastRefusal < PRESSURE_WINDOW_MS;
  }

  /** Calls `f` each time a learner is refused for lack of slots; returns the unsubscribe. */
  onPressure(f: () => void): () => void {
    this.#onPressure.add(f);
    return () => this.#onPressure.delete(f);
  }

  /**
   * Whether this client could open a terminal now, and if not, why and when to
   * retry, in a learner's words (the browser cannot read a refused upgrade's
   * answer, so the page asks here: GET /api/terminal/status).
   */
  status(client: string, session: string | null): { available: boolean; message?: string; retryAfterSeconds?: number } {
    if ((this.#byClient.get(client) ?? 0) >= this.limits.perClient) {
      return {
        available: false,
        message: `Your network already has ${this.limits.perClient} terminals open. Run and Check still work; close a terminal in another tab, or try again in a minute.`,
        retryAfterSeconds: 60,
      };
    }
    if (session && (this.#bySession.get(session) ?? 0) >= this.limits.perSession) {
      return {
        available: false,
        message: `You have ${this.limits.perSession} terminals open in other tabs. Close one of them, then press Enter here.`,
        retryAfterSeconds: 10,
      };
    }
    if (this.#machine >= this.limits.machine) {
      return { available: false, message: machineFull(this.limits.machine), retryAfterSeconds: 60 };
    }
    return { available: true };
  }

  /** A slot of this session (tabs, reconnects), or why not. */
  claimSession(id: string): Claim | { refused: string } {
    const open = this.#bySession.get(id) ?? 0;
    if (open >= this.limits.perSession) {
      return { refused: `too many terminals open in this session (limit ${this.limits.perSession})` };
    }
    this.#bySession.set(id, open + 1);
    return once(() => decrement(this.#bySession, id));
  }
}

function decrement(map: Map<string, number>, key: string): void {
  const n = (map.get(key) ?? 1) - 1;
  if (n > 0) map.set(key, n);
  else map.delete(key);
}

function once(f: () => void): Claim {
  let done = false;
  return {
    release: () => {
      if (!done) {
        done = true;
        f();
      }
    },
  };
}

function machineFull(max: number): string {
  return `All ${max} terminals of the lab are in use. Run and Check still work. Terminals nobody types in are being closed for those waiting: press Enter to try again in a minute.`;
}
