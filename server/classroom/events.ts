/**
 * Server-Sent Events for the classroom: the teacher's live grid
 * (`GET /api/classes/{id}/events`) and a submission's grade
 * (`GET /api/submissions/{id}/events`). Streams subscribe to a topic
 * (`class:<id>`, `submission:<id>`); handlers publish to topics after
 * their writes are committed, so what a stream tells is what is stored.
 *
 * Bounds: each stream holds only its response; an event that finds more than
 * MAX_BUFFERED_BYTES unsent on it (a reader that stopped reading) ends that
 * stream instead of buffering without end; the browser reconnects and reads
 * the state afresh. At most MAX_STREAMS_PER_OWNER streams per teacher or
 * learner and MAX_STREAMS on the server (429 beyond). A comment line every
 * HEARTBEAT_MS keeps proxies and the browser from timing the stream out, and
 * every stream ends after STREAM_MAX_MS: the browser's reconnect checks the
 * cookie again (a signed-out teacher stops hearing), and no API request stays
 * open long enough for app.ts's stall log.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Busy } from '../fairness/admission.ts';

/** Comment lines this often: well under the 30-60 s idle time-outs of common proxies. */
export const HEARTBEAT_MS = 15_000;
/** A stream's lifetime; the browser reconnects after RECONNECT_MS. Below app.ts's 120 s stall log. */
export const STREAM_MAX_MS = 90_000;
/** What the browser waits before reconnecting (the SSE `retry:` field). */
export const RECONNECT_MS = 2_000;
/** Unsent bytes a stream may hold before it is ended (events are a few hundred bytes; a Submission without files a few KiB). */
export const MAX_BUFFERED_BYTES = 64 * 1024;
/** Streams one teacher or learner may hold at once: a few tabs. A browser allows 6 connections per host, so more would starve the page's own requests. */
export const MAX_STREAMS_PER_OWNER = 4;
/** Streams on the server at once (each holds a connection, already capped by MAX_CONNECTIONS). */
export const MAX_STREAMS = 2_000;
/** Seconds a refused stream is told to wait (Retry-After). */
const STREAM_BUSY_RETRY_SECONDS = 10;

interface Stream {
  res: ServerResponse;
  owner: string;
  topic: string;
  end(): void;
}

export class ClassroomEvents {
  readonly #topics = new Map<string, Set<Stream>>();
  readonly #owners = new Map<string, number>();
  #count = 0;
  readonly #maxPerOwner: number;
  readonly #max: number;

  constructor(maxPerOwner = MAX_STREAMS_PER_OWNER, max = MAX_STREAMS) {
    this.#maxPerOwner = maxPerOwner;
    this.#max = max;
  }

  /** Streams open now (for tests and logs). */
  get count(): number {
    return this.#count;
  }

  /**
   * Starts an event stream on res for `owner` (e.g. `teacher:<id>`) on `topic`;
   * throws Busy (429) over the caps, before anything is written.
   */
  open(req: IncomingMessage, res: ServerResponse, topic: string, owner: string): Stream {
    const mine = this.#owners.get(owner) ?? 0;
    if (mine >= this.#maxPerOwner) {
      throw new Busy(`you have ${this.#maxPerOwner} live pages open already; close one (the others still update)`, STREAM_BUSY_RETRY_SECONDS);
    }
    if (this.#count >= this.#max) throw new Busy('the lab has too many live pages open; the page tries again by itself', STREAM_BUSY_RETRY_SECONDS);
    this.#owners.set(owner, mine + 1);
    this.#count++;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      // A proxy (nginx) must pass events on at once, not buffer them.
      'x-accel-buffering': 'no',
    });
    res.write(`retry: ${RECONNECT_MS}\n\n`);
    let ended = false;
    const heartbeat = setInterval(() => write(stream, ': ping\n\n'), HEARTBEAT_MS);
    const lifetime = setTimeout(() => stream.end(), STREAM_MAX_MS);
    heartbeat.unref();
    lifetime.unref();
    const cleanup = () => {
      if (ended) return;
      ended = true;
      clearInterval(heartbeat);
      clearTimeout(lifetime);
      const set = this.#topics.get(topic);
      set?.delete(stream);
      if (set?.size === 0) this.#topics.delete(topic);
      const n = (this.#owners.get(owner) ?? 1) - 1;
      if (n > 0) this.#owners.set(owner, n);
      else this.#owners.delete(owner);
      this.#count--;
    };
    const stream: Stream = {
      res,
      owner,
      topic,
      end() {
        cleanup();
        if (!res.writableEnded) res.end();
      },
    };
    let set = this.#topics.get(topic);
    if (!set) this.#topics.set(topic, (set = new Set()));
    set.add(stream);
    res.on('close', cleanup);
    req.on('error', cleanup);
    return stream;
  }

  /** Sends one event to the stream (and ends it with `last`). */
  send(stream: Stream, event: string, data: unknown, last = false): void {
    write(stream, frame(event, data));
    if (last) stream.end();
  }

  /** Sends one event to every stream of the topic; `last` ends them after it. */
  publish(topic: string, event: string, data: unknown, last = false): void {
    const set = this.#topics.get(topic);
    if (!set) return;
    const text = frame(event, data);
    for (const stream of [...set]) {
      write(stream, text);
      if (last) stream.end();
    }
  }

  /** Ends every stream (server shutdown). */
  closeAll(): void {
    for (const set of [...this.#topics.values()]) for (const stream of [...set]) stream.end();
  }
}

/** One SSE frame: `event:` and one `data:` line (JSON has no raw line breaks). */
function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

function write(stream: Stream, text: string): void {
  const { res } = stream;
  if (res.writableEnded || res.destroyed) return;
  // A reader that does not read: end its stream rather than hold its events (it reconnects and reads afresh).
  if (res.writableLength + text.length > MAX_BUFFERED_BYTES) {
    res.destroy();
    return;
  }
  res.write(text);
}
