/**
 * Limits of the classroom (server/classroom/), as named constants next to
 * nothing else: what a request may carry and how much one teacher or class
 * may hold. The rates and session lifetimes are in server/config.ts (the
 * environment can change them).
 */

/** JSON body of every classroom request except a submission (which carries files: MAX_BODY_BYTES). */
export const CLASSROOM_BODY_BYTES = 16 * 1024;

/** Teacher accounts. */
export const MAX_EMAIL_CHARS = 254;
export const MIN_PASSWORD_CHARS = 10;
/** Longer passwords are refused rather than hashed: the KDF's input stays small. */
export const MAX_PASSWORD_CHARS = 200;
export const MAX_TEACHER_NAME_CHARS = 80;

/** Classes, learners, assignments. */
export const MAX_CLASS_NAME_CHARS = 80;
export const MAX_LEARNER_NAME_CHARS = 40;
export const MAX_ASSIGNMENT_TITLE_CHARS = 120;
export const MAX_OVERRIDE_COMMENT_CHARS = 1000;
export const MAX_CLASSES_PER_TEACHER = 100;
export const MAX_LEARNERS_PER_CLASS = 200;
export const MAX_ASSIGNMENTS_PER_CLASS = 200;
export const MAX_LESSONS_PER_ASSIGNMENT = 20;
/** Submissions one learner may make for one exercise of one assignment (each stores up to a body of files). */
export const MAX_SUBMISSIONS_PER_EXERCISE = 100;

/** Join codes: this many characters of JOIN_CODE_ALPHABET (31^6, about 8.9e8 codes). */
export const JOIN_CODE_LENGTH = 6;
/** Recovery codes: groups of characters of the same alphabet, e.g. ABCD-EFGH-JKMN-PQRS (about 79 bits). */
export const RECOVERY_CODE_GROUPS = 4;
export const RECOVERY_CODE_GROUP_LENGTH = 4;
/** Letters and digits that cannot be misread for one another: no 0/O, 1/I/L. */
export const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
/** Tries to draw a code not already in use before giving up (a collision is already rare). */
export const CODE_DRAW_ATTEMPTS = 8;
