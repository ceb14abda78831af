/**
 * A lesson's exercise as the server runs it: its checks, hidden test files
 * and solution, read from content/<lesson>/exercise/ (validated at site build
 * time by src/content.config.ts, and again here with the same schema).
 * Nothing here is ever served as a file.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { CHECKS_FILE, EXERCISE_DIR, SOLUTION_DIR, TESTS_DIR, parseExerciseChecks, type CommandCheck } from '../src/lib/exercise.ts';

export interface Exercise {
  /** Hidden test files: name -> content, and the test functions each declares. */
  tests: Array<{ name: string; content: string; testNames: string[] }>;
  commands: CommandCheck[];
  /** The solution's files (relative name -> content). */
  solution: Record<string, string>;
}

/** Test functions a _test.go file declares (what must pass; a test that never ran fails). */
export function declaredTests(source: string): string[] {
  return [...source.matchAll(/^func (Test[A-Za-z0-9_]*)\(\s*\w+\s+\*testing\.T\s*\)/gm)].map((m) => m[1]);
}

export async function loadExercise(contentDir: string, lessonId: string): Promise<Exercise> {
  const dir = join(contentDir, lessonId, EXERCISE_DIR);
  const checks = parseExerciseChecks(await readFile(join(dir, CHECKS_FILE), 'utf8'), `content/${lessonId}/${EXERCISE_DIR}/${CHECKS_FILE}`);
  const tests = await Promise.all(checks.tests.map(async (name) => {
    const content = await readFile(join(dir, TESTS_DIR, name), 'utf8');
    return { name, content, testNames: declaredTests(content) };
  }));
  const solution: Record<string, string> = {};
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.isDirectory()) await walk(join(d, e.name));
      else solution[relative(join(dir, SOLUTION_DIR), join(d, e.name))] = await readFile(join(d, e.name), 'utf8');
    }
  };
  await walk(join(dir, SOLUTION_DIR));
  return { tests, commands: checks.commands, solution };
}
