/**
 * File inheritance between the pages of a chapter (as in TutorialKit): a page
 * needs its own `files/` only for what differs from the page before it. A
 * starting file a page lists but does not have in its own `files/` folder is
 * the nearest earlier page's of the same chapter that has it; a page without
 * `files:` in its frontmatter lists what the page before it lists.
 *
 * One resolution for everyone who needs a page's starting files: the content
 * build (src/content.config.ts refuses a file that no page has), the manifest
 * (src/pages/lessons.json.ts: the tab list), the server (server/lessons.ts:
 * where each file is read from, for the workspace and Reset) and the tests.
 * resolveStartingFiles is pure; ownStartingFiles reads a page's folder.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** The folder of a page (content/<chapter>/<page>/) that holds its own starting files. */
export const FILES_DIR = 'files';
/** The starting files of a chapter's first page that lists none. */
export const DEFAULT_STARTING_FILES: readonly string[] = ['main.go', 'go.mod'];

/** One page of a chapter, as the resolution needs it. */
export interface ChapterPage {
  /** The lesson id, `<chapter>/<page>`. */
  id: string;
  /** Its `files:` (tab order), or undefined: the previous page's list. */
  files?: readonly string[];
  /** The names below its own files/ folder (relative, `/`-separated). */
  own: readonly string[];
}

/** A starting file and the page whose files/ folder holds it. */
export interface StartingFile {
  name: string;
  /** The lesson id of the page it is read from: content/<from>/files/<name>. */
  from: string;
}

/**
 * Every page's starting files, in tab order, each with the page it comes
 * from. `pages` is one chapter in reading order. Throws an Error naming the
 * page and the file when a listed file is in neither its folder nor an
 * earlier page's, or when a page lists a file twice.
 */
export function resolveStartingFiles(pages: readonly ChapterPage[]): Map<string, StartingFile[]> {
  const resolved = new Map<string, StartingFile[]>();
  /** Where each name is found so far: the nearest page that has it. */
  const available = new Map<string, string>();
  let previous: readonly string[] = DEFAULT_STARTING_FILES;
  for (const page of pages) {
    for (const name of page.own) available.set(name, page.id);
    const names = page.files ?? previous;
    if (new Set(names).size !== names.length) throw new Error(`Lesson "${page.id}" lists a starting file twice: ${names.join(', ')}`);
    resolved.set(
      page.id,
      names.map((name) => {
        const from = available.get(name);
        if (from === undefined) {
          throw new Error(
            `Lesson "${page.id}" lists the starting file "${name}", but neither content/${page.id}/${FILES_DIR}/${name} nor an earlier page of its chapter has it.`,
          );
        }
        return { name, from };
      }),
    );
    previous = names;
  }
  return resolved;
}

/** The names below content/<id>/files/ (none when the page has no such folder), `/`-separated, sorted. */
export function ownStartingFiles(contentDir: string, id: string): string[] {
  const root = join(contentDir, id, FILES_DIR);
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

/** The path of a resolved starting file below the content folder. */
export function startingFilePath(contentDir: string, file: StartingFile): string {
  return join(contentDir, file.from, FILES_DIR, file.name);
}
