/**
 * Admission of commands to the machine: at most `slots` run at once (sized to
 * the cores), then a bounded FIFO queue, then "busy" (HTTP 429). Each client
 * address may hold at most `perClient` places (running or queued), so one
 * client's flood fills its own share, never the whole queue.
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
}

export class Admission {
  readonly #o: AdmissionOptions;
  #running = 0;
  readonly #queue: Array<{ client: string; start: () => void; signal?: AbortSignal }> = [];
  readonly #perClient = new Map<string, number>();

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
      this.#running--;
      this.#next();
    };
    if (this.#running < this.#o.slots) {
      this.#running++;
      return Promise.resolve(release);
    }
    return new Promise((resolve, reject) => {
      const entry = { client, signal, start: () => { this.#running++; resolve(release); } };
      this.#queue.push(entry);
      onQueued?.(this.#queue.length);
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

  #next(): void {
    while (this.#running < this.#o.slots && this.#queue.length) this.#queue.shift()!.start();
  }
}
