/**
 * The running lab as every layer above the sandbox sees it (the API, the
 * classroom, the grading), and the per-client accounting they share: who is
 * asking, what a command counts against, a Run's limits. It sits below
 * server/api/ and server/classroom/ so both may import it.
 */
import type { IncomingMessage } from 'node:http';
import type { LabConfig } from './config.ts';
import type { Lesson, Lessons } from './lessons.ts';
import { HttpError } from './http/errors.ts';
import { seconds, type RunLimits, type Sandbox } from './sandbox/sandbox.ts';
import type { SessionStore } from './sessions.ts';
import { Busy, type Admission, type Claimant } from './fairness/admission.ts';
import type { TokenBuckets } from './fairness/token-bucket.ts';
import type { WarmPool } from './sandbox/warm.ts';
import type { HeavyClients } from './fairness/heavy-clients.ts';
import type { LessonFolderDeps } from './workspace/lesson-folder.ts';

export interface Lab {
  config: LabConfig;
  lessons: Lessons;
  sessions: SessionStore;
  sandbox: Sandbox;
  folders: LessonFolderDeps;
  /** Sessions with a Run in progress: one at a time each. */
  activeRuns: Set<string>;
  /** Sandboxes started ahead of each session's next Run. */
  warm: WarmPool;
  /** Clients whose commands ran long lately: their next ones start with low CPU weight. */
  heavyClients: HeavyClients;
  /** Slots and queue for commands on this machine. */
  admission: Admission;
  /** Per client address: API requests, and new sessions. */
  apiRate: TokenBuckets;
  /** Runs and checks per learner, and per address (the backstop). */
  runRate: TokenBuckets;
  addressRunRate: TokenBuckets;
  sessionRate: TokenBuckets;
}

/** Who is asking, for per-client limits: the peer address (or the proxy's word for it). */
export function clientOf(lab: Lab, req: IncomingMessage): string {
  if (lab.config.TRUST_PROXY) {
    const forwarded = String(req.headers['x-forwarded-for'] ?? '')
      .split(',')[0]
      .trim();
    if (forwarded) return forwarded;
  }
  return req.socket.remoteAddress ?? 'unknown';
}

/**
 * Who a command counts against: the learner (their session, when the request
 * has a valid one; else the address alone) and the address. Fairness is per
 * learner: a class behind one school address shares nothing but the backstop.
 */
export function claimantOf(lab: Lab, req: IncomingMessage, learner: string | null): Claimant {
  const address = clientOf(lab, req);
  return { learner: learner ? `learner:${learner}` : `address:${address}`, address };
}

/**
 * Takes one Run from the learner's Run rate (Runs and exercise checks share
 * it) and one from the address's backstop, or throws Busy (429 with
 * Retry-After and words a learner understands).
 */
export function takeRun(lab: Lab, who: Claimant): void {
  if (!lab.runRate.take(who.learner, 1)) {
    throw new Busy(
      `you pressed Run very often: one per ${seconds(lab.config.RUN_INTERVAL_MS)} after ${lab.config.RUNS_BURST} in a row; try again in ${lab.runRate.waitSeconds(who.learner)} s`,
      lab.runRate.waitSeconds(who.learner),
      'run-rate',
    );
  }
  if (!lab.addressRunRate.take(who.address, 1)) {
    throw new Busy(
      `too many Runs from your network right now; try again in ${lab.addressRunRate.waitSeconds(who.address)} s`,
      lab.addressRunRate.waitSeconds(who.address),
      'address-run-rate',
    );
  }
}

/** The limits of one command of a Run or a check, from the configuration. */
export function runLimits(config: LabConfig): RunLimits {
  return {
    timeoutMs: config.RUN_TIMEOUT_MS,
    programTimeoutMs: config.PROGRAM_TIMEOUT_MS,
    outputLimitBytes: config.RUN_OUTPUT_LIMIT_BYTES,
  };
}

/** Looks up a lesson id from a query or body; 400 when malformed, 404 when unknown. */
export function lessonById(lab: Lab, id: unknown): Lesson {
  if (typeof id !== 'string' || id === '') throw new HttpError(400, 'missing lesson id (query parameter "lesson")');
  const lesson = lab.lessons.get(id);
  if (!lesson) throw new HttpError(404, `unknown lesson ${JSON.stringify(id.slice(0, 100))}`);
  return lesson;
}
