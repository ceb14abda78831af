/**
 * The wire protocol between the browser and the lab server.
 *
 * This is the single module both sides import (the server through
 * `../src/lib/protocol.ts`, the browser through Vite), so the event and
 * message shapes cannot drift apart. It must stay erasable TypeScript
 * (no enums, no namespaces, no parameter properties): Node runs the server's
 * .ts files directly with type stripping.
 */

// ---------------------------------------------------------------- run API

/** Body of `POST /api/run`. */
export interface RunRequest {
  /** File name (relative, forward slashes) -> contents. */
  files: Record<string, string>;
  /** A shell command line, run by the sandbox's shell (e.g. "go run ."). */
  command: string;
  /** Optional lesson id: run in that lesson's folder of the caller's session. */
  lesson?: string;
  /**
   * Relay the build phases of go commands (default true): the lab's go wrapper
   * adds -debug-trace and -debug-actiongraph (announced in a `command` event).
   * false runs the go command exactly as typed, a little faster, with no phase events.
   */
  observe?: boolean;
  /**
   * One output stream in the order the command wrote it, as a terminal shows
   * it (default false): stderr goes where stdout goes and all output arrives
   * as `stdout` events. Two separate streams cannot keep the order of writes
   * between them.
   */
  merge?: boolean;
}

/** Why a command ended. Later issues add more reasons; clients must tolerate unknown ones. */
export type ExitReason =
  | 'exited'
  | 'signaled'
  | 'timeout'
  | 'killed'
  | 'output-limit'
  | 'oom'
  | 'pids'
  | 'disk'
  | 'error';

export interface OutputEvent {
  type: 'stdout' | 'stderr';
  data: string;
}

export interface ExitEvent {
  type: 'exit';
  /** Exit status of the command (128 + signal number when killed by a signal). */
  code: number;
  reason: ExitReason;
  durationMs: number;
  /** A sentence for the learner when a limit or the lab stopped the command. */
  message?: string;
}

/** The command waits for a free runner (the machine is busy); `position` 1 = next. */
export interface QueuedEvent {
  type: 'queued';
  position: number;
}

/**
 * One line of the `application/x-ndjson` stream of `POST /api/run`.
 * Clients ignore event types they do not know (later issues add `phase`, `graph`, ...).
 */
export type RunEvent = OutputEvent | QueuedEvent | CommandEvent | PhaseEvent | GraphEvent | PhaseErrorEvent | CommandEndEvent | ExitEvent;

/** Every 4xx/5xx JSON body. */
export interface ErrorBody {
  error: string;
}

// ------------------------------------------------------------ workspace API

/**
 * `GET /api/workspace/files?lesson=ID` (creates the session and the lesson folder
 * from its starting files when missing), and the answer of
 * `POST /api/workspace/reset?lesson=ID` (restores the starting files).
 */
export interface LessonFiles {
  lesson: string;
  /** Tab order: the lesson's starting files first, as the lesson lists them. */
  files: Array<{ name: string; content: string }>;
}

/** Body of `PUT /api/workspace/files?lesson=ID`: save these files (others untouched). */
export interface SaveFilesRequest {
  files: Record<string, string>;
}

// ------------------------------------------------- workspace listing (issue 13)

/**
 * One entry of `GET /api/workspace/list?lesson=ID`: what is in the lesson's
 * folder, whoever made it (the editor, the terminal, a Try it block, a build).
 * `kind`: 'text' (UTF-8, no NUL byte, a name a save accepts: has `content`),
 * 'binary' (e.g. a built executable), 'large' (over the file size limit),
 * 'unread' (the listing's content budget ran out), 'symlink' (never followed),
 * 'dir' (empty, or deeper than the listing goes; name ends in '/'), 'other'
 * (a FIFO, socket or device: never opened).
 */
export interface WorkspaceFile {
  name: string;
  kind: 'text' | 'binary' | 'large' | 'unread' | 'symlink' | 'dir' | 'other';
  bytes: number;
  /** One of the lesson's starting files (Reset keeps and rewrites these; it removes the rest). */
  starting: boolean;
  content?: string;
}

