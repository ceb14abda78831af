/**
 * Validation of what clients send as files: names and contents.
 * Nothing from a request reaches the file system before passing here.
 */
import { FilesSchema } from '../../src/lib/protocol.ts';
import { HttpError } from '../http/errors.ts';
import { parseInput } from '../http/json.ts';

/**
 * Checks a `files` object from a request body against the wire's FilesSchema
 * (an object of name -> string, at most MAX_FILES entries, each name valid;
 * 400 naming the first problem), then each content against maxFileBytes (413).
 */
export function validateFiles(value: unknown, maxFileBytes: number): Record<string, string> {
  return fileSizes(parseInput(FilesSchema, value), maxFileBytes);
}

/** Files already checked by their schema, each at most maxFileBytes: a 413 naming the first that is larger. */
export function fileSizes(files: Record<string, string>, maxFileBytes: number): Record<string, string> {
  for (const [name, content] of Object.entries(files)) {
    if (Buffer.byteLength(content) > maxFileBytes) {
      throw new HttpError(413, `${JSON.stringify(name)} is larger than ${maxFileBytes} bytes`);
    }
  }
  return files;
}
