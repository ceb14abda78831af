/** Checks of the classroom's request fields: each failure is a 400 that names the field and the rule. */
import { HttpError } from '../http/errors.ts';
import { MAX_EMAIL_CHARS, MAX_PASSWORD_CHARS, MAX_SUBMISSION_BYTES, MAX_SUBMISSION_FILES, MIN_PASSWORD_CHARS } from './limits.ts';

/**
 * Characters a display text may not hold, with the word the 400 uses for
 * them. A name is shown to a teacher in a grid, a CSV and dialogs: it must
 * look like what it is. So no controls (C0, DEL, C1, line and paragraph
 * separators), nothing that reorders the text around it (bidi embeddings,
 * overrides, isolates and marks: "Ann\u202Eevil" shows as "Annlive"), and
 * nothing invisible that makes two names look the same while they differ
 * (zero-width spaces and joiners, word joiner, BOM, soft hyphen, the Hangul
 * fillers that render as blanks). The last class is Unicode's general
 * category Cf ("format"), which holds all of the bidi and zero-width ones
 * and their relatives; lone surrogates (Cs) are broken text.
 */
const FORBIDDEN: ReadonlyArray<[RegExp, string]> = [
  [/[\p{Cc}\u2028\u2029]/u, 'a control character'],
  [/[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u, 'a direction-changing (bidi) character'],
  [/[\p{Cf}\u115F\u1160\u3164\uFFA0]/u, 'an invisible character'],
  [/\p{Cs}/u, 'a broken character (a lone UTF-16 surrogate)'],
];

const codePoint = (ch: string) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * A display text in its stored form: NFC (one spelling for "é"), trimmed,
 * every run of white space (tabs are refused above; this is spaces of every
 * width, no-break spaces) one plain space. Throws a 400 that names the field
 * and the character when it holds a FORBIDDEN one.
 */
export function displayText(field: string, value: string): string {
  const nfc = value.normalize('NFC').trim();
  for (const [pattern, what] of FORBIDDEN) {
    const m = pattern.exec(nfc);
    if (m) throw new HttpError(400, `"${field}" contains ${what} (${codePoint(m[0])}); remove it`);
  }
  return nfc.replace(/\s+/gu, ' ');
}

/**
 * What two names are compared by (learners of one class may not share one):
 * compatibility forms folded (NFKC: full-width "Ａda" is "Ada", the ligature
 * "ﬁ" is "fi") and case folded. Letters of other scripts that merely look
 * alike (Cyrillic "а" and Latin "a") stay different.
 */
export function nameKey(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

/** A display text (name, title): displayText, then minChars..maxChars characters (code points). */
export function text(body: Record<string, unknown>, field: string, maxChars: number, minChars = 1): string {
  const value = body[field];
  if (typeof value !== 'string') throw new HttpError(400, `missing field "${field}" (a string)`);
  const shown = displayText(field, value);
  const length = [...shown].length;
  if (length < minChars) throw new HttpError(400, `"${field}" must not be empty`);
  if (length > maxChars) throw new HttpError(400, `"${field}" is longer than ${maxChars} characters`);
  return shown;
}

/** An optional text; '' when absent. */
export function optionalText(body: Record<string, unknown>, field: string, maxChars: number): string {
  return body[field] === undefined || body[field] === null ? '' : text(body, field, maxChars, 0);
}

/** An email address, trimmed and lower-cased (the account's key). Only its shape is checked. */
export function email(body: Record<string, unknown>): string {
  const value = body.email;
  if (typeof value !== 'string') throw new HttpError(400, 'missing field "email" (a string)');
  const e = value.trim().toLowerCase();
  if (e.length > MAX_EMAIL_CHARS) throw new HttpError(400, `"email" is longer than ${MAX_EMAIL_CHARS} characters`);
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e)) throw new HttpError(400, '"email" is not an email address (name@example.org)');
  return e;
}

/** A password as typed (not trimmed); with `rules`, the length rules of a new password. */
export function password(body: Record<string, unknown>, rules: boolean): string {
  const value = body.password;
  if (typeof value !== 'string' || value === '') throw new HttpError(400, 'missing field "password" (a string)');
  const length = [...value].length;
  if (length > MAX_PASSWORD_CHARS) throw new HttpError(400, `"password" is longer than ${MAX_PASSWORD_CHARS} characters`);
  if (rules && length < MIN_PASSWORD_CHARS) throw new HttpError(400, `"password" must have at least ${MIN_PASSWORD_CHARS} characters`);
  return value;
}

/** An optional boolean field: undefined when absent, a 400 when it is anything but true or false. */
export function optionalBoolean(body: Record<string, unknown>, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw new HttpError(400, `"${field}" must be true or false`);
  return value;
}

/** A required string field, for codes and ids (checked further by the caller). */
export function str(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '') throw new HttpError(400, `missing field "${field}" (a string)`);
  return value;
}

/** Checked files (validateFiles) that fit one stored submission: 413 naming the limit and the size when not. */
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
