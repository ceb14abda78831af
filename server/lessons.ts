/**
 * The lessons the server knows: the manifest the site build writes
 * (dist/lessons.json, generated from the content collection's schema in
 * src/content.config.ts) plus each lesson's starting files from
 * content/<id>/files/. The manifest is read once at start-up.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface Lesson {
  id: string;
  title: string;
  /** The Run button's command. */
  run: string;
  cgo: boolean;
  /** Starting file names, in tab order. */
  files: string[];
  /** The lesson has an exercise (its checks: content/<id>/exercise/, server/exercises.ts). */
  exercise: boolean;
}

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
  const manifest = JSON.parse(raw) as { lessons?: Lesson[] };
  if (!Array.isArray(manifest.lessons)) throw new Error(`${path} has no "lessons" array`);
  const byId = new Map(manifest.lessons.map((l) => [l.id, l]));
  return {
    get: (id) => byId.get(id),
    all: () => [...byId.values()],
    async startingFiles(lesson) {
      return Promise.all(lesson.files.map(async (name) => ({
        name,
        content: await readFile(join(contentDir, lesson.id, 'files', name), 'utf8'),
      })));
    },
  };
}
