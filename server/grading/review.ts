/**
 * Which graded code a teacher should look at. The grader's verdicts cannot be
 * written by learner code (verdict.ts), short of code that inspects or
 * rewrites its own process: reading /proc/self/mem, unsafe pointers, raw
 * system calls, //go:linkname into the runtime or the testing package, cgo.
 * None of that is needed by an exercise whose own solution does not use it,
 * so a submission that reaches for it is flagged (not failed: a curious
 * learner may have a reason) with the words a teacher needs.
 *
 * The imports are read from the Go source itself (the import declarations
 * that follow the package clause), on the host: nothing here runs learner
 * code or believes anything a learner's program printed.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Packages that give a program power over its own process or the grader's
 * channels. `os` is here because reading /proc/self/mem, os.Exit and dup'ing
 * descriptors need it, and many exercises do not.
 */
export const POWERFUL_PACKAGES = new Set([
  'unsafe',
  'syscall',
  'os',
  'os/exec',
  'os/signal',
  'reflect',
  'runtime',
  'runtime/debug',
  'plugin',
  'golang.org/x/sys/unix',
  'C',
]);

/** Skips spaces and comments from `i`; returns the next position. */
function skipSpace(src: string, i: number): number {
  for (;;) {
    while (i < src.length && /\s/.test(src[i])) i++;
    if (src.startsWith('//', i)) {
      const end = src.indexOf('\n', i);
      i = end < 0 ? src.length : end + 1;
    } else if (src.startsWith('/*', i)) {
      const end = src.indexOf('*/', i + 2);
      i = end < 0 ? src.length : end + 2;
    } else {
      return i;
    }
  }
}

/** The import paths a Go file declares (its import declarations after the package clause). */
export function importsOf(src: string): string[] {
  const paths: string[] = [];
  let i = skipSpace(src, 0);
  const word = /[A-Za-z_][A-Za-z0-9_]*|\./y;
  const take = (): string | null => {
    word.lastIndex = i;
    const m = word.exec(src);
    if (!m) return null;
    i = word.lastIndex;
    return m[0];
  };
  const str = (): string | null => {
    const q = src[i];
    if (q !== '"' && q !== '`') return null;
    let j = i + 1;
    let out = '';
    while (j < src.length && src[j] !== q) {
      if (q === '"' && src[j] === '\\') {
        out += src[j + 1] ?? '';
        j += 2;
        continue;
      }
      out += src[j++];
    }
    i = j + 1;
    return out;
  };
  if (take() !== 'package') return paths;
  i = skipSpace(src, i);
  if (!take()) return paths;
  for (;;) {
    i = skipSpace(src, i);
    while (src[i] === ';') i = skipSpace(src, i + 1);
    const at = i;
    if (take() !== 'import') {
      i = at;
      return paths;
    }
    i = skipSpace(src, i);
    const spec = () => {
      i = skipSpace(src, i);
      if (src[i] !== '"' && src[i] !== '`') {
        take();
        i = skipSpace(src, i);
      }
      const p = str();
      if (p !== null) paths.push(p);
      return p !== null;
    };
    if (src[i] === '(') {
      i++;
      for (;;) {
        i = skipSpace(src, i);
        while (src[i] === ';') i = skipSpace(src, i + 1);
        if (src[i] === ')') {
          i++;
          break;
        }
        if (i >= src.length || !spec()) return paths;
      }
    } else if (!spec()) {
      return paths;
    }
  }
}

/** Go files of a directory tree (the exercise's own reference code). */
async function goFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await goFiles(path)));
    else if (e.name.endsWith('.go')) out.push(await readFile(path, 'utf8'));
  }
  return out;
}

const expected = new Map<string, Promise<Set<string>>>();

/**
 * What the lesson's starting files (`starting`: as the workspace gets them,
 * inherited ones too) and solution import: what the exercise needs.
 */
export function expectedImports(contentDir: string, lessonId: string, starting: () => Promise<Array<{ name: string; content: string }>>): Promise<Set<string>> {
  let set = expected.get(lessonId);
  if (!set) {
    set = (async () => {
      const startingGo = (await starting()).filter((f) => f.name.endsWith('.go')).map((f) => f.content);
      const sources = [...startingGo, ...(await goFiles(join(contentDir, lessonId, 'exercise', 'solution')))];
      return new Set(sources.flatMap(importsOf));
    })();
    expected.set(lessonId, set);
  }
  return set;
}

/**
 * Why a teacher should review these files, or undefined. `allowed`: what the
 * exercise itself imports. Test files count too (they are compiled into the
 * same test binary as the hidden tests).
 */
export function reviewReasons(files: Record<string, string>, allowed: Set<string>): string | undefined {
  const found = new Set<string>();
  let linkname = false;
  for (const [name, content] of Object.entries(files)) {
    if (!name.endsWith('.go')) continue;
    for (const p of importsOf(content)) if (POWERFUL_PACKAGES.has(p) && !allowed.has(p)) found.add(p);
    if (/^\s*\/\/go:linkname\b/m.test(content)) linkname = true;
  }
  const parts: string[] = [];
  if (found.size)
    parts.push(
      `imports ${[...found]
        .sort()
        .map((p) => `"${p}"`)
        .join(', ')}, which this exercise does not need`,
    );
  if (linkname) parts.push('uses //go:linkname');
  if (!parts.length) return undefined;
  return `review: the code ${parts.join(' and ')}; such code can interfere with how it is graded (docs/security.md, "Grading")`;
}
