/**
 * A lesson's folder in a learner's workspace: /home/learner/<lesson id>.
 * Created from the lesson's starting files on first use; after that the
 * learner owns it (editor saves, terminal commands) and only Reset rewrites
 * the starting files.
 */
import type { LessonFiles } from '../../src/lib/protocol.ts';
import type { Lesson, Lessons } from '../lessons.ts';
import { SANDBOX_HOME } from '../sandbox/bwrap.ts';
import { ensureDirBeneath, readFileBeneath, writeFileBeneath, type Owner } from './beneath.ts';

export interface LessonFolderDeps {
  lessons: Lessons;
  owner: Owner | null;
  maxFileBytes: number;
}

/** The lesson's folder inside the sandbox (its working directory). */
export function lessonCwd(lesson: Lesson): string {
  return `${SANDBOX_HOME}/${lesson.id}`;
}

/**
 * The lesson's files as they are in the workspace, in tab order; any starting
 * file that is missing (first visit, or deleted in the terminal) is restored.
 */
export async function openLessonFolder(deps: LessonFolderDeps, home: string, lesson: Lesson): Promise<LessonFiles> {
  await ensureDirBeneath(home, lesson.id, deps.owner);
  const files: LessonFiles['files'] = [];
  for (const start of await deps.lessons.startingFiles(lesson)) {
    const path = `${lesson.id}/${start.name}`;
    let content = await readFileBeneath(home, path, deps.maxFileBytes);
    if (content === null) {
      await writeFileBeneath(home, path, start.content, deps.owner);
      content = start.content;
    }
    files.push({ name: start.name, content });
  }
  return { lesson: lesson.id, files };
}

/** Rewrites the starting files (other files the learner made are left alone). */
export async function resetLessonFolder(deps: LessonFolderDeps, home: string, lesson: Lesson): Promise<LessonFiles> {
  const files = await deps.lessons.startingFiles(lesson);
  for (const f of files) await writeFileBeneath(home, `${lesson.id}/${f.name}`, f.content, deps.owner);
  return { lesson: lesson.id, files };
}

/** Saves files into a folder of the workspace (relative names already validated). */
export async function saveFiles(deps: LessonFolderDeps, home: string, folder: string, files: Record<string, string>): Promise<void> {
  await ensureDirBeneath(home, folder, deps.owner);
  for (const [name, content] of Object.entries(files)) {
    await writeFileBeneath(home, `${folder}/${name}`, content, deps.owner);
  }
}
