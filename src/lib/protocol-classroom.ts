/**
 * The classroom's part of the wire protocol (docs/api.md, "Classes"):
 * teachers, classes, assignments, learners, submissions, progress and the
 * live events, as zod schemas with the types inferred from them, like the
 * rest of the protocol in protocol.ts. The server checks every classroom
 * request body with these (server/http/json.ts's parseInput: the first
 * problem, as `{"error": ...}` with status 400); the browser checks every
 * answer and event with them (src/client/wire.ts). A module of its own so a
 * lesson page that never talks to a class does not carry these schemas.
 *
 * Ids are opaque strings. Times are ISO 8601 strings (UTC). Errors are
 * `{"error": "..."}` with a 4xx/5xx status, as everywhere else; a thing the
 * caller may not know exists answers 404, never 403.
 */
import { z } from 'zod';
import { CheckResultSchema, FilesSchema } from './protocol.ts';

/** Cookies: a signed-in teacher, and a learner who joined a class (both HttpOnly, SameSite=Lax). */
export const TEACHER_COOKIE = 'lab_teacher';
export const LEARNER_COOKIE = 'lab_learner';

// ------------------------------------------------------- limits of the fields
// Characters are code points (an emoji is one), counted after displayText's
// normalization. The server's other classroom limits (how many of a thing one
// teacher or class may hold, body sizes) are in server/classroom/limits.ts.

export const MAX_EMAIL_CHARS = 254;
export const MIN_PASSWORD_CHARS = 10;
/** Longer passwords are refused rather than hashed: the KDF's input stays small. */
export const MAX_PASSWORD_CHARS = 200;
export const MAX_TEACHER_NAME_CHARS = 80;
export const MAX_CLASS_NAME_CHARS = 80;
export const MAX_LEARNER_NAME_CHARS = 40;
export const MAX_ASSIGNMENT_TITLE_CHARS = 120;
export const MAX_OVERRIDE_COMMENT_CHARS = 1000;
export const MAX_LESSONS_PER_ASSIGNMENT = 20;

// ------------------------------------------------------------ display texts

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

