/**
 * A lesson's exercise as the server runs it: its command checks and hidden
 * test files, read from content/<lesson>/exercise/ (validated at site build
 * time by src/content.config.ts, and again here with the same schema). Read
 * once per lesson: content does not change while the server runs. Nothing here
 * is ever served as a file; the solution is the page's business.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CHECKS_FILE, EXERCISE_DIR, TESTS_DIR, parseExerciseChecks, type CommandCheck } from '../../src/lib/exercise.ts';

export interface Exercise {
  /** Hidden test files: name -> content, and the test functions each declares. */
  tests: Array<{ name: string; content: string; testNames: string[] }>;
  commands: CommandCheck[];
}

/** Test functions a _test.go file declares (what must pass; a test that never ran fails). */
export function declaredTests(source: string): string[] {
  return [...source.matchAll(/^func (Test[A-Za-z0-9_]*)\(\s*\w+\s+\*testing\.T\s*\)/gm)].map((m) => m[1]);
}

const loaded = new Map<string, Promise<Exercise>>();

export function loadExercise(contentDir: string, lessonId: string): Promise<Exercise> {
  const dir = join(contentDir, lessonId, EXERCISE_DIR);
  let exercise = loaded.get(dir);
  if (!exercise) {
    exercise = readExercise(dir, lessonId);
    // A failed read is not kept: the next check tries again.
    exercise.catch(() => loaded.delete(dir));
    loaded.set(dir, exercise);
  }
  return exercise;
}

async function readExercise(dir: string, lessonId: string): Promise<Exercise> {
  const checks = parseExerciseChecks(await readFile(join(dir, CHECKS_FILE), 'utf8'), `content/${lessonId}/${EXERCISE_DIR}/${CHECKS_FILE}`);
  const tests = await Promise.all(
    checks.tests.map(async (name) => {
      const content = await readFile(join(dir, TESTS_DIR, name), 'utf8');
      return { name, content, testNames: declaredTests(content) };
    }),
  );
  return { tests, commands: checks.commands };
}
