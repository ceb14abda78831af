/**
 * Filling the lab's line for a free runner from a test, and reading a
 * streamed answer event by event: for the tests of a learner's queued state
 * (tests/api/check-queue.test.ts, tests/e2e/queued.spec.ts). A held Run is an
 * ordinary `POST /api/run` of a command that sleeps until the test lets go
 * (closing the request stops it, or takes it out of the line).
 */
import { LineSplitter } from '../../src/lib/lines.ts';
import { parseEventLine } from '../../src/lib/protocol.ts';

export type Frame = { type: string; [k: string]: unknown };

/** The events of an NDJSON response body, one at a time, as they arrive. */
export class FrameReader {
  readonly seen: Frame[] = [];
  readonly #reader: ReadableStreamDefaultReader<string>;
  readonly #lines = new LineSplitter();
  #index = 0;
  #ended = false;

  constructor(res: Response) {
    if (!res.body) throw new Error('the response has no body');
    this.#reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** The next event (in order, none skipped); null once the stream ended. */
  async next(): Promise<Frame | null> {
    for (;;) {
      if (this.#index < this.seen.length) return this.seen[this.#index++];
      if (this.#ended) return null;
      const { value, done } = await this.#reader.read();
      if (done) {
        this.#ended = true;
        this.#take(this.#lines.end());
        continue;
      }
      for (const line of this.#lines.push(value)) this.#take(line);
    }
  }

  /** Reads up to and including the first event `wanted` accepts; throws if the stream ends first. */
  async until(wanted: (f: Frame) => boolean, what: string): Promise<Frame> {
    for (;;) {
      const f = await this.next();
      if (!f) throw new Error(`the stream ended before ${what}; it sent ${JSON.stringify(this.seen)}`);
      if (wanted(f)) return f;
    }
  }

  /** Every remaining event, to the end of the stream. */
  async rest(): Promise<Frame[]> {
    const out: Frame[] = [];
    for (let f = await this.next(); f; f = await this.next()) out.push(f);
    return out;
  }

  cancel(): void {
    void this.#reader.cancel().catch(() => {});
  }

  #take(line: string): void {
    const f = parseEventLine(line);
    if (f) this.seen.push(f as Frame);
  }
}

/** A Run that holds a runner (or a place in the line) until `letGo`. */
export interface HeldRun {
  frames: FrameReader;
  /** Closes the request: a running command is killed, a waiting one leaves the line. */
  letGo(): void;
}

/** What a held Run runs: it says so once it runs, then sleeps far longer than any test. */
export const HOLD_COMMAND = 'echo holding; exec sleep 600';

/** Starts a held Run (200 expected); `cookie` makes it a session's (a learner of its own). */
export async function holdRun(url: string, cookie?: string): Promise<HeldRun> {
  const abort = new AbortController();
  const res = await fetch(`${url}/api/run`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify({ files: {}, command: HOLD_COMMAND, observe: false }),
    signal: abort.signal,
  });
  if (res.status !== 200) throw new Error(`holding Run: ${res.status} ${await res.text()}`);
  return { frames: new FrameReader(res), letGo: () => abort.abort() };
}

/** Waits until the held Run runs (its command printed). */
export function running(held: HeldRun): Promise<Frame> {
  return held.frames.until((f) => f.type === 'stdout' && String(f.data).includes('holding'), 'the held command ran');
}

/** Waits until the held Run is told this position in the line. */
export function queuedAt(held: HeldRun, position: number): Promise<Frame> {
  return held.frames.until((f) => f.type === 'queued' && f.position === position, `position ${position} in the line`);
}
