/** A small client for the classroom API (docs/api.md, "Classes"), for tests: JSON in, status + body + cookie out. */
import { readFileSync } from 'node:fs';
import { join as joinPath } from 'node:path';
import { LEARNER_COOKIE, TEACHER_COOKIE } from '../../src/lib/protocol-classroom.ts';
import { LineSplitter } from '../../src/lib/lines.ts';

const CONTENT = joinPath(import.meta.dirname, '..', '..', 'content');

export interface Answer<T = any> {
  status: number;
  body: T;
  headers: Headers;
  /** `name=value` of a lab_teacher / lab_learner cookie the answer set, for the next request's Cookie header. */
  cookie: string | null;
}

export async function call<T = any>(
  url: string,
  method: string,
  path: string,
  o: { body?: unknown; cookie?: string; headers?: Record<string, string> } = {},
): Promise<Answer<T>> {
  const res = await fetch(url + path, {
    method,
    headers: {
      ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(o.cookie ? { cookie: o.cookie } : {}),
      ...o.headers,
    },
    body: o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body),
  });
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  const setCookie = res.headers.get('set-cookie') ?? '';
  const m = setCookie.match(new RegExp(`^((?:${TEACHER_COOKIE}|${LEARNER_COOKIE})=[^;]*)`));
  return { status: res.status, body: (type.includes('json') && text ? JSON.parse(text) : text) as T, headers: res.headers, cookie: m ? m[1] : null };
}

let teachers = 0;
/** A new teacher account, signed in: its cookie. */
export async function newTeacher(url: string, name = 'Teacher'): Promise<{ cookie: string; email: string; password: string; id: string }> {
  const email = `t${++teachers}-${process.pid}-${Date.now()}@example.org`;
  const password = 'correct horse battery';
  const a = await call(url, 'POST', '/api/teacher/signup', { body: { email, password, name } });
  if (a.status !== 201 || !a.cookie) throw new Error(`signup: ${a.status} ${JSON.stringify(a.body)}`);
  return { cookie: a.cookie, email, password, id: a.body.id };
}

/** A class of the teacher's, with an assignment of the given lessons; its ids and join code. */
export async function newClass(
  url: string,
  cookie: string,
  lessons: string[],
  extra: Record<string, unknown> = {},
): Promise<{ classId: string; joinCode: string; assignmentId: string }> {
  const c = await call(url, 'POST', '/api/classes', { cookie, body: { name: 'Class' } });
  if (c.status !== 201) throw new Error(`create class: ${c.status} ${JSON.stringify(c.body)}`);
  const a = await call(url, 'POST', `/api/classes/${c.body.id}/assignments`, { cookie, body: { title: 'Assignment', lessons, ...extra } });
  if (a.status !== 201) throw new Error(`create assignment: ${a.status} ${JSON.stringify(a.body)}`);
  return { classId: c.body.id, joinCode: c.body.joinCode, assignmentId: a.body.id };
}

/** A learner joined with the code: cookie, id, recovery code. */
export async function join(url: string, code: string, name = 'Learner'): Promise<{ cookie: string; learnerId: string; recoveryCode: string }> {
  const a = await call(url, 'POST', '/api/join', { body: { code, name } });
  if (a.status !== 201 || !a.cookie) throw new Error(`join: ${a.status} ${JSON.stringify(a.body)}`);
  return { cookie: a.cookie, learnerId: a.body.learnerId, recoveryCode: a.body.recoveryCode };
}

/** The exercise this suite submits to, with its starting, solution and wrong files. */
export const LESSON = 'go-test/the-test-binary';
const file = (path: string) => readFileSync(joinPath(CONTENT, LESSON, path), 'utf8');
export const exerciseFiles = {
  solution: () => ({ 'calc.go': file('exercise/solution/calc.go'), 'calc_test.go': file('files/calc_test.go'), 'go.mod': file('files/go.mod') }),
  /** Compiles, but Mul adds: TestMulCheck fails. */
  wrong: () => ({
    'calc.go': file('exercise/solution/calc.go').replace('return a * b', 'return a + b'),
    'calc_test.go': file('files/calc_test.go'),
    'go.mod': file('files/go.mod'),
  }),
  /** Mul never returns: the test binary is stopped by the time limit. */
  endless: () => ({
    'calc.go': file('exercise/solution/calc.go').replace('return a * b', 'for {\n\t}'),
    'calc_test.go': file('files/calc_test.go'),
    'go.mod': file('files/go.mod'),
  }),
};

