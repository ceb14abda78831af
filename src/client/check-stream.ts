/**
 * `POST /api/check` in its streamed form (Accept: application/x-ndjson, see
 * src/lib/protocol.ts CheckEvent): the caller hears where the check is in the
 * line for a free runner, when it starts, then gets its result. A refusal
 * (the lab is full) rejects with a CheckRefused carrying the server's retry time.
 */
import { parseEventLine, type CheckEvent, type CheckRequest, type CheckResult } from '../lib/protocol.ts';
import { responseError } from './files-api.ts';

/** Retry time assumed when a 429 names none (the server always does; a proxy might not). */
const DEFAULT_RETRY_SECONDS = 5;

/** The server had no room for the check: try again after `retryAfterSeconds`. */
export class CheckRefused extends Error {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super(message);
    this.name = 'CheckRefused';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export interface CheckProgress {
  /** Waiting for a free runner; `position` 1 = next. Told again each time it moves. */
  queued(position: number): void;
  /** The checks run now. */
  started(): void;
}

/** Resolves with the check's result; rejects on refusal (CheckRefused), HTTP and network errors, and an `error` event. */
export async function checkStream(request: CheckRequest, progress: CheckProgress): Promise<CheckResult> {
  const res = await fetch('/api/check', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', accept: 'application/x-ndjson' },
    body: JSON.stringify(request),
  });
  if (res.status === 429) {
    const seconds = Number.parseInt(res.headers.get('retry-after') ?? '', 10);
    throw new CheckRefused((await responseError(res)).message, Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_RETRY_SECONDS);
  }
  if (!res.ok) throw await responseError(res);
  if (!res.body) throw new Error('the server sent no body');

  let result: CheckResult | undefined;
  let failure: string | undefined;
  const handle = (line: string) => {
    const event = parseEventLine(line) as CheckEvent | null;
    if (!event) return;
    if (event.type === 'queued') progress.queued(event.position);
    else if (event.type === 'started') progress.started();
    else if (event.type === 'result') result = event.result;
    else if (event.type === 'error') failure = event.error;
  };
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      handle(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
    }
  }
  handle(buffer);
  if (result) return result;
  throw new Error(failure ?? 'the answer ended before the result');
}
