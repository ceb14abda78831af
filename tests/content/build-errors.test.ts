/**
 * The site build refuses a malformed lesson, and says where: a real
 * `astro build` of a small copy of the project (astro.config.mjs, src/, one
 * chapter: the lesson and the pages it inherits files from) with one thing broken at a time, asserting that it
 * fails and that its output names the file and the field.
 *
 * The unit tests check the schemas' own messages (tests/unit/server/exercise.test.ts);
 * this proves that they reach the build and stop it. Each failing build stops
 * in the content sync, before any page is bundled: about 2 s each on the lab's
 * 2-core machine. A last `astro sync` of the intact copy (about 2 s) shows that
 * the copy itself is sound, so each failure came from what the test broke.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHECKS_FILE, EXERCISE_DIR } from '../../src/lib/exercise.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const CONTENT = join(ROOT, 'content');
/** A failing build stops within seconds; this only guards against a hung one. */
const BUILD_TIMEOUT_MS = 120_000;
/** What the copy needs to build besides content/ (node_modules is linked, not copied). */
const PROJECT_FILES = ['astro.config.mjs', 'package.json', 'tsconfig.json', 'src'];

/** The first lesson (in name order) whose exercise has a command check: it serves both cases. */
function pickLesson(): string {
  for (const chapter of readdirSync(CONTENT).sort()) {
    const dir = join(CONTENT, chapter);
    if (!existsSync(join(dir, 'chapter.yaml'))) continue;
    for (const lesson of readdirSync(dir).sort()) {
      const checks = join(dir, lesson, EXERCISE_DIR, CHECKS_FILE);
      if (existsSync(checks) && (JSON.parse(readFileSync(checks, 'utf8')).commands ?? []).length > 0) return `${chapter}/${lesson}`;
    }
  }
  throw new Error('no lesson with an exercise that has a command check');
}

interface Build {
  status: number | null;
  output: string;
  ms: number;
}

describe('the site build fails on a malformed lesson, naming the file and the field', () => {
  const id = pickLesson();
  const chapter = id.split('/')[0];
  let project: string;
  let lessonDir: string;

  /** Runs the astro CLI in the copy (the Node running the tests: the lab's own, new enough for Astro). */
  const astro = (...args: string[]): Build => {
    const start = Date.now();
    const r = spawnSync(process.execPath, [join(project, 'node_modules/astro/bin/astro.mjs'), ...args], {
      cwd: project,
      encoding: 'utf8',
      timeout: BUILD_TIMEOUT_MS,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    return { status: r.status, output: `${r.stdout}${r.stderr}${r.error ? `\n${r.error.message}` : ''}`, ms: Date.now() - start };
  };
  const build = () => astro('build', '--outDir', join(project, 'dist'));
  /** Puts the lesson back as it is in content/. */
  const restore = () => {
    rmSync(lessonDir, { recursive: true, force: true });
    cpSync(join(CONTENT, id), lessonDir, { recursive: true });
  };
  /** Rewrites one file of the lesson's copy; the change must happen (a no-op would test nothing). */
  const edit = (name: string, change: (text: string) => string) => {
    const path = join(lessonDir, name);
    const old = readFileSync(path, 'utf8');
    const broken = change(old);
    assert.notEqual(broken, old, `the test could not break ${name}`);
    writeFileSync(path, broken);
  };

  before(() => {
    project = mkdtempSync(join(tmpdir(), 'lab-build-errors-'));
    for (const name of PROJECT_FILES) cpSync(join(ROOT, name), join(project, name), { recursive: true });
    // node_modules: a real folder of links to each package, so that what Astro and
    // Vite cache there (.astro/data-store.json, .vite/) stays in the copy.
    mkdirSync(join(project, 'node_modules'));
    for (const name of readdirSync(join(ROOT, 'node_modules'))) {
      if (!name.startsWith('.')) symlinkSync(join(ROOT, 'node_modules', name), join(project, 'node_modules', name));
    }
    // The whole chapter: a page inherits the starting files it lacks from the pages before it.
    cpSync(join(CONTENT, chapter), join(project, 'content', chapter), { recursive: true });
    // The claims ledger cites lessons of every chapter; the copy has one chapter, so an empty ledger.
    writeFileSync(join(project, 'content', 'claims.json'), '{"articles": [], "claims": []}\n');
    lessonDir = join(project, 'content', id);
    restore();
  });
  after(() => {
    if (project) rmSync(project, { recursive: true, force: true });
  });

  test(`frontmatter: no title and a string for order (${id})`, (t) => {
    restore();
    edit('index.mdx', (text) => text.replace(/^title: .*\n/m, '').replace(/^order: .*$/m, 'order: "first"'));
    const b = build();
    t.diagnostic(`astro build: ${b.ms} ms`);
    assert.notEqual(b.status, 0, `the build succeeded:\n${b.output}`);
    assert.ok(b.output.includes(`content/${id}/index.mdx`), `the file is not named:\n${b.output}`);
    assert.match(b.output, /^\W*title\W.*Required$/m, `the missing title is not named:\n${b.output}`);
    assert.match(b.output, /^\W*order\W.*number.*string/m, `the wrong type of order is not named:\n${b.output}`);
  });

  test(`${EXERCISE_DIR}/${CHECKS_FILE}: a string for a command's exit status (${id})`, (t) => {
    restore();
    edit(join(EXERCISE_DIR, CHECKS_FILE), (text) => {
      const checks = JSON.parse(text);
      checks.commands[0].exit = 'zero';
      return JSON.stringify(checks, null, 2);
    });
    const b = build();
    t.diagnostic(`astro build: ${b.ms} ms`);
    assert.notEqual(b.status, 0, `the build succeeded:\n${b.output}`);
    const file = `content/${id}/${EXERCISE_DIR}/${CHECKS_FILE}`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    assert.match(b.output, new RegExp(`${file}: commands\\.0\\.exit: .*expected number`), `the file and the field are not named:\n${b.output}`);
  });

  test(`files: a starting file that neither the page nor an earlier one has (${id})`, (t) => {
    restore();
    edit('index.mdx', (text) => text.replace(/^files: \[(.*)\]$/m, "files: [$1, 'notes-nowhere.txt']"));
    const b = build();
    t.diagnostic(`astro build: ${b.ms} ms`);
    assert.notEqual(b.status, 0, `the build succeeded:\n${b.output}`);
    assert.ok(
      b.output.includes(
        `Lesson "${id}" lists the starting file "notes-nowhere.txt", but neither content/${id}/files/notes-nowhere.txt nor an earlier page of its chapter has it.`,
      ),
      `the lesson and the file are not named:\n${b.output}`,
    );
  });

  test('control: the intact copy passes the content sync', (t) => {
    restore();
    const s = astro('sync');
    t.diagnostic(`astro sync: ${s.ms} ms`);
    assert.equal(s.status, 0, s.output);
  });
});
