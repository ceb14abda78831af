/**
 * The wire protocol between the browser and the lab server.
 *
 * This is the single module both sides import (the server through
 * `../src/lib/protocol.ts`, the browser through Vite), so the event and
 * message shapes cannot drift apart. The lab's requests, answers, events and
 * terminal messages, and the lesson manifest, are zod schemas (the
 * classroom's are in protocol-classroom.ts): the server validates every input
 * with them (server/http/json.ts's parseInput: the first problem, as
 * `{"error": ...}` with status 400), the browser every answer and event
 * (src/client/wire.ts), and the TypeScript types are inferred from them, so a
 * type and its check cannot disagree. It must stay
 * erasable TypeScript (no enums, no namespaces, no parameter properties):
 * Node runs the server's .ts files directly with type stripping.
 */
import { z } from 'zod';
import { fileNameProblem } from './file-names.ts';

/** Limits a client should know about to validate before sending. */
export const MAX_FILES = 64;
export const MAX_BODY_BYTES = 1024 * 1024;
export const SESSION_COOKIE = 'lab_session';
/** Longest accepted command line of a Run, in bytes. */
export const MAX_COMMAND_BYTES = 4096;
/** Accepted terminal sizes. */
export const MAX_TERMINAL_COLS = 1000;
export const MAX_TERMINAL_ROWS = 500;

const utf8 = new TextEncoder();

/** An optional true/false field: anything else is refused with words naming it. */
const flag = (field: string) => z.boolean({ error: `"${field}" must be true or false` }).optional();

/**
 * A request's files: file name (relative, forward slashes; src/lib/file-names.ts)
 * -> contents, at most MAX_FILES. The size of each file is the server's
 * (configurable) limit, checked after this (413).
 */
