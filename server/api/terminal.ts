/**
 * The terminal's door: `GET /api/terminal/status`, and the WebSocket upgrade
 * at TERMINAL_PATH?lesson=ID, which checks the origin, the rate, the
 * machine's, address's and session's terminal slots and the lesson before it
 * hands the socket to a shell session in the lesson's folder
 * (terminal-shell.ts). Frames are JSON: TerminalClientMessage in,
 * TerminalServerMessage out (src/lib/protocol.ts).
 */
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { SessionStore } from '../sessions.ts';
import { sendJson } from '../http/json.ts';
import { HttpError } from '../http/errors.ts';
import { lessonCwd, openLessonFolder } from '../workspace/lesson-folder.ts';
import { clientOf, lessonById, type Lab } from '../lab.ts';
import { queryParam } from '../http/query.ts';
import { sessionOf } from './context.ts';
import { refused } from '../observability/metrics.ts';
import { TerminalSlots, type Claim } from '../fairness/terminal-slots.ts';
import { startShell } from './terminal-shell.ts';

/** Largest frame a client may send (a paste of a big file is fine, a flood is not). */
export const MAX_TERMINAL_FRAME_BYTES = 64 * 1024;
/** Open terminals per session (tabs, reconnects) before new ones are refused. */
export const MAX_TERMINALS_PER_SESSION = 4;
/**
 * Answers a refused upgrade and closes the socket once the answer is out:
 * HTTP server sockets allow half-open connections, and a client that never
 * closes its side must not keep what the upgrade claimed.
 */
function reject(socket: Duplex, status: number, message: string): void {
  if (status === 429) refused('terminal');
  const body = JSON.stringify({ error: message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}

/** Browsers always send Origin on WebSockets: it must be this very host (no cross-site terminals). */
function originAllowed(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin) return true; // not a browser: the session cookie is the credential
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/** The headers ws's handleUpgrade requires (checked first, so a malformed upgrade costs nothing). */
function isWebSocketHandshake(req: IncomingMessage): boolean {
  return (
    req.method === 'GET' &&
    (req.headers.upgrade ?? '').toLowerCase() === 'websocket' &&
    /^[+/0-9A-Za-z]{22}==$/.test(req.headers['sec-websocket-key'] ?? '') &&
    ['8', '13'].includes(req.headers['sec-websocket-version'] ?? '')
  );
}

/** The machine's terminal slots, from the configuration (one per server). */
export function terminalSlotsFor(lab: Lab): TerminalSlots {
  return new TerminalSlots({
    machine: lab.config.MAX_TERMINALS,
    perClient: lab.config.MAX_TERMINALS_PER_CLIENT,
    perSession: MAX_TERMINALS_PER_SESSION,
  });
}

/**
 * `GET /api/terminal/status`: whether this browser could open a terminal now,
 * and if not why and when to retry. A browser cannot read the answer of a
 * refused WebSocket upgrade, so the page asks here to tell the learner.
 */
export function terminalStatusHandler(slots: TerminalSlots) {
  return async (lab: Lab, req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // Unverified is enough: it only selects which session's count to report.
    const session = SessionStore.idFromCookie(req.headers.cookie);
    sendJson(res, 200, slots.status(clientOf(lab, req), session));
  };
}

export function terminalUpgradeHandler(lab: Lab, slots: TerminalSlots = terminalSlotsFor(lab)) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_TERMINAL_FRAME_BYTES });
  return async (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    socket.on('error', () => {});
    // Everything claimed below (a terminal slot, the session's busy mark) is
    // given back when the socket closes, whichever way it closes: a refusal, a
    // handshake ws rejects, a client gone mid-upgrade, the terminal's end.
    const claims: Claim[] = [];
    let closed = false;
    const releaseAll = () => {
      for (const c of claims.splice(0)) c.release();
    };
    socket.once('close', () => {
      closed = true;
      releaseAll();
    });
    const hold = (c: Claim) => {
      claims.push(c);
      if (closed || socket.destroyed) releaseAll();
    };
    if (!originAllowed(req)) return reject(socket, 403, 'cross-origin terminal connections are not allowed');
    const client = clientOf(lab, req);
    if (!lab.apiRate.take(client)) return reject(socket, 429, 'too many requests from your address; slow down');
    if (!isWebSocketHandshake(req)) return reject(socket, 400, 'not a WebSocket handshake');
    // The slot is taken before the first await: upgrades racing each other are counted as they come.
    const slot = slots.claimClient(client);
    if ('refused' in slot) return reject(socket, 429, slot.refused);
    hold(slot);
    const session = await sessionOf(lab, req, null, false);
    if (!session) return reject(socket, 401, 'no session: load a lesson page first');
    // The workspace stays busy (the reaper leaves it open) until the socket closes.
    hold({ release: session.release });
    let lesson: ReturnType<typeof lessonById>;
    try {
      lesson = lessonById(lab, queryParam(req, 'lesson'));
    } catch (err) {
      return reject(socket, err instanceof HttpError ? err.status : 400, (err as Error).message);
    }
    const mine = slots.claimSession(session.id);
    if ('refused' in mine) return reject(socket, 429, mine.refused);
    hold(mine);
    try {
      await openLessonFolder(lab.folders, session, lesson);
    } catch (err) {
      return reject(socket, 409, (err as Error).message);
    }
    if (closed) return;
    wss.handleUpgrade(req, socket, head, (ws) => {
      startShell(lab, slots, ws, session, client, lessonCwd(lesson), lesson.cgo).catch((err) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'error', error: `could not start the terminal: ${(err as Error).message}` }));
        ws.close(1011);
      });
    });
  };
}