const codePoint = (ch: string) => `U+${ch.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * A display text (name, title, comment) in its stored form: NFC (one spelling
 * for "é"), trimmed, every run of white space (spaces of every width,
 * no-break spaces; tabs are controls, refused) one plain space, then
 * minChars..maxChars characters. A FORBIDDEN character is refused with words
 * that name the field and the character.
 */
export function displayText(field: string, maxChars: number, minChars = 1) {
  return z.string({ error: `missing field "${field}" (a string)` }).transform((value, ctx) => {
    const nfc = value.normalize('NFC').trim();
    for (const [pattern, what] of FORBIDDEN) {
      const m = pattern.exec(nfc);
      if (m) {
        ctx.addIssue({ code: 'custom', message: `"${field}" contains ${what} (${codePoint(m[0])}); remove it` });
        return z.NEVER;
      }
    }
    const shown = nfc.replace(/\s+/gu, ' ');
    const length = [...shown].length;
    if (length < minChars) ctx.addIssue({ code: 'custom', message: `"${field}" must not be empty` });
    else if (length > maxChars) ctx.addIssue({ code: 'custom', message: `"${field}" is longer than ${maxChars} characters` });
    return shown;
  });
}

/** What every request body is: a JSON object (arrays, strings and null are not). */
const body = <T extends z.core.$ZodLooseShape>(shape: T) => z.object(shape, { error: 'the request body must be a JSON object' });

/** A required, non-empty string (codes, ids; checked further by the server). */
const required = (field: string) => z.string({ error: `missing field "${field}" (a string)` }).min(1, `missing field "${field}" (a string)`);

/** An optional true/false field. */
const flag = (field: string) => z.boolean({ error: `"${field}" must be true or false` }).optional();

// ------------------------------------------------------------------ teachers

/** An email address, trimmed and lower-cased (the account's key). Only its shape is checked. */
const EmailSchema = z
  .string({ error: 'missing field "email" (a string)' })
  .trim()
  .toLowerCase()
  .max(MAX_EMAIL_CHARS, `"email" is longer than ${MAX_EMAIL_CHARS} characters`)
  .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, '"email" is not an email address (name@example.org)');

/** A password as typed (never trimmed); `rules`: the length rule of a new password too. */
const password = (rules: boolean) =>
  required('password')
    .refine((p) => [...p].length <= MAX_PASSWORD_CHARS, `"password" is longer than ${MAX_PASSWORD_CHARS} characters`)
    .refine((p) => !rules || [...p].length >= MIN_PASSWORD_CHARS, `"password" must have at least ${MIN_PASSWORD_CHARS} characters`);

/** Body of `POST /api/teacher/signup`. */
export const SignupRequestSchema = body({
  email: EmailSchema,
  password: password(true),
  name: displayText('name', MAX_TEACHER_NAME_CHARS),
});

/** Body of `POST /api/teacher/login`. */
export const LoginRequestSchema = body({ email: EmailSchema, password: password(false) });

/** The answer of signup, login and `GET /api/teacher/me`. */
export const TeacherInfoSchema = z.object({ id: z.string(), email: z.string(), name: z.string() });
export type TeacherInfo = z.infer<typeof TeacherInfoSchema>;

// ------------------------------------------------------------------- classes

/** Body of `POST /api/classes`. */
export const ClassCreateRequestSchema = body({ name: displayText('name', MAX_CLASS_NAME_CHARS) });

/** The answer of `POST /api/classes`. */
export const ClassCreatedSchema = z.object({ id: z.string(), joinCode: z.string() });
export type ClassCreated = z.infer<typeof ClassCreatedSchema>;

/**
 * `GET /api/classes`: the signed-in teacher's classes. `joinCode` is null while joining is closed;
 * an `archived` class takes no joins and no submissions (its code comes back when it is restored).
 */
export const ClassSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  joinCode: z.string().nullable(),
  learners: z.number().int(),
  assignments: z.number().int(),
  createdAt: z.string(),
  archived: z.boolean(),
});
export type ClassSummary = z.infer<typeof ClassSummarySchema>;

/** `PATCH /api/classes/{id}` body: rename, archive or restore; answers the ClassSummary. `DELETE` removes the class with everything in it. */
export const ClassUpdateRequestSchema = body({
  name: displayText('name', MAX_CLASS_NAME_CHARS).optional(),
  archived: flag('archived'),
}).refine((b) => b.name !== undefined || b.archived !== undefined, 'nothing to change: send "name" and/or "archived"');
export type ClassUpdateRequest = z.input<typeof ClassUpdateRequestSchema>;

/** A learner of a class as the teacher sees it (the recovery code too: the teacher can hand it out again). */
export const ClassLearnerSchema = z.object({ id: z.string(), name: z.string(), recoveryCode: z.string(), joinedAt: z.string() });
export type ClassLearner = z.infer<typeof ClassLearnerSchema>;

/** `POST /api/classes/{id}/join-code` body: a new code, or no code (joining closed); answers JoinCodeAnswer. */
export const JoinCodeRequestSchema = body({ action: z.enum(['rotate', 'close'], { error: '"action" must be "rotate" or "close"' }) });
export const JoinCodeAnswerSchema = z.object({ joinCode: z.string().nullable() });
export type JoinCodeAnswer = z.infer<typeof JoinCodeAnswerSchema>;

/** The answer of `POST /api/classes/{id}/learners/{learnerId}/recovery-code`: the learner's new code. */
export const RecoveryCodeAnswerSchema = z.object({ recoveryCode: z.string() });
export type RecoveryCodeAnswer = z.infer<typeof RecoveryCodeAnswerSchema>;

// --------------------------------------------------------------- assignments

/** Late policy: `accept` counts a late submission as any other; `mark` counts it and marks it late. */
const LatePolicySchema = z.enum(['accept', 'mark'], { error: '"latePolicy" must be "accept" or "mark"' });
export type LatePolicy = z.infer<typeof LatePolicySchema>;

/**
 * An assignment's lesson ids: 1..MAX_LESSONS_PER_ASSIGNMENT. The server then
 * checks each against its lessons (unknown, without an exercise, listed twice).
 */
const AssignmentLessonsSchema = z
  .array(z.string({ error: '"lessons" must hold lesson ids (strings)' }), { error: '"lessons" must be a non-empty array of lesson ids' })
  .min(1, '"lessons" must be a non-empty array of lesson ids')
  .check((ctx) => {
    const n = ctx.value.length;
    if (n > MAX_LESSONS_PER_ASSIGNMENT) {
      ctx.issues.push({ code: 'custom', message: `"lessons" has ${n} lessons (at most ${MAX_LESSONS_PER_ASSIGNMENT})`, input: ctx.value });
    }
  });

/**
 * A due time: an ISO 8601 date-time with a time zone (Z or an offset), as Unix
 * ms after parsing. Without a zone it would mean different moments to
 * different people.
 */
const DueSchema = z
  .string({ error: '"due" must be an ISO 8601 time with a time zone, e.g. 2026-03-01T17:00:00Z' })
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/, '"due" must be an ISO 8601 time with a time zone, e.g. 2026-03-01T17:00:00Z')
  .refine((d) => !Number.isNaN(Date.parse(d)), '"due" must be an ISO 8601 time with a time zone, e.g. 2026-03-01T17:00:00Z')
  .transform((d) => Date.parse(d));

/** `POST /api/classes/{id}/assignments` body (no due time and late policy `mark` when absent); answers AssignmentCreated. */
export const AssignmentCreateRequestSchema = body({
  title: displayText('title', MAX_ASSIGNMENT_TITLE_CHARS),
  lessons: AssignmentLessonsSchema,
  due: DueSchema.nullish(),
  latePolicy: LatePolicySchema.nullish(),
});
export type AssignmentCreateRequest = z.input<typeof AssignmentCreateRequestSchema>;
export const AssignmentCreatedSchema = z.object({ id: z.string() });
export type AssignmentCreated = z.infer<typeof AssignmentCreatedSchema>;

/**
 * An `archived` assignment is kept for the record (grid, CSV) but hidden from learners and takes no
 * submissions. The server always sends `archived`; it is optional for values made before it existed.
 */
export const AssignmentSchema = z.object({
  id: z.string(),
  classId: z.string(),
  title: z.string(),
  lessons: z.array(z.string()),
  due: z.string().nullable(),
  latePolicy: LatePolicySchema,
  createdAt: z.string(),
  archived: z.boolean().optional(),
});
export type Assignment = z.infer<typeof AssignmentSchema>;

/**
 * `PATCH /api/classes/{id}/assignments/{assignmentId}` body: only the fields sent change (`due: null`
 * removes the due time). A lesson left out of `lessons` loses its submissions. Answers AssignmentUpdated.
 */
export const AssignmentUpdateRequestSchema = body({
  title: displayText('title', MAX_ASSIGNMENT_TITLE_CHARS).optional(),
  lessons: AssignmentLessonsSchema.optional(),
  due: DueSchema.nullable().optional(),
  latePolicy: LatePolicySchema.optional(),
  archived: flag('archived'),
});
export type AssignmentUpdateRequest = z.input<typeof AssignmentUpdateRequestSchema>;

/** The answer of an assignment's PATCH: the Assignment, and how many submissions went with lessons left out. */
export const AssignmentUpdatedSchema = AssignmentSchema.extend({ removedSubmissions: z.number().int() });
export type AssignmentUpdated = z.infer<typeof AssignmentUpdatedSchema>;

/** `GET /api/classes/{id}`: one class with its assignments and learners. */
export const ClassDetailSchema = ClassSummarySchema.omit({ assignments: true, learners: true }).extend({
  assignments: z.array(AssignmentSchema),
  learners: z.array(ClassLearnerSchema),
});
export type ClassDetail = z.infer<typeof ClassDetailSchema>;

// ------------------------------------------------------------------ learners

/** Body of `POST /api/join`: the class's join code and the learner's display name. */
export const JoinRequestSchema = body({ code: required('code'), name: displayText('name', MAX_LEARNER_NAME_CHARS) });
/** Body of `POST /api/recover`. */
export const RecoverRequestSchema = body({ recoveryCode: required('recoveryCode') });

/** The answer of `POST /api/join` (it sets the learner cookie) and `POST /api/recover`. */
export const JoinResultSchema = z.object({
  learnerId: z.string(),
  classId: z.string(),
  className: z.string(),
  name: z.string(),
  recoveryCode: z.string(),
});
export type JoinResult = z.infer<typeof JoinResultSchema>;

/**
 * A learner's status on one exercise of an assignment (the grid's cell):
 * `not-started` never submitted; `pending` submitted, nothing graded yet.
 */
const SubmissionStatusSchema = z.enum(['pass', 'fail', 'error', 'not-started', 'pending']);
export type SubmissionStatus = z.infer<typeof SubmissionStatusSchema>;
/** The statuses a column's `counts` holds (cells still `pending` are counted apart). */
const CountedStatusSchema = z.enum(['pass', 'fail', 'error', 'not-started']);
export type CountedStatus = z.infer<typeof CountedStatusSchema>;

/** `GET /api/me/assignments`: the joined learner's class, assignments and own status. */
export const MyAssignmentsSchema = z.object({
  learner: z.object({ id: z.string(), name: z.string(), classId: z.string(), className: z.string() }),
  assignments: z.array(
    AssignmentSchema.extend({
      exercises: z.array(
        z.object({
          lesson: z.string(),
          title: z.string(),
          status: SubmissionStatusSchema,
          late: z.boolean(),
          submittedAt: z.string().nullable(),
          submissionId: z.string().nullable(),
          pending: z.boolean().describe("A submission waits for its grade (the status is then the counted one's, or `pending`)"),
        }),
      ),
    }),
  ),
});
export type MyAssignments = z.infer<typeof MyAssignmentsSchema>;

/**
 * `GET /api/me/progress`: the learner's done lessons (✓), kept on the server so
 * they follow the learner to another browser. `PUT /api/me/progress?lesson=ID`
 * marks one done (a lesson stays done; its first time is kept) and answers the same.
 */
export const LearnerProgressSchema = z.object({
  learnerId: z.string(),
  done: z.array(z.object({ lesson: z.string(), doneAt: z.string() })),
});
export type LearnerProgress = z.infer<typeof LearnerProgressSchema>;

/** The answer of `PUT /api/me/files?lesson=ID` (its body: SaveFilesRequest, replacing the stored copy). */
export const LearnerFilesSavedSchema = z.object({ lesson: z.string(), savedAt: z.string() });
export type LearnerFilesSaved = z.infer<typeof LearnerFilesSavedSchema>;

/**
 * `GET /api/me/files?lesson=ID`: the learner's copy of the lesson's files (`files` and `savedAt`
 * null when none was saved yet), and the lesson's starting files, so a browser can tell a fresh
 * workspace (nothing of the learner's in it yet) from one with work of its own.
 */
export const LearnerFilesSchema = z.object({
  lesson: z.string(),
  files: z.record(z.string(), z.string()).nullable(),
  savedAt: z.string().nullable(),
  startingFiles: z.record(z.string(), z.string()),
});
export type LearnerFiles = z.infer<typeof LearnerFilesSchema>;

// --------------------------------------------------------------- submissions

/** Body of `POST /api/assignments/{id}/submissions`: one of the assignment's lessons and the files to grade. */
export const SubmitRequestSchema = body({ lesson: required('lesson'), files: FilesSchema });

/**
 * The 202 answer of a submission: stored (durably) and queued for grading; the
 * grade comes later, from `GET /api/submissions/{id}/events` (or `GET /api/submissions/{id}`).
 */
export const SubmissionAcceptedSchema = z.object({ submissionId: z.string(), pending: z.literal(true), late: z.boolean() });
export type SubmissionAccepted = z.infer<typeof SubmissionAcceptedSchema>;

/** One submission, as its learner or their teacher sees it (`GET /api/submissions/{id}`). */
export const SubmissionSchema = z.object({
  id: z.string(),
  assignmentId: z.string(),
  learnerId: z.string(),
  lesson: z.string(),
  files: z.record(z.string(), z.string()),
  result: CheckResultSchema,
  pending: z.boolean().optional().describe('Present (true) while the checks still run: `result` is then a placeholder, not a grade'),
  late: z.boolean(),
  createdAt: z.string(),
  override: z
    .object({ status: z.enum(['pass', 'fail']), comment: z.string() })
    .nullable()
    .describe("A teacher's override of the status, with a comment"),
});
export type Submission = z.infer<typeof SubmissionSchema>;

/** A submission without its files: a line of a learner's history, and what the submission's event stream sends. */
export const SubmissionInfoSchema = SubmissionSchema.omit({ files: true });
export type SubmissionInfo = z.infer<typeof SubmissionInfoSchema>;

/**
 * `GET /api/classes/{id}/learners/{learnerId}/submissions?assignmentId=&lesson=`:
 * the learner's submissions, newest first (at most MAX_HISTORY_SUBMISSIONS).
 */
export const SubmissionHistorySchema = z.object({
  learnerId: z.string(),
  name: z.string(),
  submissions: z.array(SubmissionInfoSchema),
  truncated: z.boolean(),
});
export type SubmissionHistory = z.infer<typeof SubmissionHistorySchema>;

/** `POST /api/submissions/{id}/override` body; `status: null` removes the override. Answers the Submission. */
export const OverrideRequestSchema = body({
  status: z.enum(['pass', 'fail'], { error: '"status" must be "pass", "fail" or null (no override)' }).nullable(),
  comment: displayText('comment', MAX_OVERRIDE_COMMENT_CHARS, 0).nullish(),
});
export type OverrideRequest = z.input<typeof OverrideRequestSchema>;

/** `POST /api/classes/{id}/regrade` body (all of the class's counted submissions when empty); answers RegradeResult. */
export const RegradeRequestSchema = body({
  assignmentId: z.string({ error: '"assignmentId" must be a string' }).optional(),
  lesson: required('lesson').optional(),
});
export type RegradeRequest = z.input<typeof RegradeRequestSchema>;
export const RegradeResultSchema = z.object({ regraded: z.number().int(), changed: z.number().int(), errors: z.number().int() });
export type RegradeResult = z.infer<typeof RegradeResultSchema>;

// ------------------------------------------------------------------- results

/** One cell of the results grid: the counted submission (the last before the due time, else the last). */
export const ResultCellSchema = z.object({
  status: SubmissionStatusSchema,
  late: z.boolean(),
  overridden: z.boolean(),
  flagged: z.boolean().describe("The grader flagged the counted submission's code for review (CheckResult.review)"),
  submissionId: z.string().nullable(),
  submissions: z.number().int(),
  pending: z.boolean().describe('A submission of this cell waits for its grade (newer than the counted one, or the only kind there is)'),
});
export type ResultCell = z.infer<typeof ResultCellSchema>;

/** `GET /api/classes/{id}/results`: learners x (assignment, lesson) columns. */
export const ResultsGridSchema = z.object({
  class: z.object({ id: z.string(), name: z.string() }),
  columns: z.array(
    z.object({
      assignmentId: z.string(),
      assignmentTitle: z.string(),
      lesson: z.string(),
      lessonTitle: z.string(),
      archived: z.boolean(),
      counts: z.record(CountedStatusSchema, z.number().int()).describe("How many of the column's cells have each status"),
      pending: z.number().int().describe('Cells with nothing graded yet (status `pending`)'),
    }),
  ),
  rows: z.array(z.object({ learnerId: z.string(), name: z.string(), cells: z.array(ResultCellSchema) })),
});
export type ResultsGrid = z.infer<typeof ResultsGridSchema>;

// -------------------------------------------------------------------- events

/**
 * Server-Sent Events of `GET /api/classes/{id}/events` (the teacher's live
 * grid): `event: submission` with a ClassSubmissionEvent when a submission is
 * stored, graded or overridden; `event: change` with a ClassChangeEvent when
 * the class, its learners or assignments changed (read the class again);
 * `event: deleted` when the class is gone. A stream ends after a while and
 * the browser reconnects by itself: read the grid again then (events may
 * have been missed between).
 */
export const ClassSubmissionEventSchema = z.object({
  submissionId: z.string(),
  learnerId: z.string(),
  assignmentId: z.string(),
  lesson: z.string(),
  status: z.enum(['pending', 'pass', 'fail', 'error']),
});
export type ClassSubmissionEvent = z.infer<typeof ClassSubmissionEventSchema>;
const ClassChangeEventSchema = z.object({ what: z.enum(['class', 'learners', 'assignments']) });
export type ClassChangeEvent = z.infer<typeof ClassChangeEventSchema>;
/** The event names of the class stream (for EventSource listeners). */
export const CLASS_EVENT_TYPES = ['submission', 'change', 'deleted'] as const;
// `GET /api/submissions/{id}/events` (its learner or teacher): `event: submission` with a
// SubmissionInfo at once and again when graded; the stream ends after the grade.