/** Answer of `GET /api/workspace/list?lesson=ID`: starting files first in tab order, then the rest by name. */
export interface WorkspaceListing {
  lesson: string;
  files: WorkspaceFile[];
  /** More entries than the listing reports (the server's limits). */
  truncated: boolean;
}

// ---------------------------------------------------------- terminal socket

/** WebSocket path; query `lesson=<id>` picks the working directory. */
export const TERMINAL_PATH = '/api/terminal';

/** Browser -> server, one JSON text frame each. */
export type TerminalClientMessage =
  | { type: 'input'; data: string }
  | { type: 'resize'; cols: number; rows: number };

/** Server -> browser, one JSON text frame each. Clients ignore unknown types. */
export type TerminalServerMessage =
  | { type: 'output'; data: string }
  | CommandEvent
  | PhaseEvent
  | GraphEvent
  | PhaseErrorEvent
  | CommandEndEvent
  | { type: 'exit'; code: number; message?: string }
  | { type: 'error'; error: string };

// ------------------------------------------------------------------ check API

/** Body of `POST /api/check`: the learner's files for the lesson's exercise. */
export interface CheckRequest {
  lesson: string;
  /** File name (relative, forward slashes) -> contents, as in RunRequest. */
  files: Record<string, string>;
}

/** One check's result (Exercism's test runner results.json v3, per test). */
export interface CheckTestResult {
  name: string;
  status: 'pass' | 'fail' | 'error';
  /** Why it failed, for the learner. */
  message?: string;
  /** What the test or command printed (truncated). */
  output?: string;
}

/**
 * The answer of `POST /api/check` (results.json v3's shape): `error` when the
 * code did not compile or could not run (then `message` says why), `fail`
 * when any check failed or did not run, `pass` when all passed.
 */
export interface CheckResult {
  status: 'pass' | 'fail' | 'error';
  message?: string;
  tests: CheckTestResult[];
  /**
   * Set when the code reaches for things that could interfere with how it is
   * graded (unsafe, raw system calls, ...) that the exercise does not need:
   * the status stands, and a teacher sees why to look (server/grading/review.ts).
   */
  review?: string;
}

// -------------------------------------------------------------- classroom
// Teachers, classes, assignments and graded submissions (docs/api.md,
// "Classes"). Ids are opaque strings. Times are ISO 8601 strings (UTC).
// Errors are `{"error": "..."}` with a 4xx/5xx status, as everywhere else;
// a thing the caller may not know exists answers 404, never 403.

/** Cookies: a signed-in teacher, and a learner who joined a class (both HttpOnly, SameSite=Lax). */
export const TEACHER_COOKIE = 'lab_teacher';
export const LEARNER_COOKIE = 'lab_learner';

/** `POST /api/teacher/signup` body (`login` takes email and password only). */
export interface TeacherSignupRequest { email: string; password: string; name: string }
/** The answer of signup, login and `GET /api/teacher/me`. */
export interface TeacherInfo { id: string; email: string; name: string }

/** `POST /api/classes` body; answers ClassCreated. */
export interface ClassCreateRequest { name: string }
export interface ClassCreated { id: string; joinCode: string }
/**
 * `GET /api/classes`: the signed-in teacher's classes. `joinCode` is null while joining is closed;
 * an `archived` class takes no joins and no submissions (its code comes back when it is restored).
 */
export interface ClassSummary { id: string; name: string; joinCode: string | null; learners: number; assignments: number; createdAt: string; archived: boolean }
/** `PATCH /api/classes/{id}` body: rename, archive or restore; answers the ClassSummary. `DELETE` removes the class with everything in it. */
export interface ClassUpdateRequest { name?: string; archived?: boolean }

