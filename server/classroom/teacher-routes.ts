/** Teacher accounts: `POST /api/teacher/signup|login|logout`, `GET /api/teacher/me` (docs/api.md, "Classes"). */
import { LoginRequestSchema, SignupRequestSchema, type TeacherInfo } from '../../src/lib/protocol-classroom.ts';
import { Busy } from '../fairness/admission.ts';
import { parseInput, readJsonBody, sendJson } from '../http/json.ts';
import { clientOf } from '../lab.ts';
import { HttpError } from '../http/errors.ts';
import { dummyPasswordHash, hashPassword, needsRehash, newId, verifyPassword } from './auth.ts';
import type { Classroom, ClassroomHandler } from './context.ts';
import { endSession, requireTeacher, startSession } from './identity.ts';
import { CLASSROOM_BODY_BYTES } from './limits.ts';
import type { TeacherRow } from './store.ts';

const info = (t: TeacherRow): TeacherInfo => ({ id: t.id, email: t.email, name: t.name });

/** One attempt from this address (and for this email): 429 with Retry-After when over the rate. */
function takeAttempt(c: Classroom, client: string, email?: string): void {
  const perMinute = c.lab.config.SIGN_IN_PER_MINUTE;
  if (!c.signInRate.take(client)) {
    throw new Busy(`too many sign-in attempts from your address (${perMinute} per minute after a burst); wait and try again`, c.signInRate.waitSeconds(client));
  }
  if (email !== undefined && !c.emailRate.take(email)) {
    throw new Busy(`too many sign-in attempts for this account (${perMinute} per minute after a burst); wait and try again`, c.emailRate.waitSeconds(email));
  }
}

export const signup: ClassroomHandler = async (c, req, res) => {
  const { email, password, name } = parseInput(SignupRequestSchema, await readJsonBody(req, CLASSROOM_BODY_BYTES));
  takeAttempt(c, clientOf(c.lab, req));
  const teacher: TeacherRow = { id: newId(), email, name, passwordHash: await hashPassword(password), createdAt: Date.now() };
  if (!(await c.store.createTeacher(teacher))) throw new HttpError(409, 'an account with this email exists already (sign in instead)');
  await startSession(c, req, res, 'teacher', teacher.id);
  sendJson(res, 201, info(teacher));
};

export const login: ClassroomHandler = async (c, req, res) => {
  const { email, password } = parseInput(LoginRequestSchema, await readJsonBody(req, CLASSROOM_BODY_BYTES));
  takeAttempt(c, clientOf(c.lab, req), email);
  const teacher = await c.store.teacherByEmail(email);
  // An unknown email costs the same hash as a wrong password: the answer's timing does not tell them apart.
  const ok = await verifyPassword(password, teacher?.passwordHash ?? (await dummyPasswordHash()));
  if (!teacher || !ok) throw new HttpError(401, 'wrong email or password');
  if (needsRehash(teacher.passwordHash)) await c.store.setPasswordHash(teacher.id, await hashPassword(password));
  await startSession(c, req, res, 'teacher', teacher.id);
  sendJson(res, 200, info(teacher));
};

export const logout: ClassroomHandler = async (c, req, res) => {
  await endSession(c, req, res, 'teacher');
  res.writeHead(204, { 'cache-control': 'no-store' });
  res.end();
};

export const me: ClassroomHandler = async (c, req, res) => {
  sendJson(res, 200, info(await requireTeacher(c, req)));
};
