/** A small client for the classroom API (docs/api.md, "Classes"), for tests: JSON in, status + body + cookie out. */
import { readFileSync } from 'node:fs';
import { join as joinPath } from 'node:path';
import { LEARNER_COOKIE, TEACHER_COOKIE } from '../../src/lib/protocol.ts';

const CONTENT = joinPath(import.meta.dirname, '..', '..', 'content');

export interface Answer<T = any> {
  status: number;
  body: T;
  headers: Headers;
  /** `name=value` of a lab_teacher / lab_learner cookie the answer set, for the next request's Cookie header. */
  cookie: string | null;
}

export async function call<T = any>(url: string, method: string, path: string, o: { body?: unknown; cookie?: string; headers?: Record<string, string> } = {}): Promise<Answer<T>> {
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
export async function newClass(url: string, cookie: string, lessons: string[], extra: Record<string, unknown> = {}): Promise<{ classId: string; joinCode: string; assignmentId: string }> {
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
  wrong: () => ({ 'calc.go': file('exercise/solution/calc.go').replace('return a * b', 'return a + b'), 'calc_test.go': file('files/calc_test.go'), 'go.mod': file('files/go.mod') }),
  /** Mul never returns: the test binary is stopped by the time limit. */
  endless: () => ({ 'calc.go': file('exercise/solution/calc.go').replace('return a * b', 'for {\n\t}'), 'calc_test.go': file('files/calc_test.go'), 'go.mod': file('files/go.mod') }),
};
