/**
 * The workbench's calls to the lab's API, typed with src/lib/protocol.ts
 * (the classroom's calls are in classroom/api.ts, the exercise's Check in
 * exercise.ts): the lesson's files, the folder's listing, Reset, Runs (one
 * streaming helper for Run, Format and the deep dives) and the terminal's
 * status. Errors carry the server's own sentence.
 */
import {
  parseEventLine,
  type ErrorBody,
  type ExitEvent,
  type LessonFiles,
  type OutputEvent,
  type RunRequest,
  type SaveFilesRequest,
  type WorkspaceListing,
} from '../lib/protocol.ts';

const lessonQuery = (lesson: string) => `?lesson=${encodeURIComponent(lesson)}`;

/** Turn a failed response into an Error carrying the server's sentence. */
export async function responseError(res: Response): Promise<Error> {
  let message = `${res.status} ${res.statusText}`.trim();
  try {
    const body = (await res.json()) as Partial<ErrorBody>;
    if (typeof body.error === 'string' && body.error) message = body.error;
  } catch {
    // not JSON: keep the status line
  }
  return new Error(message);
}

async function json<T>(res: Response): Promise<T> {
  if (!res.ok) throw await responseError(res);
  return (await res.json()) as T;
}

/** `GET /api/workspace/files`: the starting files as the workspace has them (makes the session on first use). */
export async function getLessonFiles(lesson: string, signal?: AbortSignal): Promise<LessonFiles> {
  return json<LessonFiles>(await fetch(`/api/workspace/files${lessonQuery(lesson)}`, { credentials: 'same-origin', signal }));
}

/** `PUT /api/workspace/files`: save these files (others untouched). `keepalive` lets it outlive the page. */
export async function putLessonFiles(lesson: string, files: Record<string, string>, keepalive = false): Promise<void> {
  const body: SaveFilesRequest = { files };
  const res = await fetch(`/api/workspace/files${lessonQuery(lesson)}`, {
    method: 'PUT',
    keepalive,
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw await responseError(res);
}

/** `POST /api/workspace/reset`: only the starting files again (everything else in the folder is removed). */
export async function postReset(lesson: string): Promise<LessonFiles> {
  return json<LessonFiles>(await fetch(`/api/workspace/reset${lessonQuery(lesson)}`, { method: 'POST', credentials: 'same-origin' }));
}

/** `GET /api/workspace/list`: everything in the lesson's folder (files the terminal or a Try it block made too). */
export async function getWorkspaceList(lesson: string, signal?: AbortSignal): Promise<WorkspaceListing> {
  return json<WorkspaceListing>(await fetch(`/api/workspace/list${lessonQuery(lesson)}`, { credentials: 'same-origin', signal }));
}

/** `GET /api/terminal/status`: whether a terminal is free, and why not; null when the server did not say. */
export async function getTerminalStatus(): Promise<{ available: boolean; message?: string } | null> {
  const res = await fetch('/api/terminal/status', { credentials: 'same-origin' });
  return res.ok ? ((await res.json()) as { available: boolean; message?: string }) : null;
}

export interface RunHandlers {
  output(event: OutputEvent): void;
  exit(event: ExitEvent): void;
  /** Every parsed event, known or not (the phase view). */
  event?(event: { type: string }): void;
  /** The server took the Run: its files are saved in the workspace (before any output). */
  accepted?(): void;
}

/**
 * `POST /api/run`: send the files and the command, read the NDJSON answer as
 * it streams in and hand each event to the caller. Resolves when the stream
 * ends; rejects on network errors, HTTP errors and aborts.
 */
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
  handlers.accepted?.();

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

/** What a collected Run printed, and how it ended (null: the stream ended without an exit event). */
export interface RunResult {
  stdout: string;
  stderr: string;
  exit: ExitEvent | null;
}

/** A Run whose output is wanted whole (Format, the deep dives): runStream, collected. */
export async function runCollected(request: RunRequest, signal: AbortSignal, accepted?: () => void): Promise<RunResult> {
  const result: RunResult = { stdout: '', stderr: '', exit: null };
  await runStream(
    request,
    {
      output: (e) => {
        if (e.type === 'stdout') result.stdout += e.data;
        else result.stderr += e.data;
      },
      exit: (e) => {
        result.exit = e;
      },
      accepted,
    },
    signal,
  );
  return result;
}
