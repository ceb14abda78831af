/**
 * The lessons the server knows: the manifest the site build writes
 * (dist/lessons.json, generated from the content collection's schema in
 * src/content.config.ts) plus each lesson's starting files from
 * content/<id>/files/, or from an earlier page of its chapter for a file the
 * page does not have itself (src/lib/starting-files.ts, the resolution the
 * manifest was built with). The manifest is read once at start-up and checked
 * against its schema (src/lib/protocol.ts), so a stale or hand-edited one
 * fails loudly instead of serving lessons with missing fields; so does a
 * starting file that no page has.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LessonManifestSchema, type ManifestLesson } from '../src/lib/protocol.ts';
import { ownStartingFiles, resolveStartingFiles, startingFilePath, type StartingFile } from '../src/lib/starting-files.ts';

/** A lesson as the manifest lists it (its schema: src/lib/protocol.ts). */
export type Lesson = ManifestLesson;

export interface Lessons {
  get(id: string): Lesson | undefined;
  all(): Lesson[];
  /** The lesson's starting files, in tab order. */
  startingFiles(lesson: Lesson): Promise<Array<{ name: string; content: string }>>;
}

export const MANIFEST_NAME = 'lessons.json';

export function loadLessons(siteDir: string, contentDir: string): Lessons {
  const path = join(siteDir, MANIFEST_NAME);
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch {
    throw new Error(`lesson manifest ${path} is missing: build the site first (npm run build)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    throw new Error(`lesson manifest ${path} is not JSON (${(err as Error).message}): build the site again`);
  }
  const parsed = LessonManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`lesson manifest ${path} does not match its schema at ${issue.path.join('.') || 'the top'}: ${issue.message}; build the site again`);
  }
  const manifest = parsed.data;
  const byId = new Map(manifest.lessons.map((l) => [l.id, l]));
  // The manifest lists the lessons in reading order: each chapter's pages, in order, resolve as at build time.
  const chapters = new Map<string, Lesson[]>();
  for (const l of manifest.lessons) {
    const chapter = l.chapter ?? l.id.split('/')[0];
    chapters.set(chapter, [...(chapters.get(chapter) ?? []), l]);
  }
  const sources = new Map<string, StartingFile[]>();
  for (const pages of chapters.values()) {
    const resolved = resolveStartingFiles(pages.map((l) => ({ id: l.id, files: l.files, own: ownStartingFiles(contentDir, l.id) })));
    for (const [id, files] of resolved) sources.set(id, files);
  }
  return {
    get: (id) => byId.get(id),
    all: () => [...byId.values()],
    async startingFiles(lesson) {
      return Promise.all(
        (sources.get(lesson.id) ?? []).map(async (file) => ({
          name: file.name,
          content: await readFile(startingFilePath(contentDir, file), 'utf8'),
        })),
      );
    },
  };
}
