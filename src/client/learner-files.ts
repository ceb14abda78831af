/**
 * A learner's lesson files follow them to another browser: the
 * server keeps a copy of each lesson's files for a learner of a class
 * (`/api/me/files`, docs/api.md "Classes"). files-api.ts calls in here:
 *
 * - Before a lesson's files are first read on a page, reconcile() compares
 *   the workspace with the server's copy and, when the copy is the newer
 *   work, writes it into the workspace (through PUT /api/workspace/files, so
 *   the terminal and Run see it too).
 * - Every read and save of the workspace afterwards updates what this page
 *   knows of the files; a copy is sent to the server MIRROR_DELAY_MS after
 *   the last change (and at once when the page is left).
 *
 * Which side is newer: per learner and lesson this browser remembers
 * (localStorage) the copy it last knew to be the same in its workspace and
 * on the server, as the copy's savedAt and a digest of the files. The copy
 * is loaded when the workspace still has the starting files, or has not
 * changed since that last agreement. Work of this browser's own is never
 * replaced unseen: when both changed (or this browser never agreed with the
 * server and has work of its own), the browser's files stay, nothing is sent
 * until the learner edits, and a note offers the saved files instead.
 */
import type { z } from 'zod';
import { LessonFilesSchema, type LessonFiles } from '../lib/protocol.ts';
import type { LearnerFiles } from '../lib/protocol-classroom.ts';
import { ui } from '../lib/ui-strings.ts';
import { responseError } from './api.ts';
import { learner } from './learner-sync.ts';
import { readAnswer } from './wire.ts';

/** Quiet time after the last save before the server's copy is updated: the workbench autosaves every 0.5 s while typing. */
const MIRROR_DELAY_MS = 2000;
/** A slower request is given up: the page works on with the workspace alone. */
const REQUEST_TIMEOUT_MS = 5000;
/** A page-leaving request with a larger body is refused by browsers (the keepalive limit). */
const KEEPALIVE_MAX_BYTES = 64 * 1024;

type Files = Record<string, string>;

/** What this browser last knew to be the same in its workspace and on the server. */
interface Agreement {
  savedAt: string | null;
  digest: string;
}

interface LessonState {
  lesson: string;
  learnerId: string;
  /** The workspace's files as this page last read or saved them. */
  known: Files;
  /** Digest of the server's copy as this page knows it; undefined when there is none. */
  server: string | undefined;
  /** Both sides changed: nothing is sent until the learner edits here (or picks the saved files). */
  held: boolean;
  timer?: ReturnType<typeof setTimeout>;
  sending: Promise<void>;
}

const states = new Map<string, Promise<LessonState | null>>();

const recordKey = (learnerId: string, lesson: string) => `golab:learner-files:${learnerId}:${lesson}`;
const query = (lesson: string) => `?lesson=${encodeURIComponent(lesson)}`;

function readAgreement(learnerId: string, lesson: string): Agreement | null {
  try {
    const value = JSON.parse(localStorage.getItem(recordKey(learnerId, lesson)) ?? 'null') as Agreement | null;
    return value && typeof value.digest === 'string' ? value : null;
  } catch {
    return null;
  }
}

function writeAgreement(learnerId: string, lesson: string, a: Agreement): void {
  try {
    localStorage.setItem(recordKey(learnerId, lesson), JSON.stringify(a));
  } catch {
    // Storage full or disabled: the next page compares contents only, and asks rather than overwrite.
  }
}

/**
 * A digest of the files (names and contents) to compare them by: cyrb53, not
 * a cryptographic hash, since crypto.subtle is missing on plain-http school
 * servers and nothing here is a secret; a collision would only skip one load.
 */
export function digest(files: Files): string {
  const text = JSON.stringify(
    Object.keys(files)
      .sort()
      .map((name) => [name, files[name]]),
  );
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

/** What to do on opening a lesson, from the workspace (w), the server's copy (s) and the last agreement. Pure. */
export function decide(
  w: Files,
  copy: Pick<LearnerFiles, 'files' | 'savedAt' | 'startingFiles'>,
  agreed: Agreement | null,
): 'same' | 'load' | 'send' | 'conflict' | 'nothing' {
  const fresh = digest(w) === digest(copy.startingFiles);
  if (!copy.files) return fresh ? 'nothing' : 'send';
  if (digest(copy.files) === digest(w)) return 'same';
  // The workspace has nothing of the learner's, or nothing since it last agreed with the server: the copy is newer.
  if (fresh || agreed?.digest === digest(w)) return 'load';
  // Only this browser changed since they agreed: its files are the newer.
  if (agreed && agreed.savedAt === copy.savedAt) return 'send';
  return 'conflict';
}

/** Sends the request (an Error with the server's sentence when it fails); the answer unread. */
async function request(method: string, path: string, body?: unknown): Promise<Response> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  if (!res.ok) throw await responseError(res);
  return res;
}

/** A request whose answer is read as `schema` says (a malformed one is an Error). */
async function requestAnswer<S extends z.ZodType>(schema: S, method: string, path: string, body?: unknown): Promise<z.output<S>> {
  return readAnswer(await request(method, path, body), schema);
}

/** The classroom's schemas, loaded once a learner of a class is known (learner-sync.ts): other visitors never need them. */
const classroomSchemas = () => import('../lib/protocol-classroom.ts');

const toFiles = (list: LessonFiles['files']): Files => Object.fromEntries(list.map((f) => [f.name, f.content]));

