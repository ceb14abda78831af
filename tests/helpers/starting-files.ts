/**
 * Lessons' starting files for tests, straight from content/ (no site build
 * needed): each chapter's pages in reading order, their `files:` from the
 * frontmatter, resolved with the function the build and the server use
 * (src/lib/starting-files.ts), so an inherited file is where the server finds it.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ownStartingFiles, resolveStartingFiles, startingFilePath, type StartingFile } from '../../src/lib/starting-files.ts';

export const CONTENT_DIR = join(import.meta.dirname, '..', '..', 'content');

interface Frontmatter {
  order: number;
  files?: string[];
}

function frontmatter(id: string): Frontmatter {
  const text = readFileSync(join(CONTENT_DIR, id, 'index.mdx'), 'utf8');
  const m = text.match(/^---\n([\s\S]*?)\n---/);
  if (!m) throw new Error(`content/${id}/index.mdx has no frontmatter`);
  return parse(m[1]) as Frontmatter;
}

let cache: Map<string, StartingFile[]> | undefined;

/** Every lesson's resolved starting files (lesson id -> tab order with sources). */
export function allStartingFiles(): Map<string, StartingFile[]> {
  if (cache) return cache;
  cache = new Map();
  for (const chapter of readdirSync(CONTENT_DIR).sort()) {
    if (!existsSync(join(CONTENT_DIR, chapter, 'chapter.yaml'))) continue;
    const pages = readdirSync(join(CONTENT_DIR, chapter))
      .filter((p) => existsSync(join(CONTENT_DIR, chapter, p, 'index.mdx')))
      .map((p) => ({ id: `${chapter}/${p}`, fm: frontmatter(`${chapter}/${p}`) }))
      // Reading order, as src/lib/lessons.ts sorts.
      .sort((a, b) => a.fm.order - b.fm.order || a.id.localeCompare(b.id));
    const resolved = resolveStartingFiles(pages.map((p) => ({ id: p.id, files: p.fm.files, own: ownStartingFiles(CONTENT_DIR, p.id) })));
    for (const [id, files] of resolved) cache.set(id, files);
  }
  return cache;
}

/** A lesson's starting files as the `files` of a Run or a check (relative name -> content). */
export function startingFilesOf(id: string): Record<string, string> {
  const files = allStartingFiles().get(id);
  if (!files) throw new Error(`no lesson ${id} under content/`);
  return Object.fromEntries(files.map((f) => [f.name, readFileSync(startingFilePath(CONTENT_DIR, f), 'utf8')]));
}
