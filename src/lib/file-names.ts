/**
 * The rule for a file name a learner or an author gives: relative, forward
 * slashes, no way out of its folder, nothing a terminal shows misleadingly.
 * One home for the rule: the wire schemas (src/lib/protocol.ts), the server's
 * artifact names and the content collection's starting files use it.
 */

/** Longest accepted file name (whole relative path), in bytes. */
export const MAX_FILE_NAME_BYTES = 255;
/** Deepest accepted nesting of a file name (a/b/c/d has depth 4). */
export const MAX_FILE_DEPTH = 8;

const utf8 = new TextEncoder();

/** Why `name` is not an acceptable relative file name, or null when it is. */
export function fileNameProblem(name: string): string | null {
  if (name.length === 0) return 'a file name is empty';
  // First: the answers below quote the name, and an answer must not echo a huge one back.
  if (utf8.encode(name).length > MAX_FILE_NAME_BYTES) return `file name ${JSON.stringify(name.slice(0, 40))}… is longer than ${MAX_FILE_NAME_BYTES} bytes`;
  if (name.includes('\0')) return `file name ${JSON.stringify(name)} contains a NUL byte`;
  if (name.includes('\\')) return `file name ${JSON.stringify(name)} contains a backslash`;
  if (name.startsWith('/')) return `file name ${JSON.stringify(name)} is absolute`;
  const parts = name.split('/');
  if (parts.includes('..')) return `file name ${JSON.stringify(name)} contains ".."`;
  if (parts.some((p) => p === '' || p === '.')) return `file name ${JSON.stringify(name)} has an empty or "." path segment`;
  if (parts.length > MAX_FILE_DEPTH) return `file name ${JSON.stringify(name)} is nested deeper than ${MAX_FILE_DEPTH} levels`;
  // Control characters make names that terminals and editors show misleadingly.
  if (/[\x00-\x1f\x7f]/.test(name)) return `file name ${JSON.stringify(name)} contains a control character`;
  return null;
}
