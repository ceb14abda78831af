/**
 * Pure helpers of the classroom pages: times between the wire (ISO UTC) and
 * the learner's or teacher's local time, and a status as words and a symbol.
 * No DOM here, so tests/unit/client/classroom-format.test.ts can run them.
 */
import type { SubmissionStatus } from '../../lib/protocol-classroom.ts';
import { classroomUi } from '../../lib/ui-strings-classroom.ts';

/**
 * The value of an <input type=datetime-local> ("2026-03-01T17:30", local time,
 * no zone) as an ISO UTC time; null when empty. Throws on anything else, so a
 * bad value is never sent as "no due time".
 */
export function localInputToIso(value: string): string | null {
  const v = value.trim();
  if (!v) return null;
  // Only the input's own shapes: a date with hours and minutes (seconds optional).
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(v)) throw new RangeError(classroomUi.badDue);
  // A date-time without an offset is local time (ECMAScript Date.parse).
  const t = new Date(v);
  if (Number.isNaN(t.getTime())) throw new RangeError(classroomUi.badDue);
  return t.toISOString();
}

/** An ISO time in the reader's local time zone, e.g. "3 Mar 2026, 17:30". */
export function localTime(iso: string, locale?: string): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(t);
}

/** The due line of an assignment: "due …", "was due …" once passed, or "no due time". */
export function dueText(due: string | null, now: Date = new Date(), locale?: string): string {
  if (!due) return classroomUi.noDue;
  const when = localTime(due, locale);
  return new Date(due).getTime() < now.getTime() ? classroomUi.duePassed(when) : classroomUi.due(when);
}

/** A status in words with its symbol, plus the late and override marks when they apply. */
export function statusText(status: SubmissionStatus, late = false, overridden = false): string {
  const parts = [classroomUi.status[status] ?? status];
  if (late) parts.push(classroomUi.lateMark);
  if (overridden) parts.push(classroomUi.overriddenMark);
  return parts.join(' · ');
}

/** Lesson titles may carry `code` spans; plain text drops the backticks. */
export function plainTitle(title: string): string {
  return title.replaceAll('`', '');
}
