/** Build-time helpers over the content collections (used by pages, never by the browser). */
import { join } from 'node:path';
import { getCollection, type CollectionEntry } from 'astro:content';
import { ownStartingFiles, resolveStartingFiles, type StartingFile } from './starting-files.ts';

export type Lesson = CollectionEntry<'lessons'>;
export type Chapter = CollectionEntry<'chapters'>;

export interface ChapterWithLessons {
  chapter: Chapter;
  lessons: Lesson[];
}

/** `go-run/what-go-run-does` -> `go-run`. */
export function chapterOf(lesson: Lesson): string {
  return lesson.id.split('/')[0] ?? lesson.id;
}

/** `go-run/what-go-run-does` -> `what-go-run-does`. */
export function slugOf(lesson: Lesson): string {
  return lesson.id.split('/').slice(1).join('/');
}

export function lessonUrl(lesson: Lesson): string {
  return `/${lesson.id}/`;
}

const byOrder = (a: { data: { order: number }; id: string }, b: { data: { order: number }; id: string }) =>
  a.data.order - b.data.order || a.id.localeCompare(b.id);

/** Chapters in order, each with its lessons in order. Fails when a lesson has no chapter.yaml. */
export async function getCurriculum(): Promise<ChapterWithLessons[]> {
  const chapters = (await getCollection('chapters')).sort(byOrder);
  const lessons = (await getCollection('lessons')).sort(byOrder);
  const known = new Set(chapters.map((c) => c.id));
  for (const lesson of lessons) {
    if (!known.has(chapterOf(lesson))) {
      throw new Error(`Lesson "${lesson.id}" is in content/${chapterOf(lesson)}/, which has no chapter.yaml.`);
    }
  }
  return chapters.map((chapter) => ({
    chapter,
    lessons: lessons.filter((l) => chapterOf(l) === chapter.id),
  }));
}

/** Every lesson in reading order (chapter order, then lesson order). */
export async function getLessonsInOrder(): Promise<Lesson[]> {
  return (await getCurriculum()).flatMap((c) => c.lessons);
}

/** Each lesson's starting files, in tab order, with the page each is read from (inherited across a chapter: src/lib/starting-files.ts). */
export async function getStartingFiles(): Promise<Map<string, StartingFile[]>> {
  const contentDir = join(process.cwd(), 'content');
  const out = new Map<string, StartingFile[]>();
  for (const { lessons } of await getCurriculum()) {
    const resolved = resolveStartingFiles(lessons.map((l) => ({ id: l.id, files: l.data.files, own: ownStartingFiles(contentDir, l.id) })));
    for (const [id, files] of resolved) out.set(id, files);
  }
  return out;
}
