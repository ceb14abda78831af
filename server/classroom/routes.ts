/**
 * The classroom API (docs/api.md, "Classes"): its routes, and the one place
 * app.ts hands classroom requests to. Opens the database (DATA_DIR/classroom/
 * classroom.sqlite, migrated at start-up) and settles what a stopped server
 * left behind (submissions it was grading, expired sessions).
 *
 * Every write request (POST, PUT, DELETE) from another site's page is refused
 * (403) before anything else; see identity.ts isCrossOrigin.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Lab } from '../api/context.ts';
import { TokenBuckets } from '../fairness/token-bucket.ts';
import { sendError } from '../http/json.ts';
import { Router } from '../http/router.ts';
import type { Classroom, ClassroomHandler } from './context.ts';
import { INTERRUPTED_RESULT } from './grade.ts';
import { isCrossOrigin } from './identity.ts';
import { SqliteStore } from './sqlite-store.ts';
import type { ClassroomStore } from './store.ts';
import * as teacher from './teacher-routes.ts';
import * as classes from './class-routes.ts';
import * as learner from './learner-routes.ts';
import * as submissions from './submission-routes.ts';

/** The API paths the classroom owns (app.ts hands them over by prefix). */
export const CLASSROOM_PREFIXES = ['/api/teacher', '/api/classes', '/api/join', '/api/recover', '/api/me', '/api/assignments', '/api/submissions'];

/** How often expired sessions are deleted. */
const SESSION_PURGE_INTERVAL_MS = 60 * 60_000;

const router = new Router<ClassroomHandler>()
  .add('POST', '/api/teacher/signup', teacher.signup)
  .add('POST', '/api/teacher/login', teacher.login)
  .add('POST', '/api/teacher/logout', teacher.logout)
  .add('GET', '/api/teacher/me', teacher.me)
  .add('POST', '/api/classes', classes.createClass)
  .add('GET', '/api/classes', classes.listClasses)
  .add('GET', '/api/classes/:id', classes.getClass)
  .add('POST', '/api/classes/:id/join-code', classes.joinCode)
  .add('POST', '/api/classes/:id/learners/:learnerId/recovery-code', classes.resetRecoveryCode)
  .add('POST', '/api/classes/:id/assignments', classes.createAssignment)
  .add('GET', '/api/classes/:id/results', classes.results)
  .add('GET', '/api/classes/:id/results.csv', classes.resultsCsv)
  .add('POST', '/api/classes/:id/regrade', submissions.regrade)
  .add('POST', '/api/join', learner.join)
  .add('POST', '/api/recover', learner.recover)
  .add('GET', '/api/me/assignments', learner.myAssignments)
  .add('POST', '/api/assignments/:id/submissions', learner.submit)
  .add('GET', '/api/submissions/:id', submissions.getSubmission)
  .add('POST', '/api/submissions/:id/override', submissions.override);

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface ClassroomService {
  /** True when the path is the classroom's (then handle answers it). */
  owns(path: string): boolean;
  /** Answers a classroom request; errors are thrown for app.ts to answer (BadRequestError, Busy). */
  handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>;
  close(): void;
}

export const DATABASE_FILE = join('classroom', 'classroom.sqlite');

export async function openClassroom(lab: Lab, store: ClassroomStore = new SqliteStore(join(lab.config.dataDir, DATABASE_FILE))): Promise<ClassroomService> {
  const config = lab.config;
  const c: Classroom = {
    lab,
    store,
    signInRate: new TokenBuckets(config.SIGN_IN_BURST, config.SIGN_IN_PER_MINUTE / 60),
    emailRate: new TokenBuckets(config.SIGN_IN_BURST, config.SIGN_IN_PER_MINUTE / 60),
    codeRate: new TokenBuckets(config.CODE_ATTEMPTS_BURST, config.CODE_ATTEMPTS_PER_MINUTE / 60),
    regrading: new Set(),
  };
  const interrupted = await store.failPending(INTERRUPTED_RESULT, Date.now());
  if (interrupted) console.warn(`[lab] classroom: ${interrupted} submissions were being graded when the server stopped; they are marked as errors (a regrade grades them again)`);
  await store.purgeExpiredSessions(Date.now());
  const purge = setInterval(() => {
    store.purgeExpiredSessions(Date.now()).catch((err) => console.error('[lab] classroom: purging expired sessions failed:', err));
  }, SESSION_PURGE_INTERVAL_MS);
  purge.unref();

  return {
    owns: (path) => CLASSROOM_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`)),
    async handle(req, res, path) {
      const method = req.method ?? '';
      if (WRITE_METHODS.has(method) && isCrossOrigin(req)) return sendError(res, 403, 'cross-origin request refused');
      const match = router.match(method, path);
      if (!match) return sendError(res, 404, `no API endpoint ${path}`);
      if ('allowed' in match) {
        res.setHeader('allow', match.allowed.join(', '));
        return sendError(res, 405, `${method} is not allowed on ${path} (use ${match.allowed.join(' or ')})`);
      }
      await match.handler(c, req, res, match.params);
    },
    close() {
      clearInterval(purge);
      store.close();
    },
  };
}
