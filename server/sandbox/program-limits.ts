/**
 * The program's limits, driven by the toolchain's own signals: while the
 * program of a `go run` runs (its `run` phase in the trace) and no other go
 * command of the sandbox is at work, the command's cgroup is tightened to the
 * program's memory and tasks (CommandCgroup.tighten); when the program ends,
 * or another go command starts beside it, the command's limits come back.
 *
 * Only for go commands the lab observes (the phases come from their trace),
 * and only `go run`: a test binary of `go test` runs while other packages may
 * still compile, and a binary the learner starts directly (`./hello`) gives no
 * signal. Those run under the command's limits (docs/security.md).
 *
 * The signals come on the event channel, which the learner can write too. A
 * forged start or end can only move the group between the program's limits
 * and the command's own (tighten never goes above them: cgroup.ts), and each
 * window costs cgroup writes and reads: past MAX_PROGRAM_WINDOWS windows in one
 * command, no more are opened (the program runs under the command's limits).
 */
import type { RelayEvent } from '../phases/relay.ts';
import type { CgroupUsage, CommandCgroup } from './cgroup.ts';

/** Kernel limit hits that fell while the program's limits were in force. */
export interface ProgramHits {
  oomKills: number;
  pidsMaxHits: number;
}

/**
 * Program windows per command. A real command opens one per go run it
 * starts (a lesson's command: one or two); a forged start/end flood would
 * cost four cgroup file operations per pair.
 */
export const MAX_PROGRAM_WINDOWS = 32;

export class ProgramLimiter {
  readonly #cgroup: CommandCgroup;
  /** Observed go commands at work: id -> subcommand. */
  readonly #active = new Map<number, string>();
  /** The go command whose program runs under the program limits now. */
  #program: number | null = null;
  /** The cgroup writes, in order (a tighten never overtakes the relax before it). */
  #writes: Promise<void> = Promise.resolve();
  /** Counters when each program window opened, and when it closed (open: undefined). */
  readonly #windows: Array<{ from: CgroupUsage; to?: CgroupUsage }> = [];
  /** Windows opened so far (MAX_PROGRAM_WINDOWS). */
  #opened = 0;
  /** The program limits are in force now. */
  #tightened = false;
  /** The sandbox has ended: a window still open closes with the group's final counters, nothing is relaxed. */
  #ended = false;

  constructor(cgroup: CommandCgroup) {
    this.#cgroup = cgroup;
  }

  /** Feed every event of the sandbox's go commands, in order. */
  observe(e: RelayEvent): void {
    if (e.type === 'command') {
      this.#active.set(e.cmd, e.argv[1] ?? '');
      if (this.#program !== null) this.#close(); // a build beside the program needs the command's room
    } else if (e.type === 'phase' && e.phase === 'run' && e.cmd !== undefined) {
      if (e.state === 'start' && this.#program === null && this.#active.size === 1 && this.#active.get(e.cmd) === 'run') {
        this.#open(e.cmd);
      } else if (e.state === 'end' && e.cmd === this.#program) {
        this.#close();
      }
    } else if (e.type === 'command-end') {
      this.#active.delete(e.cmd);
      if (e.cmd === this.#program) this.#close();
    }
  }

  #open(cmd: number): void {
    if (this.#opened >= MAX_PROGRAM_WINDOWS) return;
    this.#opened++;
    this.#program = cmd;
    this.#writes = this.#writes
      .then(async () => {
        // The program may have ended already: the wrapper relays the trace in
        // batches, and a short program's start and end often come in one. Then
        // there is nothing to tighten (it ran under the command's limits).
        if (this.#program !== cmd || this.#ended) return;
        const window: { from: CgroupUsage; to?: CgroupUsage } = { from: await this.#cgroup.usage() };
        this.#windows.push(window);
        await this.#cgroup.tighten();
        this.#tightened = true;
      })
      .catch(() => {});
  }

  #close(): void {
    this.#program = null;
    this.#writes = this.#writes
      .then(async () => {
        // Nothing runs in a group whose sandbox has ended: no limits to give back,
        // and its final counters close the window (programHits).
        if (!this.#tightened || this.#ended) return;
        await this.#cgroup.relax();
        this.#tightened = false;
        const window = this.#windows.at(-1);
        if (window && !window.to) window.to = await this.#cgroup.usage();
      })
      .catch(() => {});
  }

  /** Waits for the cgroup writes under way. */
  settle(): Promise<void> {
    return this.#writes;
  }

  /**
   * The sandbox has ended: waits for the cgroup writes under way (before the
   * group's final counters are read) and skips the ones not started. A Run's
   * answer waits for this; the relax after go run's program (two writes and
   * two reads) was most of the wait, for a group about to be removed.
   */
  end(): Promise<void> {
    this.#ended = true;
    return this.#writes;
  }

  /** Of the command's final counters, the hits that happened inside a program window. */
  programHits(final: CgroupUsage): ProgramHits {
    const hits: ProgramHits = { oomKills: 0, pidsMaxHits: 0 };
    for (const w of this.#windows) {
      const to = w.to ?? final;
      hits.oomKills += to.oomKills - w.from.oomKills;
      hits.pidsMaxHits += to.pidsMaxHits - w.from.pidsMaxHits;
    }
    return hits;
  }
}
