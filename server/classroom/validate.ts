/**
 * The classroom's rules beyond a request's shape (which the wire schemas of
 * src/lib/protocol-classroom.ts check): when two learner names are the same,
 * and whether checked files fit one stored submission.
 */
import { HttpError } from '../http/errors.ts';
import { MAX_SUBMISSION_BYTES, MAX_SUBMISSION_FILES } from './limits.ts';

/**
 * What two names are compared by (learners of one class may not share one):
 * compatibility forms folded (NFKC: full-width "Ａda" is "Ada", the ligature
 * "ﬁ" is "fi") and case folded. Letters of other scripts that merely look
 * alike (Cyrillic "а" and Latin "a") stay different.
 */
export function nameKey(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

/** Files checked by their schema and fileSizes (workspace/files.ts) that fit one stored submission: 413 naming the limit and the size when not. */
export function submissionSize(files: Record<string, string>): Record<string, string> {
  const names = Object.keys(files);
  if (names.length > MAX_SUBMISSION_FILES) {
    throw new HttpError(413, `a submission holds at most ${MAX_SUBMISSION_FILES} files; these are ${names.length} (submit only the exercise's files)`);
  }
  const bytes = names.reduce((n, name) => n + Buffer.byteLength(files[name]), 0);
  if (bytes > MAX_SUBMISSION_BYTES) {
    throw new HttpError(
      413,
      `a submission holds at most ${MAX_SUBMISSION_BYTES / 1024} KiB of files; these are ${Math.ceil(bytes / 1024)} KiB (remove what the exercise does not need)`,
    );
  }
  return files;
}
