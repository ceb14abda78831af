/**
 * Admission of commands to the machine: at most `slots` run at once, then a
 * bounded queue, then "busy" (HTTP 429). Each client address may hold at most
 * `perClient` places (running or queued), so one client's flood fills its own
 * share, never the whole queue. The last `reserved` slots only go to clients
 * with nothing running: however many busy clients there are, a newcomer's Run
 * starts at once, and the queue serves clients with nothing running first.
 */
export class Busy extends Error {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super(message);
    this.name = 'Busy';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export interface AdmissionOptions {
  slots: number;
  maxQueued: number;
  perClient: number;
  /** Slots kept for clients with no command running (default 1). */
  reserved?: number;
}

export class Admission {
  readonly #o: AdmissionOptions;
  #running = 0;
  readonly #queue: Array<{ client: string; start: () => void; signal?: AbortSignal }> = [];
  readonly #perClient = new Map<string, number>();
  /** Commands running per client (perClient counts queued ones too). */
  readonly #runningBy = new Map<string, number>();

  constructor(o: AdmissionOptions) {
    this.#o = o;
  }

  get running(): number { return this.#running; }
  get queued(): number { return this.#queue.length; }

  /**
   * Checks synchronously that the client may enter (throws Busy otherwise),
   * then resolves with a release function once a slot is free. `onQueued` is
   * told the position when the command has to wait.
   */
  enter(client: string, onQueued?: (position: number) => void, signal?: AbortSignal): Promise<() => void> {
    const mine = this.#perClient.get(client) ?? 0;
    if (mine >= this.#o.perClient) {
      throw new Busy(`too many commands at once from your address (limit ${this.#o.perClient}); wait for one to finish`, 2);
    }
    if (this.#running >= this.#o.slots && this.#queue.length >= this.#o.maxQueued) {
      throw new Busy('the lab is busy: every runner is taken and the queue is full; try again in a few seconds', 5);
    }
    this.#perClient.set(client, mine + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const n = (this.#perClient.get(client) ?? 1) - 1;
      if (n > 0) this.#perClient.set(client, n); else this.#perClient.delete(client);
      const r = (this.#runningBy.get(client) ?? 1) - 1;
      if (r > 0) this.#runningBy.set(client, r); else this.#runningBy.delete(client);
      this.#running--;
      this.#next();
    };
    const begin = () => {
      this.#running++;
      this.#runningBy.set(client, (this.#runningBy.get(client) ?? 0) + 1);
    };
    if (!this.#queue.length && this.#mayStart(client)) {
      begin();
      return Promise.resolve(release);
    }
    return new Promise((resolve, reject) => {
      const entry = { client, signal, start: () => { begin(); resolve(release); } };
      this.#queue.push(entry);
      // It may start at once after all (a reserved slot, while busy clients wait).
      this.#next();
      if (this.#queue.includes(entry)) onQueued?.(this.#queue.indexOf(entry) + 1);
      signal?.addEventListener('abort', () => {
        const i = this.#queue.indexOf(entry);
        if (i < 0) return;
        this.#queue.splice(i, 1);
        const n = (this.#perClient.get(client) ?? 1) - 1;
        if (n > 0) this.#perClient.set(client, n); else this.#perClient.delete(client);
        reject(new Error('cancelled while waiting'));
      }, { once: true });
    });
  }

  /** A free slot this client may take (the reserved ones only when it runs nothing). */
  #mayStart(client: string): boolean {
    const limit = (this.#runningBy.get(client) ?? 0) > 0 ? this.#o.slots - (this.#o.reserved ?? 1) : this.#o.slots;
    return this.#running < limit;
  }

  /** Starts queued commands while slots allow: clients with nothing running first, then in order. */
  #next(): void {
    for (;;) {
      const i = this.#queue.findIndex((e) => !this.#runningBy.get(e.client) && this.#mayStart(e.client));
      const j = i >= 0 ? i : this.#queue.findIndex((e) => this.#mayStart(e.client));
      if (j < 0) return;
      this.#queue.splice(j, 1)[0].start();
    }
  }
}
