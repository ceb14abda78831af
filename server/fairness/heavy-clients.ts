/**
 * Clients whose commands ran long lately (a build of a big program, a busy
 * loop) or had to be stopped by a limit (memory, tasks, output, disk). Their next commands start with the low CPU weight that
 * long commands get after FULL_CPU_WEIGHT_MS, so a client who keeps the CPU
 * busy cannot use each new command's first seconds to crowd out a learner who
 * just pressed Run.
 */
/** Marks kept before the expired ones are swept out (a pass over them all): the map stays bounded however many addresses come. */
const SWEEP_ABOVE_CLIENTS = 10_000;

export class HeavyClients {
  readonly #memoryMs: number;
  readonly #until = new Map<string, number>();

  constructor(memoryMs: number) {
    this.#memoryMs = memoryMs;
  }

  mark(client: string, now = Date.now()): void {
    this.#until.set(client, now + this.#memoryMs);
    if (this.#until.size > SWEEP_ABOVE_CLIENTS) {
      for (const [c, t] of this.#until) if (t <= now) this.#until.delete(c);
    }
  }

  has(client: string, now = Date.now()): boolean {
    const t = this.#until.get(client);
    if (t === undefined) return false;
    if (t > now) return true;
    this.#until.delete(client);
    return false;
  }
}
