/** What every API handler works with, and the request helpers they share. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LabConfig } from '../config.ts';
import type { Lesson, Lessons } from '../lessons.ts';
import { seconds, type RunLimits, type Sandbox } from '../sandbox/sandbox.ts';
import { SessionStore, type Session } from '../sessions.ts';
import { BadRequestError } from '../workspace/files.ts';
import { Busy, type Admission, type Claimant } from '../fairness/admission.ts';
import type { TokenBuckets } from '../fairness/token-bucket.ts';
import type { WarmPool } from '../sandbox/warm.ts';
import type { HeavyClients } from '../fairness/heavy-clients.ts';
import type { LessonFolderDeps } from '../workspace/lesson-folder.ts';

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
    const forwarded = String(req.headers['x-forwarded-for'] ?? '').split(',')[0].trim();
    if (forwarded) return forwarded;
  }
  return req.socket.remoteAddress ?? 'unknown';
}

/**
 * The caller's session; with create, a new one (and its cookie) when there is none.
 * The workspace stays busy (the reaper leaves it open) until `res` closes; without
 * `res` the caller must call the returned session's release.
 */
export async function sessionOf(lab: Lab, req: IncomingMessage, res: ServerResponse | null, create: boolean): Promise<(Session & { release(): void }) | null> {
  let found = await lab.sessions.get(SessionStore.idFromCookie(req.headers.cookie));
  if (!found && create && res) {
    const client = clientOf(lab, req);
    if (!lab.sessionRate.take(client)) {
      throw new Busy(`too many new sessions from your address (limit ${lab.config.NEW_SESSIONS_PER_MINUTE} per minute)`, lab.sessionRate.waitSeconds(client), 'session-rate');
    }
    found = await lab.sessions.create();
    const secure = (req.headers['x-forwarded-proto'] ?? '') === 'https';
    res.setHeader('set-cookie', SessionStore.cookieFor(found.session.id, secure));
  }
  if (!found) return null;
  if (res) res.on('close', found.release);
  return { ...found.session, release: found.release };
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

/**
 * Where a request is in its handler (for the stall log in app.ts): a request
 * still open after REQUEST_STALL_LOG_MS is logged once with its last stage.
 */
const stages = new WeakMap<IncomingMessage, string>();
export function stage(req: IncomingMessage, name: string): void {
  stages.set(req, name);
}
export function stageOf(req: IncomingMessage): string {
  return stages.get(req) ?? 'start';
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
    throw new Busy(`you pressed Run very often: one per ${seconds(lab.config.RUN_INTERVAL_MS)} after ${lab.config.RUNS_BURST} in a row; try again in ${lab.runRate.waitSeconds(who.learner)} s`, lab.runRate.waitSeconds(who.learner), 'run-rate');
  }
  if (!lab.addressRunRate.take(who.address, 1)) {
    throw new Busy(`too many Runs from your network right now; try again in ${lab.addressRunRate.waitSeconds(who.address)} s`, lab.addressRunRate.waitSeconds(who.address), 'address-run-rate');
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
