/** Small clients for the lab's HTTP API and terminal socket, for tests and benchmarks. */
import WebSocket from 'ws';
import { parseEventLine, SESSION_COOKIE, type ExitEvent, type TerminalServerMessage } from '../../src/lib/protocol.ts';
import { LineSplitter } from '../../src/lib/lines.ts';

export interface RunResponse {
  status: number;
  contentType: string;
  events: Array<{ type: string; [k: string]: unknown }>;
  stdout: string;
  stderr: string;
  exit?: ExitEvent;
  /** The error body of a 4xx/5xx answer. */
  error?: string;
}

export async function postRun(url: string, body: unknown, cookie?: string): Promise<RunResponse> {
  const res = await fetch(`${url}/api/run`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  const contentType = res.headers.get('content-type') ?? '';
  if (res.status !== 200) {
    return { status: res.status, contentType, events: [], stdout: '', stderr: '', error: JSON.parse(text).error };
  }
  return runResponse(res.status, contentType, text);
}

/** A 200 Run answer (its NDJSON text) as RunResponse: its events, stdout and stderr joined, the exit. */
function runResponse(status: number, contentType: string, text: string): RunResponse {
  const events = text
    .split('\n')
    .map(parseEventLine)
    .filter((e) => e !== null) as RunResponse['events'];
  const join = (type: string) =>
    events
      .filter((e) => e.type === type)
      .map((e) => e.data)
      .join('');
  return { status, contentType, events, stdout: join('stdout'), stderr: join('stderr'), exit: events.find((e) => e.type === 'exit') as ExitEvent | undefined };
}

/** A new session: its Cookie header value (from GET /api/workspace/files). */
export async function newSession(url: string, lesson: string): Promise<{ cookie: string; files: Array<{ name: string; content: string }> }> {
  const res = await fetch(`${url}/api/workspace/files?lesson=${encodeURIComponent(lesson)}`);
  if (res.status !== 200) throw new Error(`GET files: ${res.status} ${await res.text()}`);
  const setCookie = res.headers.get('set-cookie') ?? '';
  const m = setCookie.match(new RegExp(`${SESSION_COOKIE}=([^;]+)`));
  if (!m) throw new Error(`no session cookie in ${JSON.stringify(setCookie)}`);
  const body = (await res.json()) as { files: Array<{ name: string; content: string }> };
  return { cookie: `${SESSION_COOKIE}=${m[1]}`, files: body.files };
}

/** A terminal connection that collects output and can wait for text to appear. */
export class TerminalClient {
  readonly ws: WebSocket;
  output = '';
  messages: TerminalServerMessage[] = [];
  readonly closed: Promise<number>;
  #waiters: Array<() => void> = [];

  constructor(url: string, lesson: string, headers: Record<string, string>) {
    this.ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/terminal?lesson=${encodeURIComponent(lesson)}`, { headers });
    this.ws.on('message', (raw) => {
      const m = JSON.parse(raw.toString()) as TerminalServerMessage;
      this.messages.push(m);
      if (m.type === 'output') this.output += m.data;
      for (const w of this.#waiters) w();
    });
    this.closed = new Promise((resolve) =>
      this.ws.on('close', (code) => {
        for (const w of this.#waiters) w();
        resolve(code);
      }),
    );
  }

  /** Resolves when the socket opens; rejects with the HTTP status when the upgrade is refused. */
  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      this.ws.once('error', reject);
    });
  }

  send(m: unknown): void {
    this.ws.send(JSON.stringify(m));
  }

  type(data: string): void {
    this.send({ type: 'input', data });
  }

  /** Waits until the output (since `from`) matches, or fails after timeoutMs with what was seen. */
  async waitFor(pattern: RegExp, timeoutMs = 15_000, from = 0): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.output.slice(from).match(pattern);
      if (m) return m;
      const left = deadline - Date.now();
      if (left <= 0 || this.ws.readyState === WebSocket.CLOSED) {
        throw new Error(`terminal output did not match ${pattern} in ${timeoutMs} ms; got:\n${this.output.slice(from)}`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
      this.#waiters = [];
    }
  }

  /** Waits until `count` messages (from index `from`) satisfy match, or fails after timeoutMs with what came. */
  async waitForMessages(match: (m: TerminalServerMessage) => boolean, count = 1, timeoutMs = 15_000, from = 0): Promise<TerminalServerMessage[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.slice(from).filter(match);
      if (found.length >= count) return found;
      const left = deadline - Date.now();
      if (left <= 0 || this.ws.readyState === WebSocket.CLOSED) {
        throw new Error(`terminal: ${found.length} of ${count} matching messages in ${timeoutMs} ms; got:\n${JSON.stringify(this.messages.slice(from))}`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
      this.#waiters = [];
    }
  }

  close(): void {
    this.ws.close();
  }
}

/**
 * A Run whose answer is read as it streams: `output(re)` resolves when its
 * stdout+stderr so far match (the command reached that point), `done` with
 * the whole answer as postRun gives it.
 */
export function streamRun(url: string, body: unknown, cookie?: string): { output(re: RegExp, timeoutMs?: number): Promise<void>; done: Promise<RunResponse> } {
  let text = '';
  let seen = '';
  let finished = false;
  const waiters: Array<() => void> = [];
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  const done = (async (): Promise<RunResponse> => {
    try {
      const res = await fetch(`${url}/api/run`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
        body: JSON.stringify(body),
      });
      const contentType = res.headers.get('content-type') ?? '';
      if (res.status !== 200) {
        const error = JSON.parse(await res.text()).error;
        seen = `(answered ${res.status}: ${error})`;
        return { status: res.status, contentType, events: [], stdout: '', stderr: '', error };
      }
      const decoder = new TextDecoder();
      const lines = new LineSplitter();
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        const piece = decoder.decode(chunk, { stream: true });
        text += piece;
        for (const line of lines.push(piece)) {
          const e = parseEventLine(line) as { type: string; data?: unknown } | null;
          if ((e?.type === 'stdout' || e?.type === 'stderr') && typeof e.data === 'string') seen += e.data;
        }
        wake();
      }
      return runResponse(res.status, contentType, text);
    } finally {
      finished = true;
      wake();
    }
  })();
  done.catch(() => {}); // handled by whoever awaits it; never an unhandled rejection meanwhile
  return {
    done,
    async output(re, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!re.test(seen)) {
        if (finished) throw new Error(`the Run ended before its output matched ${re}; output:\n${seen}`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`the Run's output did not match ${re} in ${timeoutMs} ms; output:\n${seen}`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
    },
  };
}
