/**
 * The classroom API (docs/api.md, "Classes"): its routes, which app.ts adds
 * to the server's one router (mount). Opens the database (DATA_DIR/classroom/
 * classroom.sqlite, migrated at start-up) and settles what a stopped server
 * left behind: its pending submissions are queued to be graded again
 * (grading-queue.ts), expired sessions deleted.
 *
 * Every write request (POST, PUT, DELETE) from another site's page is refused
 * (403) before its handler runs; see identity.ts isCrossOrigin.
 */
import type { Lab } from '../lab.ts';
import { TokenBuckets } from '../fairness/token-bucket.ts';
import { sendError } from '../http/json.ts';
import type { RouteHandler, Router } from '../http/router.ts';
import { CodeGuard } from './code-guard.ts';
import type { Classroom, ClassroomHandler } from './context.ts';
import { ClassroomEvents } from './events.ts';
import { GradingQueue } from './grading-queue.ts';
import { observeGradingQueue } from '../observability/metrics.ts';
import { isCrossOrigin } from './identity.ts';
import { openStore } from './store-open.ts';
import { addReadinessCheck } from '../observability/routes.ts';
import type { ClassroomStore } from './store.ts';
import * as teacher from './teacher-routes.ts';
import * as classes from './class-routes.ts';
import * as learner from './learner-routes.ts';
import * as submissions from './submission-routes.ts';
import * as progress from './progress-routes.ts';

/** How often expired sessions are deleted. */
const SESSION_PURGE_INTERVAL_MS = 60 * 60_000;

const ROUTES: ReadonlyArray<[method: string, pattern: string, handler: ClassroomHandler]> = [
  ['POST', '/api/teacher/signup', teacher.signup],
  ['POST', '/api/teacher/login', teacher.login],
  ['POST', '/api/teacher/logout', teacher.logout],
  ['GET', '/api/teacher/me', teacher.me],
  ['POST', '/api/classes', classes.createClass],
  ['GET', '/api/classes', classes.listClasses],
  ['GET', '/api/classes/:id', classes.getClass],
  ['PATCH', '/api/classes/:id', classes.updateClass],
  ['DELETE', '/api/classes/:id', classes.deleteClass],
  ['GET', '/api/classes/:id/events', classes.classEvents],
  ['POST', '/api/classes/:id/join-code', classes.joinCode],
  ['POST', '/api/classes/:id/learners/:learnerId/recovery-code', classes.resetRecoveryCode],
  ['POST', '/api/classes/:id/assignments', classes.createAssignment],
  ['PATCH', '/api/classes/:id/assignments/:assignmentId', classes.updateAssignment],
  ['DELETE', '/api/classes/:id/assignments/:assignmentId', classes.deleteAssignment],
  ['GET', '/api/classes/:id/learners/:learnerId/submissions', submissions.history],
  ['GET', '/api/classes/:id/results', classes.results],
  ['GET', '/api/classes/:id/results.csv', classes.resultsCsv],
  ['POST', '/api/classes/:id/regrade', submissions.regrade],
  ['POST', '/api/join', learner.join],
  ['POST', '/api/recover', learner.recover],
  ['GET', '/api/me/assignments', learner.myAssignments],
  ['GET', '/api/me/progress', progress.getProgress],
  ['PUT', '/api/me/progress', progress.markDone],
  ['GET', '/api/me/files', progress.getFiles],
  ['PUT', '/api/me/files', progress.saveFiles],
  ['POST', '/api/assignments/:id/submissions', learner.submit],
  ['GET', '/api/submissions/:id', submissions.getSubmission],
  ['GET', '/api/submissions/:id/events', submissions.submissionEvents],
  ['POST', '/api/submissions/:id/override', submissions.override],
];

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface ClassroomService {
  /**
   * Adds the classroom's routes to the server's router. Their errors are
   * thrown for app.ts to answer (HttpError, Busy).
   */
  mount(router: Router<RouteHandler>): void;
  close(): void;
}

export async function openClassroom(lab: Lab, given?: ClassroomStore): Promise<ClassroomService> {
  const config = lab.config;
  const store = given ?? (await openStore(config));
  // /readyz says "not ready" while the classroom's database does not answer (a lookup that finds nothing).
  addReadinessCheck('classroom database', async () => {
    await store.teacherById('readiness-probe');
  });
  const events = new ClassroomEvents();
  const c: Classroom = {
    lab,
    store,
    signInRate: new TokenBuckets(config.SIGN_IN_BURST, config.SIGN_IN_PER_MINUTE / 60),
    emailRate: new TokenBuckets(config.SIGN_IN_BURST, config.SIGN_IN_PER_MINUTE / 60),
    codeGuard: new CodeGuard({ perAddressBurst: config.CODE_ATTEMPTS_BURST, perAddressPerMinute: config.CODE_ATTEMPTS_PER_MINUTE }),
    regrading: new Set(),
    events,
    grading: new GradingQueue(lab, store, events),
  };
  observeGradingQueue(c.grading);
  // Stored but not graded when the last server stopped (or still waiting): graded now, as any new one.
  const requeued = await c.grading.requeuePending();
  if (requeued)
    console.warn(`[lab] classroom: ${requeued} submissions were waiting for their grade when the server stopped; they are queued to be graded again`);
  await store.purgeExpiredSessions(Date.now());
  const purge = setInterval(() => {
    store.purgeExpiredSessions(Date.now()).catch((err) => console.error('[lab] classroom: purging expired sessions failed:', err));
  }, SESSION_PURGE_INTERVAL_MS);
  purge.unref();

  return {
    mount(router) {
      for (const [method, pattern, handler] of ROUTES) {
        const write = WRITE_METHODS.has(method);
        router.add(method, pattern, async (req, res, params) => {
          if (write && isCrossOrigin(req)) return sendError(res, 403, 'cross-origin request refused');
          await handler(c, req, res, params);
        });
      }
    },
    close() {
      clearInterval(purge);
      // First: no grading finishing from here on is stored (it may have been cut off); the next start grades it.
      c.grading.close();
      events.closeAll();
      store.close().catch((err) => console.error('[lab] classroom: closing the database failed:', err));
    },
  };
}
