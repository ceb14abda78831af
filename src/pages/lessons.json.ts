/**
 * dist/lessons.json: the lesson manifest the server reads at start-up
 * (server/lessons.ts), in reading order. `files` is each lesson's resolved tab
 * list (inherited ones too); the contents stay in content/, and the server
 * finds each file's page with the same resolution (src/lib/starting-files.ts).
 */
import type { APIRoute } from 'astro';
import { chapterOf, getLessonsInOrder, getStartingFiles } from '../lib/lessons.ts';
import { LessonManifestSchema } from '../lib/protocol.ts';

export const GET: APIRoute = async () => {
  const starting = await getStartingFiles();
  const lessons = (await getLessonsInOrder()).map((lesson) => ({
    id: lesson.id,
    title: lesson.data.title,
    chapter: chapterOf(lesson),
    order: lesson.data.order,
    run: lesson.data.run,
    cgo: lesson.data.cgo,
    files: starting.get(lesson.id)!.map((f) => f.name),
    exercise: lesson.data.exercise !== undefined,
  }));
  // Checked against the schema the server reads it with: a mismatch fails the build, not the server.
  return new Response(JSON.stringify(LessonManifestSchema.parse({ lessons }), null, 2) + '\n', {
    headers: { 'Content-Type': 'application/json' },
  });
};
