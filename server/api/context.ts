/** What every API handler works with, and the request helpers they share. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LabConfig } from '../config.ts';
import type { Lesson, Lessons } from '../lessons.ts';
import type { Sandbox } from '../sandbox/sandbox.ts';
import { SessionStore, type Session } from '../sessions.ts';
import { BadRequestError } from '../workspace/files.ts';
import type { LessonFolderDeps } from '../workspace/lesson-folder.ts';

export interface Lab {
  config: LabConfig;
  lessons: Lessons;
  sessions: SessionStore;
  sandbox: Sandbox;
  folders: LessonFolderDeps;
  /** Sessions with a Run in progress: one at a time each. */
  activeRuns: Set<string>;
}

/** The caller's session; with create, a new one (and its cookie) when there is none. */
export async function sessionOf(lab: Lab, req: IncomingMessage, res: ServerResponse | null, create: boolean): Promise<Session | null> {
  const existing = await lab.sessions.get(SessionStore.idFromCookie(req.headers.cookie));
  if (existing || !create || !res) return existing;
  const session = await lab.sessions.create();
  const secure = (req.headers['x-forwarded-proto'] ?? '') === 'https';
  res.setHeader('set-cookie', SessionStore.cookieFor(session.id, secure));
  return session;
}

/** Looks up a lesson id from a query or body; 400 when malformed, 404 when unknown. */
export function lessonById(lab: Lab, id: unknown): Lesson {
  if (typeof id !== 'string' || id === '') throw new BadRequestError('missing lesson id (query parameter "lesson")');
  const lesson = lab.lessons.get(id);
  if (!lesson) throw new BadRequestError(`unknown lesson ${JSON.stringify(id.slice(0, 100))}`, 404);
  return lesson;
}

export function queryParam(req: IncomingMessage, name: string): string | null {
  return new URL(req.url ?? '/', 'http://lab').searchParams.get(name);
}
