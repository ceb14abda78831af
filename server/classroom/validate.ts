/** Checks of the classroom's request fields: each failure is a 400 that names the field and the rule. */
import { BadRequestError } from '../workspace/files.ts';
import { MAX_EMAIL_CHARS, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS } from './limits.ts';

/** A display text (name, title): trimmed, minChars..maxChars characters, no control characters. */
export function text(body: Record<string, unknown>, field: string, maxChars: number, minChars = 1): string {
  const value = body[field];
  if (typeof value !== 'string') throw new BadRequestError(`missing field "${field}" (a string)`);
  const trimmed = value.trim().normalize('NFC');
  const length = [...trimmed].length;
  if (length < minChars) throw new BadRequestError(`"${field}" must not be empty`);
  if (length > maxChars) throw new BadRequestError(`"${field}" is longer than ${maxChars} characters`);
  if (/[\x00-\x1f\x7f]/.test(trimmed)) throw new BadRequestError(`"${field}" contains a control character`);
  return trimmed;
}

/** An optional text; '' when absent. */
export function optionalText(body: Record<string, unknown>, field: string, maxChars: number): string {
  return body[field] === undefined || body[field] === null ? '' : text(body, field, maxChars, 0);
}

/** An email address, trimmed and lower-cased (the account's key). Only its shape is checked. */
export function email(body: Record<string, unknown>): string {
  const value = body.email;
  if (typeof value !== 'string') throw new BadRequestError('missing field "email" (a string)');
  const e = value.trim().toLowerCase();
  if (e.length > MAX_EMAIL_CHARS) throw new BadRequestError(`"email" is longer than ${MAX_EMAIL_CHARS} characters`);
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e)) throw new BadRequestError('"email" is not an email address (name@example.org)');
  return e;
}

/** A password as typed (not trimmed); with `rules`, the length rules of a new password. */
export function password(body: Record<string, unknown>, rules: boolean): string {
  const value = body.password;
  if (typeof value !== 'string' || value === '') throw new BadRequestError('missing field "password" (a string)');
  const length = [...value].length;
  if (length > MAX_PASSWORD_CHARS) throw new BadRequestError(`"password" is longer than ${MAX_PASSWORD_CHARS} characters`);
  if (rules && length < MIN_PASSWORD_CHARS) throw new BadRequestError(`"password" must have at least ${MIN_PASSWORD_CHARS} characters`);
  return value;
}

/** A required string field, for codes and ids (checked further by the caller). */
export function str(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '') throw new BadRequestError(`missing field "${field}" (a string)`);
  return value;
}