export const FilesSchema = z
  .record(
    z.string().superRefine((name, ctx) => {
      const problem = fileNameProblem(name);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
    z.string({ error: (iss) => `contents of ${JSON.stringify(String(iss.path?.at(-1)).slice(0, 100))} must be a string` }),
    {
      error: (iss) =>
        iss.code === 'invalid_key'
          ? iss.issues?.[0]?.message
          : iss.input === undefined
            ? 'missing field "files" (an object of file name -> contents)'
            : '"files" must be an object of file name -> contents',
    },
  )
  .check((ctx) => {
    const count = Object.keys(ctx.value).length;
    if (count > MAX_FILES) ctx.issues.push({ code: 'custom', message: `too many files: ${count} (at most ${MAX_FILES})`, input: ctx.value });
  })
  .describe('File name (relative, forward slashes) -> contents');

/** A lesson id as a request names it (looked up by the server: 404 when unknown). */
const LessonIdSchema = z.string({ error: 'missing lesson id (query parameter "lesson")' }).min(1, 'missing lesson id (query parameter "lesson")');

/** What every request body is: a JSON object (arrays, strings and null are not). */
const body = <T extends z.core.$ZodLooseShape>(shape: T) => z.object(shape, { error: 'the request body must be a JSON object' });

// ---------------------------------------------------------------- run API

/** Body of `POST /api/run`. */
export const RunRequestSchema = body({
  files: FilesSchema,
  command: z
    .string({ error: (iss) => (iss.input === undefined ? 'missing field "command" (a shell command line, e.g. "go run .")' : '"command" must be a string') })
    .refine((c) => c.trim() !== '', '"command" is empty')
    .refine((c) => !c.includes('\0'), '"command" contains a NUL byte')
    .refine((c) => utf8.encode(c).length <= MAX_COMMAND_BYTES, `"command" is longer than ${MAX_COMMAND_BYTES} bytes`)
    .describe('A shell command line, run by the sandbox\'s shell (e.g. "go run .")'),
  lesson: LessonIdSchema.optional().describe("Run in that lesson's folder of the caller's session"),
  observe: flag('observe').describe(
    "Relay the build phases of go commands (default true): the lab's go wrapper adds -debug-trace and " +
      '-debug-actiongraph (announced in a `command` event). false runs the go command exactly as typed, ' +
      'a little faster, with no phase events.',
  ),
  merge: flag('merge').describe(
    'One output stream in the order the command wrote it, as a terminal shows it (default false): stderr goes ' +
      'where stdout goes and all output arrives as `stdout` events. Two separate streams cannot keep the order ' +
      'of writes between them.',
  ),
});
export type RunRequest = z.input<typeof RunRequestSchema>;

/** Why a command ended. Clients must tolerate reasons they do not know. */
export const ExitReasonSchema = z.enum(['exited', 'signaled', 'timeout', 'killed', 'output-limit', 'oom', 'pids', 'disk', 'error']);
export type ExitReason = z.infer<typeof ExitReasonSchema>;

export const OutputEventSchema = z.object({
  type: z.enum(['stdout', 'stderr']),
  data: z.string(),
});
export type OutputEvent = z.infer<typeof OutputEventSchema>;

export const ExitEventSchema = z.object({
  type: z.literal('exit'),
  code: z.number().int().describe('Exit status of the command (128 + signal number when killed by a signal)'),
  // A reason this client does not know is kept, not refused: clients must tolerate new ones.
  reason: z.union([ExitReasonSchema, z.string()]),
  durationMs: z.number(),
  message: z.string().optional().describe('A sentence for the learner when a limit or the lab stopped the command'),
});
export type ExitEvent = z.infer<typeof ExitEventSchema>;

/** The command waits for a free runner (the machine is busy); `position` 1 = next. */
export const QueuedEventSchema = z.object({
  type: z.literal('queued'),
  position: z.number().int().positive(),
});
export type QueuedEvent = z.infer<typeof QueuedEventSchema>;

/** Every 4xx/5xx JSON body: the same shape for every error, bad input included. */
export const ErrorBodySchema = z.object({ error: z.string() });
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

// ------------------------------------------------------------ workspace API

/**
 * `GET /api/workspace/files?lesson=ID` (creates the session and the lesson folder
 * from its starting files when missing), and the answer of
 * `POST /api/workspace/reset?lesson=ID` (restores the starting files).
 */
export const LessonFilesSchema = z.object({
  lesson: z.string(),
  files: z.array(z.object({ name: z.string(), content: z.string() })).describe("Tab order: the lesson's starting files first, as the lesson lists them"),
});
export type LessonFiles = z.infer<typeof LessonFilesSchema>;

/** Body of `PUT /api/workspace/files?lesson=ID`: save these files (others untouched). */
export const SaveFilesRequestSchema = body({ files: FilesSchema });
export type SaveFilesRequest = z.infer<typeof SaveFilesRequestSchema>;
/** The answer of `PUT /api/workspace/files`: the names saved. */
export const FilesSavedSchema = z.object({ saved: z.array(z.string()) });
export type FilesSaved = z.infer<typeof FilesSavedSchema>;

// ------------------------------------------------- workspace listing

/**
 * One entry of `GET /api/workspace/list?lesson=ID`: what is in the lesson's
 * folder, whoever made it (the editor, the terminal, a Try it block, a build).
 * `kind`: 'text' (UTF-8, no NUL byte, a name a save accepts: has `content`),
 * 'binary' (e.g. a built executable), 'large' (over the file size limit),
 * 'unread' (the listing's content budget ran out), 'symlink' (never followed),
 * 'dir' (empty, or deeper than the listing goes; name ends in '/'), 'other'
 * (a FIFO, socket or device: never opened).
 */
export const WorkspaceFileSchema = z.object({
  name: z.string(),
  kind: z.enum(['text', 'binary', 'large', 'unread', 'symlink', 'dir', 'other']),
  bytes: z.number(),
  starting: z.boolean().describe("One of the lesson's starting files (Reset keeps and rewrites these; it removes the rest)"),
  content: z.string().optional(),
});
export type WorkspaceFile = z.infer<typeof WorkspaceFileSchema>;

/** Answer of `GET /api/workspace/list?lesson=ID`: starting files first in tab order, then the rest by name. */
export const WorkspaceListingSchema = z.object({
  lesson: z.string(),
  files: z.array(WorkspaceFileSchema),
  truncated: z.boolean().describe("More entries than the listing reports (the server's limits)"),
});
export type WorkspaceListing = z.infer<typeof WorkspaceListingSchema>;

// ---------------------------------------------------------- terminal socket

/** WebSocket path; query `lesson=<id>` picks the working directory. */
export const TERMINAL_PATH = '/api/terminal';

/**
 * Answer of `GET /api/terminal/status`: whether this browser could open a
 * terminal now, and if not why (a refused WebSocket upgrade cannot say).
 */
export const TerminalStatusSchema = z.object({
  available: z.boolean(),
  message: z.string().optional(),
  retryAfterSeconds: z.number().optional(),
});
export type TerminalStatus = z.infer<typeof TerminalStatusSchema>;

/** Browser -> server, one JSON text frame each. */
export const TerminalClientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('input'), data: z.string() }),
  z.object({
    type: z.literal('resize'),
    cols: z.number().int().min(1).max(MAX_TERMINAL_COLS),
    rows: z.number().int().min(1).max(MAX_TERMINAL_ROWS),
  }),
]);
export type TerminalClientMessage = z.infer<typeof TerminalClientMessageSchema>;

