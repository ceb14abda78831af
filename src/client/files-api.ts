/**
 * The learner's copy of a lesson's files, through api.ts: each read and save
 * also keeps the learner's server copy in step (learner-files.ts), so a
 * learner's files follow them to other browsers.
 */
import type { LessonFiles, WorkspaceListing } from '../lib/protocol.ts';
import { getLessonFiles, getWorkspaceList, postReset, putLessonFiles } from './api.ts';
import { noteSaved, noteWorkspace, restoreLessonFiles } from './learner-files.ts';

export { responseError } from './api.ts';

/** The learner's files (creates the session and the lesson folder on first use). `signal` can give up on it. */
export async function loadFiles(lesson: string, signal?: AbortSignal): Promise<LessonFiles> {
  await restoreLessonFiles(lesson);
  const answer = await getLessonFiles(lesson, signal);
  noteWorkspace(lesson, answer.files);
  return answer;
}

/** Everything in the lesson's folder; its starting files' contents are noted like a load's. */
export async function listFiles(lesson: string, signal?: AbortSignal): Promise<WorkspaceListing> {
  const answer = await getWorkspaceList(lesson, signal);
  noteWorkspace(
    lesson,
    answer.files.flatMap((f) => (f.starting && f.content !== undefined ? [{ name: f.name, content: f.content }] : [])),
  );
  return answer;
}

/** Save these files (others are left untouched). */
export async function saveFiles(lesson: string, files: Record<string, string>): Promise<void> {
  await putLessonFiles(lesson, files);
  noteSaved(lesson, files);
}

/** Files a Run (or another command) carried, which the server saved: noted like a save. */
export const noteSent = noteSaved;

/** Restore the lesson's starting files (and remove the rest); answers them. */
export async function resetFiles(lesson: string): Promise<LessonFiles> {
  const answer = await postReset(lesson);
  noteWorkspace(lesson, answer.files);
  return answer;
}