/** A learner of a class as the teacher sees it (the recovery code too: the teacher can hand it out again). */
export interface ClassLearner { id: string; name: string; recoveryCode: string; joinedAt: string }
/** `GET /api/classes/{id}`: one class with its assignments and learners. */
export interface ClassDetail extends Omit<ClassSummary, 'assignments' | 'learners'> { assignments: Assignment[]; learners: ClassLearner[] }
/** `POST /api/classes/{id}/join-code` body: a new code, or no code (joining closed); answers `{joinCode}`. */
export interface JoinCodeRequest { action: 'rotate' | 'close' }
/** `POST /api/submissions/{id}/override` body; `status: null` removes the override. Answers the Submission. */
export interface OverrideRequest { status: 'pass' | 'fail' | null; comment?: string }
/** `POST /api/classes/{id}/regrade` body (all of the class's counted submissions when empty); answers RegradeResult. */
export interface RegradeRequest { assignmentId?: string; lesson?: string }
export interface RegradeResult { regraded: number; changed: number; errors: number }

/** Late policy: `accept` counts a late submission as any other; `mark` counts it and marks it late. */
export type LatePolicy = 'accept' | 'mark';
/** `POST /api/classes/{id}/assignments` body; answers `{id}`. */
export interface AssignmentCreateRequest { title: string; lessons: string[]; due?: string; latePolicy?: LatePolicy }
/**
 * An `archived` assignment is kept for the record (grid, CSV) but hidden from learners and takes no
 * submissions. The server always sends `archived`; it is optional for values made before it existed.
 */
export interface Assignment { id: string; classId: string; title: string; lessons: string[]; due: string | null; latePolicy: LatePolicy; createdAt: string; archived?: boolean }
/**
 * `PATCH /api/classes/{id}/assignments/{assignmentId}` body: only the fields sent change (`due: null`
 * removes the due time). A lesson left out of `lessons` loses its submissions. Answers AssignmentUpdated.
 */
export interface AssignmentUpdateRequest { title?: string; lessons?: string[]; due?: string | null; latePolicy?: LatePolicy; archived?: boolean }
/** The answer of an assignment's PATCH: the Assignment, and how many submissions went with lessons left out. */
export interface AssignmentUpdated extends Assignment { removedSubmissions: number }

/** `POST /api/join` body; answers JoinResult and sets the learner cookie. */
export interface JoinRequest { code: string; name: string }
export interface JoinResult { learnerId: string; classId: string; className: string; name: string; recoveryCode: string }
/** `POST /api/recover` body: a learner on another computer gets back in (answers JoinResult with a new cookie). */
export interface RecoverRequest { recoveryCode: string }

/**
 * A learner's status on one exercise of an assignment (the grid's cell):
 * `not-started` never submitted; `pending` submitted, nothing graded yet.
 */
export type SubmissionStatus = 'pass' | 'fail' | 'error' | 'not-started' | 'pending';
/** The statuses a column's `counts` holds (cells still `pending` are counted apart). */
export type CountedStatus = Exclude<SubmissionStatus, 'pending'>;

/** `GET /api/me/assignments`: the joined learner's class, assignments and own status. */
export interface MyAssignments {
  learner: { id: string; name: string; classId: string; className: string };
  assignments: Array<Assignment & {
    /** `pending`: a submission waits for its grade (the status is then the counted one's, or `pending`). */
    exercises: Array<{ lesson: string; title: string; status: SubmissionStatus; late: boolean; submittedAt: string | null; submissionId: string | null; pending: boolean }>;
  }>;
}

/**
 * `GET /api/me/progress`: the learner's done lessons (✓), kept on the server so
 * they follow the learner to another browser. `PUT /api/me/progress?lesson=ID`
 * marks one done (a lesson stays done; its first time is kept) and answers the same.
 */
export interface LearnerProgress { learnerId: string; done: Array<{ lesson: string; doneAt: string }> }
/** `PUT /api/me/files?lesson=ID` body: the lesson's files, replacing the stored copy; answers LearnerFilesSaved. */
export interface LearnerFilesRequest { files: Record<string, string> }
export interface LearnerFilesSaved { lesson: string; savedAt: string }
/**
 * `GET /api/me/files?lesson=ID`: the learner's copy of the lesson's files (`files` and `savedAt`
 * null when none was saved yet), and the lesson's starting files, so a browser can tell a fresh
 * workspace (nothing of the learner's in it yet) from one with work of its own.
 */
