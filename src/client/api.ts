/**
 * The workbench's calls to the lab's API, typed with src/lib/protocol.ts
 * (the classroom's calls are in classroom/api.ts, the exercise's Check in
 * exercise.ts): the lesson's files, the folder's listing, Reset, Runs (one
 * streaming helper for Run, Format and the deep dives) and the terminal's
 * status. Errors carry the server's own sentence; every answer and event is
 * checked against its schema (wire.ts).
 */
import {
  ErrorBodySchema,
  LessonFilesSchema,
  RunEventSchema,
  TerminalStatusSchema,
  WorkspaceListingSchema,
  type ExitEvent,
  type LessonFiles,
  type OutputEvent,
  type RunEvent,
  type RunRequest,
  type SaveFilesRequest,
  type TerminalStatus,
  type WorkspaceListing,
} from '../lib/protocol.ts';
import { parseEvent, readAnswer, readLines } from './wire.ts';

const lessonQuery = (lesson: string) => `?lesson=${encodeURIComponent(lesson)}`;

/** Turn a failed response into an Error carrying the server's sentence. */
export async function responseError(res: Response): Promise<Error> {
  let message = `${res.status} ${res.statusText}`.trim();
  try {
    const body = ErrorBodySchema.safeParse(await res.json());
    if (body.success && body.data.error) message = body.data.error;
  } catch {
    // not JSON: keep the status line
  }
  return new Error(message);
}

/** `GET /api/workspace/files`: the starting files as the workspace has them (makes the session on first use). */
export async function getLessonFiles(lesson: string, signal?: AbortSignal): Promise<LessonFiles> {
  const res = await fetch(`/api/workspace/files${lessonQuery(lesson)}`, { credentials: 'same-origin', signal });
  if (!res.ok) throw await responseError(res);
  return readAnswer(res, LessonFilesSchema);
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
  const res = await fetch(`/api/workspace/reset${lessonQuery(lesson)}`, { method: 'POST', credentials: 'same-origin' });
  if (!res.ok) throw await responseError(res);
  return readAnswer(res, LessonFilesSchema);
}

/** `GET /api/workspace/list`: everything in the lesson's folder (files the terminal or a Try it block made too). */
export async function getWorkspaceList(lesson: string, signal?: AbortSignal): Promise<WorkspaceListing> {
  const res = await fetch(`/api/workspace/list${lessonQuery(lesson)}`, { credentials: 'same-origin', signal });
  if (!res.ok) throw await responseError(res);
  return readAnswer(res, WorkspaceListingSchema);
}

/** `GET /api/terminal/status`: whether a terminal is free, and why not; null when the server did not say (or said it malformed). */
export async function getTerminalStatus(): Promise<TerminalStatus | null> {
  const res = await fetch('/api/terminal/status', { credentials: 'same-origin' });
  return res.ok ? readAnswer(res, TerminalStatusSchema).catch(() => null) : null;
}

export interface RunHandlers {
  output(event: OutputEvent): void;
  exit(event: ExitEvent): void;
  /** Every event (the phase view); types this page does not know are left out. */
  event?(event: RunEvent): void;
  /** The server took the Run: its files are saved in the workspace (before any output). */
  accepted?(): void;
}

/**
 * `POST /api/run`: send the files and the command, read the NDJSON answer as
 * it streams in and hand each event to the caller. Resolves when the stream
 * ends; rejects on network errors, HTTP errors, aborts and a malformed event.
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

  await readLines(res.body, (line) => {
    const event = parseEvent(RunEventSchema, line);
    if (!event) return;
    handlers.event?.(event);
    if (event.type === 'stdout' || event.type === 'stderr') handlers.output(event);
    else if (event.type === 'exit') handlers.exit(event);
  });
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