async function reconcile(lesson: string): Promise<LessonState | null> {
  const me = await learner();
  if (!me) return null;
  const { LearnerFilesSchema } = await classroomSchemas();
  const [copy, workspace] = await Promise.all([
    requestAnswer(LearnerFilesSchema, 'GET', `/api/me/files${query(lesson)}`),
    requestAnswer(LessonFilesSchema, 'GET', `/api/workspace/files${query(lesson)}`),
  ]);
  const w = toFiles(workspace.files);
  const agreed = readAgreement(me.id, lesson);
  const state: LessonState = {
    lesson,
    learnerId: me.id,
    known: w,
    server: copy.files ? digest(copy.files) : undefined,
    held: false,
    sending: Promise.resolve(),
  };
  const action = decide(w, copy, agreed);
  if (action === 'load') {
    await request('PUT', `/api/workspace/files${query(lesson)}`, { files: copy.files });
    state.known = { ...w, ...copy.files };
  } else if (action === 'nothing') {
    state.server = digest(w); // the starting files: nothing worth a copy yet
  } else if (action === 'conflict') {
    state.held = true;
    if (copy.files && copy.savedAt) offerSaved(lesson, me.id, { files: copy.files, savedAt: copy.savedAt });
  }
  if (action === 'same' || action === 'load') writeAgreement(me.id, lesson, { savedAt: copy.savedAt, digest: digest(copy.files!) });
  if (action === 'send') schedule(state);
  return state;
}

/** Both sides changed: say so above the workbench and offer the saved files (which replace this browser's). */
function offerSaved(lesson: string, learnerId: string, copy: { files: Files; savedAt: string }): void {
  const anchor =
    document.querySelector<HTMLElement>(`[data-workbench][data-lesson="${CSS.escape(lesson)}"]`) ?? document.querySelector<HTMLElement>('[data-workbench]');
  if (!anchor) return;
  const note = document.createElement('div');
  note.className = 'learner-files-note';
  note.setAttribute('role', 'status');
  note.dataset.learnerFilesNote = '';
  const text = document.createElement('span');
  text.textContent = `${ui.learnerFilesKept(new Date(copy.savedAt).toLocaleString())} `;
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = ui.learnerFilesUseSaved;
  button.addEventListener('click', () => {
    button.disabled = true;
    request('PUT', `/api/workspace/files${query(lesson)}`, { files: copy.files })
      .then(() => {
        writeAgreement(learnerId, lesson, { savedAt: copy.savedAt, digest: digest(copy.files) });
        location.reload(); // the workbench reads the files again, as on any visit
      })
      .catch((err: unknown) => {
        button.disabled = false;
        text.textContent = `${ui.learnerFilesLoadFailed(err instanceof Error ? err.message : String(err))} `;
      });
  });
  note.append(text, button);
  anchor.before(note);
}

function schedule(state: LessonState): void {
  if (state.held) return;
  clearTimeout(state.timer);
  state.timer = setTimeout(() => {
    state.timer = undefined;
    state.sending = state.sending.then(() => send(state));
  }, MIRROR_DELAY_MS);
}

async function send(state: LessonState): Promise<void> {
  const files = state.known;
  const d = digest(files);
  if (d === state.server) return;
  try {
    const { LearnerFilesSavedSchema } = await classroomSchemas();
    const saved = await requestAnswer(LearnerFilesSavedSchema, 'PUT', `/api/me/files${query(state.lesson)}`, { files });
    state.server = d;
    writeAgreement(state.learnerId, state.lesson, { savedAt: saved.savedAt, digest: d });
  } catch {
    // Too large (413), offline, signed out: the workspace keeps the files; the next change tries again.
  }
}

/**
 * Reconciles the lesson's workspace with the learner's copy on the server,
 * once per page and lesson; resolves when the workspace holds what should be
 * shown. Never rejects: anything failing leaves the workspace as it is.
 */
export function restoreLessonFiles(lesson: string): Promise<void> {
  let state = states.get(lesson);
  if (!state) {
    state = reconcile(lesson).catch(() => null);
    states.set(lesson, state);
  }
  return state.then(() => undefined);
}

/** The workspace's files as just read (a load, a reset): sent to the server if they changed. */
export function noteWorkspace(lesson: string, files: LessonFiles['files']): void {
  void states.get(lesson)?.then((state) => {
    if (!state) return;
    state.known = { ...state.known, ...toFiles(files) };
    if (digest(state.known) !== state.server) schedule(state);
  });
}

/** Files the learner saved in the editor: their work here, so a held conflict is settled for this browser's files. */
export function noteSaved(lesson: string, files: Files): void {
  void states.get(lesson)?.then((state) => {
    if (!state) return;
    state.known = { ...state.known, ...files };
    state.held = false;
    if (digest(state.known) !== state.server) schedule(state);
  });
}

// Leaving the page: a copy still waiting for its quiet time goes now (keepalive outlives the page).
// (Only in a browser: the module is also imported by unit tests under Node.)
globalThis.addEventListener?.('pagehide', () => {
  for (const pending of states.values()) {
    void pending.then((state) => {
      if (!state?.timer) return;
      clearTimeout(state.timer);
      state.timer = undefined;
      const body = JSON.stringify({ files: state.known });
      if (body.length > KEEPALIVE_MAX_BYTES) return;
      void fetch(`/api/me/files${query(state.lesson)}`, {
        method: 'PUT',
        credentials: 'same-origin',
        keepalive: true,
        headers: { 'content-type': 'application/json' },
        body,
      }).catch(() => undefined);
    });
  }
});
