/**
 * Who is asking: the signed-in teacher and the joined learner, from their
 * cookies (session tokens, looked up by hash), and starting or ending those
 * sessions. Also the request-level guards every classroom route shares:
 * cross-origin writes are refused, and a class is found only by its teacher.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LEARNER_COOKIE, TEACHER_COOKIE } from '../../src/lib/protocol-classroom.ts';
import { HttpError } from '../http/errors.ts';
import { clearedCookie, newToken, sessionCookie, tokenFromCookie, tokenHash } from './auth.ts';
import type { Classroom } from './context.ts';
import type { ClassCounts, ClassRow, LearnerRow, SessionKind, TeacherRow } from './store.ts';

const COOKIE: Record<SessionKind, string> = { teacher: TEACHER_COOKIE, learner: LEARNER_COOKIE };

const secure = (req: IncomingMessage) => (req.headers['x-forwarded-proto'] ?? '') === 'https';

/**
 * A write request from another site: a browser sends Origin with every POST
 * (and Sec-Fetch-Site); when either says the page is not ours, the request is
 * refused, so another site cannot act with a teacher's or learner's cookie
 * (SameSite=Lax already keeps cookies off cross-site POSTs; this is the second
 * lock). Requests without either header (scripts, curl) are not from a browser page.
 */
export function isCrossOrigin(req: IncomingMessage): boolean {
  if (req.headers['sec-fetch-site'] === 'cross-site') return true;
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return true; // "null" (sandboxed frames, file://) or garbage: not our page
  }
  return host !== req.headers.host;
}

async function subjectOf(c: Classroom, req: IncomingMessage, kind: SessionKind): Promise<string | null> {
  const token = tokenFromCookie(req.headers.cookie, COOKIE[kind]);
  return token ? c.store.sessionSubject(kind, tokenHash(token), Date.now()) : null;
}

export async function teacherOf(c: Classroom, req: IncomingMessage): Promise<TeacherRow | null> {
  const id = await subjectOf(c, req, 'teacher');
  return id ? c.store.teacherById(id) : null;
}

export async function learnerOf(c: Classroom, req: IncomingMessage): Promise<LearnerRow | null> {
  const id = await subjectOf(c, req, 'learner');
  return id ? c.store.learnerById(id) : null;
}

export async function requireTeacher(c: Classroom, req: IncomingMessage): Promise<TeacherRow> {
  const t = await teacherOf(c, req);
  if (!t) throw new HttpError(401, 'not signed in as a teacher (sign in first)');
  return t;
}

export async function requireLearner(c: Classroom, req: IncomingMessage): Promise<LearnerRow> {
  const l = await learnerOf(c, req);
  if (!l) throw new HttpError(401, 'not in a class (join with a code, or use your recovery code)');
  return l;
}

/** The teacher's own class; 404 for a class that does not exist or is another teacher's (they may not know it exists). */
export async function ownClass(c: Classroom, teacher: TeacherRow, classId: string): Promise<ClassRow & ClassCounts> {
  const cls = await c.store.classById(classId);
  if (!cls || cls.teacherId !== teacher.id) throw new HttpError(404, 'no such class');
  return cls;
}

/** A new session for the teacher or learner: stored (hashed), then its cookie set on res. */
export async function startSession(c: Classroom, req: IncomingMessage, res: ServerResponse, kind: SessionKind, subjectId: string): Promise<void> {
  const lifetime = kind === 'teacher' ? c.lab.config.TEACHER_SESSION_MS : c.lab.config.LEARNER_SESSION_MS;
  const token = newToken();
  await c.store.createSession(kind, tokenHash(token), subjectId, Date.now() + lifetime);
  res.setHeader('set-cookie', sessionCookie(COOKIE[kind], token, lifetime, secure(req)));
}

/** Deletes the session of the request's cookie (if any) and clears the cookie. */
export async function endSession(c: Classroom, req: IncomingMessage, res: ServerResponse, kind: SessionKind): Promise<void> {
  const token = tokenFromCookie(req.headers.cookie, COOKIE[kind]);
  if (token) await c.store.deleteSession(kind, tokenHash(token));
  res.setHeader('set-cookie', clearedCookie(COOKIE[kind], secure(req)));
}
