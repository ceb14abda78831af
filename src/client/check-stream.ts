/**
 * `POST /api/check` in its streamed form (Accept: application/x-ndjson, see
 * src/lib/protocol.ts CheckEvent): the caller hears where the check is in the
 * line for a free runner, when it starts, then gets its result. A refusal
 * (the lab is full) rejects with a CheckRefused carrying the server's retry time.
 */
import { CheckEventSchema, type CheckRequest, type CheckResult } from '../lib/protocol.ts';
import { responseError } from './files-api.ts';
import { parseEvent, readLines } from './wire.ts';

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

/** Resolves with the check's result; rejects on refusal (CheckRefused), HTTP and network errors, an `error` event and a malformed one. */
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
  await readLines(res.body, (line) => {
    const event = parseEvent(CheckEventSchema, line);
    if (!event) return;
    if (event.type === 'queued') progress.queued(event.position);
    else if (event.type === 'started') progress.started();
    else if (event.type === 'result') result = event.result;
    else if (event.type === 'error') failure = event.error;
  });
  if (result) return result;
  throw new Error(failure ?? 'the answer ended before the result');
}