/** POST a submission (answered 202 at once: stored, pending). */
export function submit(url: string, assignmentId: string, cookie: string, files: Record<string, string>, lesson = LESSON): Promise<Answer> {
  return call(url, 'POST', `/api/assignments/${assignmentId}/submissions`, { cookie, body: { lesson, files } });
}

/** Polls GET /api/submissions/{id} until it is graded (not pending); answers the Submission. */
export async function waitGraded(url: string, submissionId: string, cookie: string, timeoutMs = 120_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await call(url, 'GET', `/api/submissions/${submissionId}`, { cookie });
    if (s.status !== 200) throw new Error(`submission ${submissionId}: ${s.status} ${JSON.stringify(s.body)}`);
    if (!s.body.pending) return s.body;
    if (Date.now() > deadline) throw new Error(`submission ${submissionId} still pending after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Submits and waits for the grade: `{status, body}` where body is the stored
 * result with `submissionId` and `late` (what the learner is finally shown);
 * an answer other than 202 comes back as it is.
 */
export async function submitGraded(url: string, assignmentId: string, cookie: string, files: Record<string, string>, lesson = LESSON): Promise<Answer> {
  const a = await submit(url, assignmentId, cookie, files, lesson);
  if (a.status !== 202) return a;
  const s = await waitGraded(url, a.body.submissionId, cookie);
  return { ...a, body: { ...s.result, submissionId: a.body.submissionId, late: a.body.late } };
}

/** An open Server-Sent Events stream, read as it comes. */
export interface EventStream {
  status: number;
  headers: Headers;
  /** Every event so far. */
  events: Array<{ event: string; data: any }>;
  /** Comment lines (heartbeats) seen so far. */
  comments: number;
  /** The next event (after those seen) matching, within the time-out. */
  next(match: (e: { event: string; data: any }) => boolean, timeoutMs?: number): Promise<{ event: string; data: any }>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

export async function openEvents(url: string, path: string, cookie: string): Promise<EventStream> {
  const abort = new AbortController();
  const res = await fetch(url + path, { headers: { cookie, accept: 'text/event-stream' }, signal: abort.signal });
  const events: EventStream['events'] = [];
  const waiters: Array<() => void> = [];
  const stream: EventStream = {
    status: res.status,
    headers: res.headers,
    events,
    comments: 0,
    async next(match, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      let seen = 0;
      for (;;) {
        for (; seen < events.length; seen++) if (match(events[seen])) return events.splice(seen, 1)[0];
        if (Date.now() > deadline) throw new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events)}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
    },
    ended: Promise.resolve(),
    close: () => abort.abort(),
  };
  if (res.status !== 200 || !res.body) {
    await res.text().catch(() => '');
    return stream;
  }
  stream.ended = (async () => {
    const decoder = new TextDecoder();
    const lines = new LineSplitter();
    // The fields of the event being read; a blank line ends it (the SSE format).
    let event = 'message';
    let data: string[] = [];
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        for (const line of lines.push(decoder.decode(chunk, { stream: true }))) {
          if (line.startsWith(':')) stream.comments++;
          else if (line.startsWith('event: ')) event = line.slice(7);
          else if (line.startsWith('data: ')) data.push(line.slice(6));
          else if (line === '') {
            if (data.length) events.push({ event, data: JSON.parse(data.join('\n')) });
            event = 'message';
            data = [];
            for (const w of waiters.splice(0)) w();
          }
        }
      }
    } catch {
      /* aborted */
    }
  })();
  return stream;
}
