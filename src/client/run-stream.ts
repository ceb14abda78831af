/**
 * `POST /api/run`: send the files and the command, read the NDJSON answer as it
 * streams in and hand each known event to the caller. Unknown event types are
 * skipped (later issues add `phase`, `graph`, ...).
 */
import { parseEventLine, type ExitEvent, type OutputEvent, type RunRequest } from '../lib/protocol.ts';
import { responseError } from './files-api.ts';

export interface RunHandlers {
  output(event: OutputEvent): void;
  exit(event: ExitEvent): void;
  /** Every parsed event, known or not (for later views). */
  event?(event: { type: string }): void;
}

/** Resolves when the stream ends; rejects on network errors, HTTP errors and aborts. */
export async function runStream(request: RunRequest, handlers: RunHandlers, signal: AbortSignal): Promise<void> {
  const res = await fetch('/api/run', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/x-ndjson' },
    body: JSON.stringify(request),
    signal,
  });
  if (!res.ok) throw await responseError(res);
  if (!res.body) throw new Error('the server sent no body');

  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const handle = (line: string) => {
    const event = parseEventLine(line);
    if (!event) return;
    handlers.event?.(event);
    if (event.type === 'stdout' || event.type === 'stderr') handlers.output(event as OutputEvent);
    else if (event.type === 'exit') handlers.exit(event as ExitEvent);
  };
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
}
