/** The workspace API: the learner's copy of a lesson's files (src/lib/protocol.ts). */
import type { ErrorBody, LessonFiles, SaveFilesRequest } from '../lib/protocol.ts';
// A learner's files follow them to other browsers: the workspace is reconciled with the server's copy
// before it is first read, and every read and save updates that copy (learner-files.ts).
import { noteSaved, noteWorkspace, restoreLessonFiles } from './learner-files.ts';

const base = (lesson: string) => `?lesson=${encodeURIComponent(lesson)}`;

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

/** The learner's files (creates the session and the lesson folder on first use). `signal` can give up on it. */
export async function loadFiles(lesson: string, signal?: AbortSignal): Promise<LessonFiles> {
  await restoreLessonFiles(lesson);
  const answer = await json<LessonFiles>(await fetch(`/api/workspace/files${base(lesson)}`, { credentials: 'same-origin', signal }));
  noteWorkspace(lesson, answer.files);
  return answer;
}

/** Save these files (others are left untouched). */
export async function saveFiles(lesson: string, files: Record<string, string>): Promise<void> {
  const body: SaveFilesRequest = { files };
  const res = await fetch(`/api/workspace/files${base(lesson)}`, {
    method: 'PUT',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw await responseError(res);
  noteSaved(lesson, files);
}

/** Restore the lesson's starting files; answers them. */
export async function resetFiles(lesson: string): Promise<LessonFiles> {
  const answer = await json<LessonFiles>(
    await fetch(`/api/workspace/reset${base(lesson)}`, { method: 'POST', credentials: 'same-origin' }),
  );
  noteWorkspace(lesson, answer.files);
  return answer;
}
