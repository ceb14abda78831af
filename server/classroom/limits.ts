/**
 * Limits of the classroom (server/classroom/), as named constants next to
 * nothing else: how large a request may be and how much one teacher or class
 * may hold. The rates and session lifetimes are in server/config.ts (the
 * environment can change them).
 */

/** JSON body of every classroom request except a submission (which carries files: MAX_SUBMISSION_BODY_BYTES). */
export const CLASSROOM_BODY_BYTES = 16 * 1024;

/**
 * Classes, learners, assignments. The limits of a request's fields (names,
 * titles, email, password, lessons per assignment) are in the wire schemas
 * (src/lib/protocol-classroom.ts).
 */
export const MAX_CLASSES_PER_TEACHER = 100;
export const MAX_LEARNERS_PER_CLASS = 200;
export const MAX_ASSIGNMENTS_PER_CLASS = 200;
/**
 * One stored submission: its files' contents together (UTF-8 bytes) and how
 * many files. The largest exercise's workspace with its solution is 1.4 KB
 * in 4 files (content/deployment/binary-to-service), the most files 6
 * (content/packages/what-is-in-a-package): 64 KiB is 45 times the largest
 * (some 1,500 lines of Go), 16 files room for a learner's own. Each learner
 * may store MAX_SUBMISSIONS_PER_EXERCISE of them per exercise, so this bounds
 * a learner's share of the database (before: a whole 1 MiB request each).
 */
export const MAX_SUBMISSION_BYTES = 64 * 1024;
export const MAX_SUBMISSION_FILES = 16;
/**
 * The request body of a submission: its files as JSON, where escapes can make
 * contents up to about 4 times longer (tabs and newlines take 2 bytes, other
 * controls 6), and the other fields. Anything larger is refused unread (413);
 * what fits is measured exactly (MAX_SUBMISSION_BYTES), with a clearer message.
 */
export const MAX_SUBMISSION_BODY_BYTES = 4 * MAX_SUBMISSION_BYTES + CLASSROOM_BODY_BYTES;
/** Submissions one learner may make for one exercise of one assignment (each stores up to a body of files). */
export const MAX_SUBMISSIONS_PER_EXERCISE = 100;
/**
 * Submissions of one learner waiting for their grade at once (grading-queue.ts).
 * A learner pressing Submit now and then has one or two waiting; this is the
 * backstop against a script queueing gradings without end (each costs a
 * sandbox run). The queue takes learners in turns, so even a learner at the
 * cap does not hold back the others.
 */
export const MAX_PENDING_PER_LEARNER = 10;
/** Retry-After of a submission refused by MAX_PENDING_PER_LEARNER: about what grading a few takes. */
export const PENDING_CAP_RETRY_SECONDS = 10;
/** Submissions one history answer lists (newest first): 100 per exercise, so one exercise's whole history fits. */
export const MAX_HISTORY_SUBMISSIONS = 200;

/**
 * Join codes: this many characters of CODE_ALPHABET: 31^8, about 8.5e11 codes
 * (39 bits). With 10,000 open classes a guess finds one with odds of 1 in
 * 85 million; with the guessing limits below (code-guard.ts) that is years
 * of guessing from thousands of addresses. Six characters (8.9e8) were
 * 1000 times easier. Eight still fit on a board and in a child's typing.
 */
export const JOIN_CODE_LENGTH = 8;
/** Codes of this length were given out before JOIN_CODE_LENGTH grew: they keep working until the teacher rotates them. */
export const LEGACY_JOIN_CODE_LENGTH = 6;

/**
 * Wrong join and recovery codes of all addresses together (code-guard.ts): a
 * burst, then this many a minute. A lab server's classes mistype far fewer;
 * past it, each address that sends a wrong code is shut out for
 * GUESSING_PENALTY_MS (refused right codes too), so many addresses guessing
 * together get one guess each per penalty. The per-address limit is in
 * server/config.ts (CODE_ATTEMPTS_BURST, CODE_ATTEMPTS_PER_MINUTE).
 */
export const GLOBAL_CODE_FAILURES_BURST = 100;
export const GLOBAL_CODE_FAILURES_PER_MINUTE = 30;
export const GUESSING_PENALTY_MS = 2 * 60_000;
/** Addresses the code guard remembers (about 100 bytes each). */
export const MAX_GUARDED_ADDRESSES = 100_000;
/** Recovery codes: groups of characters of the same alphabet, e.g. ABCD-EFGH-JKMN-PQRS (about 79 bits). */
export const RECOVERY_CODE_GROUPS = 4;
export const RECOVERY_CODE_GROUP_LENGTH = 4;
/** Letters and digits that cannot be misread for one another: no 0/O, 1/I/L. */
export const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
/** Tries to draw a code not already in use before giving up (a collision is already rare). */
export const CODE_DRAW_ATTEMPTS = 8;

/**
 * A learner's copy of one lesson's files on the server (progress-routes.ts):
 * the same work a submission holds, so the same bounds (MAX_SUBMISSION_BYTES,
 * MAX_SUBMISSION_FILES, and the body refused unread past
 * MAX_SUBMISSION_BODY_BYTES). There is one copy per learner and lesson, and
 * only lessons the server knows: a learner holds at most lessons x 64 KiB.
 */
export const MAX_LEARNER_FILES_BYTES = MAX_SUBMISSION_BYTES;
export const MAX_LEARNER_FILES_COUNT = MAX_SUBMISSION_FILES;
export const MAX_LEARNER_FILES_BODY_BYTES = MAX_SUBMISSION_BODY_BYTES;
