/** What every API handler works with, and the request helpers they share. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SessionStore, type Session } from '../sessions.ts';
import { Busy } from '../fairness/admission.ts';
import { clientOf, type Lab } from '../lab.ts';

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
      throw new Busy(
        `too many new sessions from your address (limit ${lab.config.NEW_SESSIONS_PER_MINUTE} per minute)`,
        lab.sessionRate.waitSeconds(client),
        'session-rate',
      );
    }
    found = await lab.sessions.create();
    const secure = (req.headers['x-forwarded-proto'] ?? '') === 'https';
    res.setHeader('set-cookie', SessionStore.cookieFor(found.session.id, secure));
  }
  if (!found) return null;
  if (res) res.on('close', found.release);
  return { ...found.session, release: found.release };
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
