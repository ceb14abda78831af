/**
 * dist/lessons.json: the lesson manifest the server reads at start-up
 * (server/lessons.ts). The starting files' contents stay in content/<id>/files/.
 */
import type { APIRoute } from 'astro';
import { chapterOf, getLessonsInOrder } from '../lib/lessons.ts';
import { LessonManifestSchema } from '../lib/protocol.ts';

export const GET: APIRoute = async () => {
  const lessons = (await getLessonsInOrder()).map((lesson) => ({
    id: lesson.id,
    title: lesson.data.title,
    chapter: chapterOf(lesson),
    order: lesson.data.order,
    run: lesson.data.run,
    cgo: lesson.data.cgo,
    files: lesson.data.files,
    exercise: lesson.data.exercise !== undefined,
  }));
  // Checked against the schema the server reads it with: a mismatch fails the build, not the server.
  return new Response(JSON.stringify(LessonManifestSchema.parse({ lessons }), null, 2) + '\n', {
    headers: { 'Content-Type': 'application/json' },
  });
};