export interface LearnerFiles { lesson: string; files: Record<string, string> | null; savedAt: string | null; startingFiles: Record<string, string> }

/** `POST /api/assignments/{id}/submissions` body (the CheckRequest shape); answers 202 SubmissionAccepted. */
export type SubmissionRequest = CheckRequest;
/**
 * A submission stored (durably) and queued for grading: the grade comes later,
 * from `GET /api/submissions/{id}/events` (or `GET /api/submissions/{id}`).
 */
export interface SubmissionAccepted { submissionId: string; pending: true; late: boolean }
/** The check's result for the frozen snapshot, plus its id and whether it came after the due time. */
export interface SubmissionResult extends CheckResult { submissionId: string; late: boolean }

/** One submission, as its learner or their teacher sees it (`GET /api/submissions/{id}`). */
export interface Submission {
  id: string;
  assignmentId: string;
  learnerId: string;
  lesson: string;
  files: Record<string, string>;
  result: CheckResult;
  /** Present (true) while the checks still run: `result` is then a placeholder, not a grade. */
  pending?: boolean;
  late: boolean;
  createdAt: string;
  /** A teacher's override of the status, with a comment. */
  override: { status: 'pass' | 'fail'; comment: string } | null;
}
/** A submission without its files: a line of a learner's history, and what the submission's event stream sends. */
export type SubmissionInfo = Omit<Submission, 'files'>;
/**
 * `GET /api/classes/{id}/learners/{learnerId}/submissions?assignmentId=&lesson=`:
 * the learner's submissions, newest first (at most MAX_HISTORY_SUBMISSIONS).
 */
export interface SubmissionHistory { learnerId: string; name: string; submissions: SubmissionInfo[]; truncated: boolean }

/** One cell of the results grid: the counted submission (the last before the due time, else the last). */
export interface ResultCell {
  status: SubmissionStatus;
  late: boolean;
  overridden: boolean;
  /** The grader flagged the counted submission's code for review (CheckResult.review). */
  flagged: boolean;
  submissionId: string | null;
  submissions: number;
  /** A submission of this cell waits for its grade (newer than the counted one, or the only kind there is). */
  pending: boolean;
}

/** `GET /api/classes/{id}/results`: learners x (assignment, lesson) columns. */
export interface ResultsGrid {
  class: { id: string; name: string };
  /** `counts` of the cells' statuses; `pending`: cells with nothing graded yet (status `pending`). */
  columns: Array<{ assignmentId: string; assignmentTitle: string; lesson: string; lessonTitle: string; archived: boolean; counts: Record<CountedStatus, number>; pending: number }>;
  rows: Array<{ learnerId: string; name: string; cells: ResultCell[] }>;
}

/**
 * Server-Sent Events of `GET /api/classes/{id}/events` (the teacher's live
 * grid): `event: submission` with a ClassSubmissionEvent when a submission is
 * stored, graded or overridden; `event: change` with a ClassChangeEvent when
 * the class, its learners or assignments changed (read the class again);
 * `event: deleted` when the class is gone. A stream ends after a while and
 * the browser reconnects by itself: read the grid again then (events may
 * have been missed between).
 */
export interface ClassSubmissionEvent { submissionId: string; learnerId: string; assignmentId: string; lesson: string; status: 'pending' | 'pass' | 'fail' | 'error' }
export interface ClassChangeEvent { what: 'class' | 'learners' | 'assignments' }
/** The event names of the class stream (for EventSource listeners). */
export const CLASS_EVENT_TYPES = ['submission', 'change', 'deleted'] as const;
// `GET /api/submissions/{id}/events` (its learner or teacher): `event: submission` with a
// SubmissionInfo at once and again when graded; the stream ends after the grade.

