/**
 * A site directory whose lesson manifest (the build's lessons.json) says that
 * some lessons have no exercise. Every lesson of the course has one, so API
 * tests of "a lesson without an exercise" start a server on this copy; the
 * API needs only the manifest (static pages are not served from it).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MANIFEST_NAME } from '../../server/lessons.ts';

const ROOT = join(import.meta.dirname, '..', '..');

export function siteWithoutExercises(...lessonIds: string[]): { dir: string; remove(): void } {
  const dist = process.env.SITE_DIR ?? join(ROOT, 'dist');
  const manifest = JSON.parse(readFileSync(join(dist, MANIFEST_NAME), 'utf8')) as { lessons: Array<{ id: string; exercise: boolean }> };
  for (const id of lessonIds) {
    const lesson = manifest.lessons.find((l) => l.id === id);
    if (!lesson?.exercise) throw new Error(`${id} is not a lesson with an exercise in ${dist}/${MANIFEST_NAME}`);
    lesson.exercise = false;
  }
  const dir = mkdtempSync(join(tmpdir(), 'lab-site-'));
  writeFileSync(join(dir, MANIFEST_NAME), JSON.stringify(manifest));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
