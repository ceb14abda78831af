/**
 * What an exercise checks, and how a check's result looks: shared by the
 * content build (src/content.config.ts validates every lesson's checks), the
 * server (server/grading/exercise.ts loads them, server/api/check.ts runs them) and
 * the content test.
 *
 *   content/<lesson>/exercise/checks.json   which checks run (never served)
 *   content/<lesson>/exercise/tests/*.go    hidden go test files (never served)
 *   content/<lesson>/exercise/solution/     the files the solution changes (shown on request)
 *   content/<lesson>/exercise/wrong/<case>/ answers that look right but are not (the content suite expects each to fail)
 *
 * The task and hints are public: they are in the lesson's frontmatter.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/** A check that runs a command in the lesson folder: its exit status and output decide. */
export const commandCheckSchema = z.object({
  /** What the learner sees for this check. */
  name: z.string().min(1),
  /** A shell command line, run like a Run's in the lesson folder (after the hidden tests are in place). */
  run: z.string().min(1),
  /** Expected exit status. */
  exit: z.number().int().min(0).max(255).default(0),
  /** A JavaScript regular expression (flag m) stdout+stderr must match. */
  expect: z
    .string()
    .refine(
      (s) => {
        try {
          new RegExp(s, 'm');
          return true;
        } catch {
          return false;
        }
      },
      { message: 'must be a valid JavaScript regular expression' },
    )
    .optional(),
});

export const exerciseChecksSchema = z
  .object({
    /** Hidden test files in exercise/tests/ (names ending in _test.go), copied into the lesson folder after the learner's files. */
    tests: z.array(z.string().regex(/^[A-Za-z0-9_.-]+_test\.go$/, 'a test file name ending in _test.go, no directories')).default([]),
    commands: z.array(commandCheckSchema).default([]),
  })
  .strict()
  .refine((c) => c.tests.length + c.commands.length > 0, { message: 'an exercise needs at least one test file or command check' });

export type CommandCheck = z.infer<typeof commandCheckSchema>;
export type ExerciseChecks = z.infer<typeof exerciseChecksSchema>;

/** The folder names inside a lesson's exercise/ folder. */
export const EXERCISE_DIR = 'exercise';
export const CHECKS_FILE = 'checks.json';
export const TESTS_DIR = 'tests';
export const SOLUTION_DIR = 'solution';
/** Counter-cases: each `wrong/<case>/` holds files that change the starting files into a plausible wrong answer. */
export const WRONG_DIR = 'wrong';

/** Validates checks.json text; throws an Error naming the file and the field. */
export function parseExerciseChecks(text: string, where: string): ExerciseChecks {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`${where}: not valid JSON (${(err as Error).message})`);
  }
  const parsed = exerciseChecksSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`).join('; ');
    throw new Error(`${where}: ${issues}`);
  }
  return parsed.data;
}

/**
 * A lesson with `exercise` in its frontmatter has exercise/checks.json (valid),
 * every hidden test it names, and a non-empty solution/; a lesson without one
 * has no exercise/ folder (it would be silently ignored). Throws an Error that
 * names the lesson, the file and the field; run by the content build.
 */
export function checkExerciseFolder(contentDir: string, id: string, declared: boolean): void {
  const dir = join(contentDir, id, EXERCISE_DIR);
  const where = `content/${id}/${EXERCISE_DIR}`;
  if (!declared) {
    if (existsSync(dir)) throw new Error(`Lesson "${id}" has ${where}/ but no \`exercise\` in its frontmatter.`);
    return;
  }
  if (!existsSync(join(dir, CHECKS_FILE))) throw new Error(`Lesson "${id}" declares an exercise, but ${where}/${CHECKS_FILE} does not exist.`);
  const checks = parseExerciseChecks(readFileSync(join(dir, CHECKS_FILE), 'utf8'), `${where}/${CHECKS_FILE}`);
  for (const name of checks.tests) {
    if (!existsSync(join(dir, TESTS_DIR, name))) {
      throw new Error(`${where}/${CHECKS_FILE}: tests lists "${name}", but ${where}/${TESTS_DIR}/${name} does not exist.`);
    }
  }
  const solution = join(dir, SOLUTION_DIR);
  if (!existsSync(solution) || readdirSync(solution).length === 0) {
    throw new Error(`Lesson "${id}" declares an exercise, but ${where}/${SOLUTION_DIR}/ is missing or empty.`);
  }
  const wrong = join(dir, WRONG_DIR);
  if (existsSync(wrong)) {
    for (const name of readdirSync(wrong)) {
      if (readdirSync(join(wrong, name)).length === 0) throw new Error(`${where}/${WRONG_DIR}/${name}/ is empty: a wrong answer changes at least one file.`);
    }
  }
}
