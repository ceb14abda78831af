/**
 * When a long-lived sandbox (a terminal) should lose and regain CPU priority.
 * A Run is demoted once it has run FULL_CPU_WEIGHT_MS (sandbox.ts); a terminal
 * lives for hours and is mostly idle, so it is judged by the CPU time it used
 * lately instead: over `thresholdMs` of CPU in the last `windowMs` and it is
 * demoted (its go build typed at the prompt gets the same head start as a
 * Run's, a busy loop then yields to others); once it has used under a third
 * of that in the window it gets full weight back (the next command typed
 * starts at full speed). The gap between the two marks stops it flapping.
 */
export class CpuWindow {
  readonly #windowMs: number;
  readonly #thresholdMs: number;
  /** (wall time, CPU time used so far) samples, oldest first, spanning the window. */
  readonly #samples: Array<{ at: number; cpuMs: number }> = [];
  #demoted = false;

  constructor(windowMs: number, thresholdMs: number) {
    this.#windowMs = windowMs;
    this.#thresholdMs = thresholdMs;
  }

  get demoted(): boolean {
    return this.#demoted;
  }

  /** Takes a sample; says whether to demote or promote now (null: no change). */
  observe(at: number, cpuMs: number): 'demote' | 'promote' | null {
    const last = this.#samples.at(-1);
    // The /proc sum can dip when a process exits unreaped: CPU time never goes back.
    const cpu = last ? Math.max(last.cpuMs, cpuMs) : cpuMs;
    this.#samples.push({ at, cpuMs: cpu });
    // Keep one sample at or before the window's start, so the window is covered in full.
    while (this.#samples.length > 2 && this.#samples[1].at <= at - this.#windowMs) this.#samples.shift();
    const used = cpu - this.#samples[0].cpuMs;
    if (!this.#demoted && used >= this.#thresholdMs) {
      this.#demoted = true;
      return 'demote';
    }
    if (this.#demoted && used < this.#thresholdMs / 3) {
      this.#demoted = false;
      return 'promote';
    }
    return null;
  }
}
