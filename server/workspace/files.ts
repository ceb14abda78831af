/**
 * Validation of what clients send as files: names and contents.
 * Nothing from a request reaches the file system before passing here.
 */
import { MAX_FILES } from '../../src/lib/protocol.ts';
import { HttpError } from '../http/errors.ts';

/** Longest accepted file name (whole relative path), in bytes. */
export const MAX_FILE_NAME_BYTES = 255;
/** Deepest accepted nesting of a file name (a/b/c/d has depth 4). */
export const MAX_FILE_DEPTH = 8;

/** Why `name` is not an acceptable relative file name, or null when it is. */
export function fileNameProblem(name: string): string | null {
  if (name.length === 0) return 'a file name is empty';
  if (name.includes('\0')) return `file name ${JSON.stringify(name)} contains a NUL byte`;
  if (name.includes('\\')) return `file name ${JSON.stringify(name)} contains a backslash`;
  if (name.startsWith('/')) return `file name ${JSON.stringify(name)} is absolute`;
  if (Buffer.byteLength(name) > MAX_FILE_NAME_BYTES) return `file name ${JSON.stringify(name.slice(0, 40))}… is longer than ${MAX_FILE_NAME_BYTES} bytes`;
  const parts = name.split('/');
  if (parts.includes('..')) return `file name ${JSON.stringify(name)} contains ".."`;
  if (parts.some((p) => p === '' || p === '.')) return `file name ${JSON.stringify(name)} has an empty or "." path segment`;
  if (parts.length > MAX_FILE_DEPTH) return `file name ${JSON.stringify(name)} is nested deeper than ${MAX_FILE_DEPTH} levels`;
  // Control characters make names that terminals and editors show misleadingly.
  if (/[\x00-\x1f\x7f]/.test(name)) return `file name ${JSON.stringify(name)} contains a control character`;
  return null;
}

/**
 * Checks a `files` object from a request body: an object of name -> string,
 * at most MAX_FILES entries, each name valid, each content at most maxFileBytes.
 */
export function validateFiles(value: unknown, maxFileBytes: number): Record<string, string> {
  if (value === undefined) throw new HttpError(400, 'missing field "files" (an object of file name -> contents)');
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new HttpError(400, '"files" must be an object of file name -> contents');
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_FILES) throw new HttpError(400, `too many files: ${entries.length} (at most ${MAX_FILES})`);
  const files: Record<string, string> = {};
  for (const [name, content] of entries) {
    const problem = fileNameProblem(name);
    if (problem) throw new HttpError(400, problem);
    if (typeof content !== 'string') throw new HttpError(400, `contents of ${JSON.stringify(name)} must be a string`);
    if (Buffer.byteLength(content) > maxFileBytes) {
      throw new HttpError(413, `${JSON.stringify(name)} is larger than ${maxFileBytes} bytes`);
    }
    files[name] = content;
  }
  return files;
}