// ------------------------------------------------------------------ shared

/** Limits a client should know about to validate before sending. */
export const MAX_FILES = 64;
export const MAX_BODY_BYTES = 1024 * 1024;
export const SESSION_COOKIE = 'lab_session';

/** Parse one NDJSON line into an event, or null if it is not a JSON object with a type. */
export function parseEventLine(line: string): { type: string } | null {
  if (!line.trim()) return null;
  try {
    const value = JSON.parse(line);
    return value && typeof value === 'object' && typeof value.type === 'string' ? value : null;
  } catch {
    return null;
  }
}

// ------------------------------------------------------------ build phases

/**
 * A step of a go command, as the toolchain itself reports it (issue 4).
 * `load`: package loading; `compile`: one package's build action; `cgo`: a cgo
 * step of a package; `link`; `run`: the program run by `go run`; `test`: a test
 * binary run, or one test in it; `vet`: one package's vet action.
 */
export type Phase = 'load' | 'compile' | 'cgo' | 'link' | 'run' | 'test' | 'vet';

/** One NDJSON line of the run API (and a terminal message): a phase started or ended. */
export interface PhaseEvent {
  type: 'phase';
  /** The go command it belongs to (CommandEvent.cmd), when the lab relays several. */
  cmd?: number;
  phase: Phase;
  state: 'start' | 'end';
  /** Import path of the package the step is for (absent for `load` and `run`). */
  package?: string;
  /** Set when known: the step's result came from the build or test cache. */
  cached?: boolean;
  /** Milliseconds since the go command started, from the toolchain's own timestamps. */
  t: number;
  /** The same moment as Unix time in ms (the toolchain's own clock): for latency and lining up commands. */
  ts?: number;
  /** `test` only: the test function, for a single test's start/end. */
  test?: string;
  /** `test` only, on `end`: how the test or the package's tests ended. */
  outcome?: 'pass' | 'fail' | 'skip';
}

/**
 * A go command started that the lab watches: exactly what runs, and what the lab
 * added to observe it (the learner's command runs as typed otherwise).
 * `cmd` tells concurrent go commands of one Run apart (the phase events of a
 * command follow its CommandEvent).
 */
export interface CommandEvent {
  type: 'command';
  cmd: number;
  /** The command as the learner typed it. */
  argv: string[];
  /** The flags the lab added right after the subcommand. */
  added: string[];
}

/**
 * A go command the lab watches ended (after its last phase and graph events):
 * its own exit status, which is how a command typed in the terminal reports
 * its end (a Run also ends with its ExitEvent).
 */
export interface CommandEndEvent {
  type: 'command-end';
  cmd: number;
  /** The go command's exit status (128 + signal number when killed by a signal). */
  code: number;
  /** Milliseconds since the go command started, on the trace's clock (absent if unknown). */
  t?: number;
}

/** The toolchain wrote something the lab cannot read (its format changed): the view stops, loudly. */
export interface PhaseErrorEvent {
  type: 'phase-error';
  cmd: number;
  message: string;
}

/** One action of the go command's action graph (`-debug-actiongraph`). */
export interface GraphAction {
  id: number;
  /** The toolchain's mode string: `build`, `link`, `vet`, `test run`, `go run`, ... */
  mode: string;
  /** Import path, or '' for actions without a package. */
  package: string;
  /** ids of the actions this one waits for. */
  deps: number[];
  /** true: taken from the cache; false: the tool ran; null: not applicable or not known (yet). */
  cached: boolean | null;
  /** Duration from start to done in ms; null before the build ran. */
  ms: number | null;
}

/** The action graph: sent when the toolchain writes it before the build, and again with timings. */
export interface GraphEvent {
  type: 'graph';
  /** The go command it belongs to (CommandEvent.cmd). */
  cmd?: number;
  /** false: written before the build ran (no timings, nothing cached yet); true: with timings, at the end. */
  final: boolean;
  actions: GraphAction[];
}