// ------------------------------------------------------------------ check API

/** Body of `POST /api/check`: the learner's files for the lesson's exercise. */
export const CheckRequestSchema = body({
  lesson: LessonIdSchema,
  files: FilesSchema,
});
export type CheckRequest = z.infer<typeof CheckRequestSchema>;

/** One check's result (Exercism's test runner results.json v3, per test). */
export const CheckTestResultSchema = z.object({
  name: z.string(),
  status: z.enum(['pass', 'fail', 'error']),
  message: z.string().optional().describe('Why it failed, for the learner'),
  output: z.string().optional().describe('What the test or command printed (truncated)'),
});
export type CheckTestResult = z.infer<typeof CheckTestResultSchema>;

/**
 * The answer of `POST /api/check` (results.json v3's shape): `error` when the
 * code did not compile or could not run (then `message` says why), `fail`
 * when any check failed or did not run, `pass` when all passed.
 */
export const CheckResultSchema = z.object({
  status: z.enum(['pass', 'fail', 'error']),
  message: z.string().optional(),
  tests: z.array(CheckTestResultSchema),
  review: z
    .string()
    .optional()
    .describe(
      'Set when the code reaches for things that could interfere with how it is graded (unsafe, raw system calls, ...) ' +
        'that the exercise does not need: the status stands, and a teacher sees why to look (server/grading/review.ts)',
    ),
});
export type CheckResult = z.infer<typeof CheckResultSchema>;

// ------------------------------------------------------------ lesson manifest

/** One lesson of dist/lessons.json (src/pages/lessons.json.ts writes it, server/lessons.ts reads it). */
export const ManifestLessonSchema = z.object({
  id: z.string().min(1),
  title: z.string(),
  chapter: z.string().optional(),
  order: z.number().optional(),
  run: z.string().describe("The Run button's command"),
  cgo: z.boolean(),
  files: z.array(z.string().refine((n) => fileNameProblem(n) === null, 'not a valid file name')).describe('Starting file names, in tab order'),
  exercise: z.boolean().describe('The lesson has an exercise (its checks: content/<id>/exercise/, server/grading/exercise.ts)'),
});
export const LessonManifestSchema = z.object({ lessons: z.array(ManifestLessonSchema) });
export type ManifestLesson = z.infer<typeof ManifestLessonSchema>;

// ------------------------------------------------- check API, streamed
// `POST /api/check` with `Accept: application/x-ndjson` answers a stream of
// CheckEvent lines instead of one JSON object, so a learner whose check waits
// for a free runner sees where it is in the line. `result` or `error` is last.

/**
 * One line of the streamed answer of `POST /api/check`; clients ignore types
 * they do not know. `started`: the check left the line and its commands run
 * now; `result`: what the one-JSON form answers; `error`: the check could not
 * be graded after the stream began (the server's words; a 5xx in the JSON form).
 */
export const CheckEventSchema = z.discriminatedUnion('type', [
  QueuedEventSchema,
  z.object({ type: z.literal('started') }),
  z.object({ type: z.literal('result'), result: CheckResultSchema }),
  z.object({ type: z.literal('error'), error: z.string() }),
]);
export type CheckEvent = z.infer<typeof CheckEventSchema>;

// ------------------------------------------------------------------ shared

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
 * A step of a go command, as the toolchain itself reports it (its -debug-trace
 * and -debug-actiongraph output, read by server/phases/).
 * `load`: package loading; `compile`: one package's build action; `cgo`: a cgo
 * step of a package; `link`; `run`: the program run by `go run`; `test`: a test
 * binary run; `vet`: one package's vet action.
 */
export const PhaseSchema = z.enum(['load', 'compile', 'cgo', 'vet', 'link', 'run', 'test']);
export type Phase = z.infer<typeof PhaseSchema>;

