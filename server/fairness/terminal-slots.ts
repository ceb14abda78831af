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

export class TerminalSlots {
  readonly limits: TerminalSlotLimits;
  #machine = 0;
  readonly #byClient = new Map<string, number>();
  readonly #bySession = new Map<string, number>();

  constructor(limits: TerminalSlotLimits) {
    this.limits = limits;
  }

  get open(): number { return this.#machine; }

  /** A machine slot for this client address, or why not (the learner reads it). */
  claimClient(client: string): Claim | { refused: string } {
    const mine = this.#byClient.get(client) ?? 0;
    if (mine >= this.limits.perClient) {
      return { refused: `too many terminals open from your address (limit ${this.limits.perClient}); close one, or try again in a minute` };
    }
    if (this.#machine >= this.limits.machine) {
      return { refused: `the lab has its maximum of ${this.limits.machine} terminals open; try again in a minute` };
    }
    this.#machine++;
    this.#byClient.set(client, mine + 1);
    return once(() => {
      this.#machine--;
      decrement(this.#byClient, client);
    });
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
  if (n > 0) map.set(key, n); else map.delete(key);
}

function once(f: () => void): Claim {
  let done = false;
  return { release: () => { if (!done) { done = true; f(); } } };
}
