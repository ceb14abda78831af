/**
 * Which of the learner's files a path in toolchain output names, if any.
 *
 * The go command shortens paths below its working directory (`./main.go:6:13`
 * in -m output), the compiler's -S listing keeps them absolute
 * (`/home/learner/go-run/what-go-run-does/main.go:5`), and the standard
 * library's own files (`/usr/local/go/src/fmt/print.go`) are not the
 * learner's. The lesson id is the folder's name below the sandbox home, so an
 * absolute path is the learner's when it ends in `/<lesson id>/<file>`.
 */
export function learnerFile(path: string, files: readonly string[], lesson: string): string | null {
  const rel = path.replace(/^\.\//, '');
  if (files.includes(rel)) return rel;
  if (!path.startsWith('/')) return null;
  const marker = `/${lesson}/`;
  const at = path.lastIndexOf(marker);
  if (at < 0) return null;
  const name = path.slice(at + marker.length);
  return files.includes(name) ? name : null;
}
