/**
 * A lesson's folder in a learner's workspace: /home/learner/<lesson id>.
 * Created from the lesson's starting files on first use; after that the
 * learner owns it (editor saves, terminal commands) and only Reset rewrites
 * the starting files.
 */
import { MAX_BODY_BYTES, MAX_FILES, type LessonFiles, type WorkspaceFile, type WorkspaceListing } from '../../src/lib/protocol.ts';
import type { Lesson, Lessons } from '../lessons.ts';
import { SANDBOX_HOME } from './mounts.ts';
import { ensureDirBeneath, listTreeBeneath, pruneBeneath, readFileBeneath, writeFileBeneath, type Owner } from './beneath.ts';
import { fileNameProblem, MAX_FILE_DEPTH } from '../../src/lib/file-names.ts';

/** Entries a listing reports at most besides the starting files: as many as a Run or a save may send back. */
export const MAX_LISTED_FILES = MAX_FILES;
/** Directory entries a listing looks at at most (a folder of 100,000 files costs no more than this). */
export const MAX_LISTING_SCANNED = 2000;
/** Contents a listing carries at most, all files together: half a request body, so the editor can send them back with a Run. */
export const MAX_LISTING_CONTENT_BYTES = MAX_BODY_BYTES / 2;
/** Names the host itself makes in a folder for a moment (a save's temporary file, Reset's deep leftovers): never listed. */
const HOST_TEMP_PREFIX = '.lab-save-';

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
 * Everything in the lesson's folder, for the editor's tabs and Reset's list:
 * text files with their content (within MAX_FILE_BYTES each and
 * MAX_LISTING_CONTENT_BYTES together), binaries and oversized files by name
 * and size only, symlinks, FIFOs and the like by name only (never followed or
 * opened: see listTreeBeneath). Starting files first, in tab order, then the
 * rest by name. Null when the folder does not exist yet.
 */
export async function listLessonFolder(deps: LessonFolderDeps, ws: WorkspaceRef, lesson: Lesson): Promise<WorkspaceListing | null> {
  const starting = (await deps.lessons.startingFiles(lesson)).map((f) => f.name);
  const found = await listTreeBeneath(ws.home, lesson.id, {
    maxEntries: MAX_LISTED_FILES,
    maxScanned: MAX_LISTING_SCANNED,
    maxDepth: MAX_FILE_DEPTH,
    readUpTo: deps.maxFileBytes,
    readBudget: MAX_LISTING_CONTENT_BYTES,
    skip: (name) => name.startsWith(HOST_TEMP_PREFIX),
    priority: new Set(starting),
  });
  if (!found) return null;
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const files: WorkspaceFile[] = found.entries.map((e) => {
    const file: WorkspaceFile = { name: e.path, kind: 'other', bytes: e.bytes, starting: starting.includes(e.path) };
    if (e.kind === 'symlink' || e.kind === 'dir') file.kind = e.kind;
    else if (e.kind === 'file') {
      if (e.head?.includes(0)) file.kind = 'binary';
      else if (!e.content) file.kind = e.bytes > deps.maxFileBytes ? 'large' : 'unread';
      else {
        let text: string | null = null;
        // Text is what the editor can show and save back: UTF-8, no NUL byte, a name a save accepts.
        try {
          if (!e.content.includes(0) && !fileNameProblem(e.path)) text = utf8.decode(e.content);
        } catch {
          text = null;
        }
        if (text === null) file.kind = 'binary';
        else {
          file.kind = 'text';
          file.content = text;
        }
      }
    }
    return file;
  });
  const order = (f: WorkspaceFile) => (f.starting ? starting.indexOf(f.name) : starting.length);
  files.sort((a, b) => order(a) - order(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { lesson: lesson.id, files, truncated: found.truncated };
}

/**
 * Brings the folder back to exactly its starting files: everything else in
 * it (what the learner or a Try it block made) is removed (pruneBeneath).
 * Whatever the learner put in the way (the folder or a file swapped for a
 * symlink, a FIFO, a directory; a folder they cannot enter) is moved aside or
 * replaced, never followed: Reset always brings back a lesson that runs.
 */
export async function resetLessonFolder(deps: LessonFolderDeps, ws: WorkspaceRef, lesson: Lesson): Promise<LessonFiles> {
  const files = await deps.lessons.startingFiles(lesson);
  await ensureDirBeneath(ws.home, lesson.id, ws.owner, true);
  await pruneBeneath(ws.home, lesson.id, new Set(files.map((f) => f.name)));
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