/** One NDJSON line of the run API (and a terminal message): a phase started or ended. */
export const PhaseEventSchema = z.object({
  type: z.literal('phase'),
  cmd: z.number().int().optional().describe('The go command it belongs to (CommandEvent.cmd), when the lab relays several'),
  phase: PhaseSchema,
  state: z.enum(['start', 'end']),
  package: z.string().optional().describe('Import path of the package the step is for (absent for `load` and `run`)'),
  cached: z.boolean().optional().describe("Set when known: the step's result came from the build or test cache"),
  t: z.number().describe("Milliseconds since the go command started, from the toolchain's own timestamps"),
  ts: z.number().optional().describe("The same moment as Unix time in ms (the toolchain's own clock): for latency and lining up commands"),
});
export type PhaseEvent = z.infer<typeof PhaseEventSchema>;

/**
 * A go command started that the lab watches: exactly what runs, and what the lab
 * added to observe it (the learner's command runs as typed otherwise).
 * `cmd` tells concurrent go commands of one Run apart (the phase events of a
 * command follow its CommandEvent).
 */
export const CommandEventSchema = z.object({
  type: z.literal('command'),
  cmd: z.number().int(),
  argv: z.array(z.string()).describe('The command as the learner typed it'),
  added: z.array(z.string()).describe('The flags the lab added right after the subcommand'),
});
export type CommandEvent = z.infer<typeof CommandEventSchema>;

/**
 * A go command the lab watches ended (after its last phase and graph events):
 * its own exit status, which is how a command typed in the terminal reports
 * its end (a Run also ends with its ExitEvent).
 */
export const CommandEndEventSchema = z.object({
  type: z.literal('command-end'),
  cmd: z.number().int(),
  code: z.number().int().describe("The go command's exit status (128 + signal number when killed by a signal)"),
  t: z.number().optional().describe("Milliseconds since the go command started, on the trace's clock (absent if unknown)"),
});
export type CommandEndEvent = z.infer<typeof CommandEndEventSchema>;

/** The toolchain wrote something the lab cannot read (its format changed): the view stops, loudly. */
export const PhaseErrorEventSchema = z.object({
  type: z.literal('phase-error'),
  cmd: z.number().int(),
  message: z.string(),
});
export type PhaseErrorEvent = z.infer<typeof PhaseErrorEventSchema>;

/** One action of the go command's action graph (`-debug-actiongraph`). */
export const GraphActionSchema = z.object({
  id: z.number().int(),
  mode: z.string().describe("The toolchain's mode string: `build`, `link`, `vet`, `test run`, `go run`, ..."),
  package: z.string().describe("Import path, or '' for actions without a package"),
  deps: z.array(z.number().int()).describe('ids of the actions this one waits for'),
  cached: z.boolean().nullable().describe('true: taken from the cache; false: the tool ran; null: not applicable or not known (yet)'),
  ms: z.number().nullable().describe('Duration from start to done in ms; null before the build ran'),
});
export type GraphAction = z.infer<typeof GraphActionSchema>;

/** The action graph: sent when the toolchain writes it before the build, and again with timings. */
export const GraphEventSchema = z.object({
  type: z.literal('graph'),
  cmd: z.number().int().optional().describe('The go command it belongs to (CommandEvent.cmd)'),
  final: z.boolean().describe('false: written before the build ran (no timings, nothing cached yet); true: with timings, at the end'),
  actions: z.array(GraphActionSchema),
});
export type GraphEvent = z.infer<typeof GraphEventSchema>;

/**
 * One line of the `application/x-ndjson` stream of `POST /api/run`.
 * Clients ignore event types they do not know.
 */
export const RunEventSchema = z.discriminatedUnion('type', [
  OutputEventSchema,
  QueuedEventSchema,
  CommandEventSchema,
  PhaseEventSchema,
  GraphEventSchema,
  PhaseErrorEventSchema,
  CommandEndEventSchema,
  ExitEventSchema,
]);
export type RunEvent = z.infer<typeof RunEventSchema>;

/** Server -> browser on the terminal socket, one JSON text frame each. Clients ignore unknown types. */
export const TerminalServerMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('output'), data: z.string() }),
  CommandEventSchema,
  PhaseEventSchema,
  GraphEventSchema,
  PhaseErrorEventSchema,
  CommandEndEventSchema,
  z.object({ type: z.literal('exit'), code: z.number().int(), message: z.string().optional() }),
  z.object({ type: z.literal('error'), error: z.string() }),
]);
export type TerminalServerMessage = z.infer<typeof TerminalServerMessageSchema>;
