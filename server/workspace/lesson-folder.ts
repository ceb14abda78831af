/**
 * A lesson's folder in a learner's workspace: /home/learner/<lesson id>.
 * Created from the lesson's starting files on first use; after that the
 * learner owns it (editor saves, terminal commands) and only Reset rewrites
 * the starting files.
 */
import type { LessonFiles } from '../../src/lib/protocol.ts';
import type { Lesson, Lessons } from '../lessons.ts';
import { SANDBOX_HOME } from './mounts.ts';
import { ensureDirBeneath, readFileBeneath, writeFileBeneath, type Owner } from './beneath.ts';

export interface LessonFolderDeps {
  lessons: Lessons;
  maxFileBytes: number;
}

/** A learner's workspace root on the host, and who owns what is created in it. */
export interface WorkspaceRef {
  home: string;
  owner: Owner | null;
}

/** The lesson's folder inside the sandbox (its working directory). */
export function lessonCwd(lesson: Lesson): string {
  return `${SANDBOX_HOME}/${lesson.id}`;
}

/**
 * The lesson's files as they are in the workspace, in tab order; any starting
 * file that is missing (first visit, or deleted in the terminal) is restored.
 */
export async function openLessonFolder(deps: LessonFolderDeps, ws: WorkspaceRef, lesson: Lesson): Promise<LessonFiles> {
  await ensureDirBeneath(ws.home, lesson.id, ws.owner);
  const files: LessonFiles['files'] = [];
  for (const start of await deps.lessons.startingFiles(lesson)) {
    const path = `${lesson.id}/${start.name}`;
    let content = await readFileBeneath(ws.home, path, deps.maxFileBytes);
    if (content === null) {
      await writeFileBeneath(ws.home, path, start.content, ws.owner);
      content = start.content;
    }
    files.push({ name: start.name, content });
  }
  return { lesson: lesson.id, files };
}

/**
 * Rewrites the starting files (other files the learner made are left alone).
 * Whatever the learner put in the way (the folder or a file swapped for a
 * symlink, a FIFO, a directory; a folder they cannot enter) is moved aside or
 * replaced, never followed: Reset always brings back a lesson that runs.
 */
export async function resetLessonFolder(deps: LessonFolderDeps, ws: WorkspaceRef, lesson: Lesson): Promise<LessonFiles> {
  const files = await deps.lessons.startingFiles(lesson);
  await ensureDirBeneath(ws.home, lesson.id, ws.owner, true);
  for (const f of files) await writeFileBeneath(ws.home, `${lesson.id}/${f.name}`, f.content, ws.owner, { replace: true });
  return { lesson: lesson.id, files };
}

/**
 * Saves files into a folder of the workspace (relative names already validated).
 * Each file is replaced whole or not at all (writeFileBeneath): on a full disk
 * the previous version stays and WorkspaceFullError says so (the API's 507).
 */
export async function saveFiles(ws: WorkspaceRef, folder: string, files: Record<string, string>): Promise<void> {
  await ensureDirBeneath(ws.home, folder, ws.owner);
  for (const [name, content] of Object.entries(files)) {
    await writeFileBeneath(ws.home, `${folder}/${name}`, content, ws.owner);
  }
}
