/**
 * The terminal: a WebSocket at TERMINAL_PATH?lesson=ID joined to a bash on a
 * pty inside the learner's sandbox (server/sandbox/ptyhost), working in the
 * lesson's folder. Frames are JSON: TerminalClientMessage in,
 * TerminalServerMessage out (src/lib/protocol.ts).
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { WebSocketServer, type WebSocket } from 'ws';
import type { TerminalClientMessage, TerminalServerMessage } from '../../src/lib/protocol.ts';
import { SANDBOX_TOOLS } from '../sandbox/bwrap.ts';
import { explainExit, startSandboxed, type Started } from '../sandbox/sandbox.ts';
import type { Workspace } from '../sessions.ts';
import { BadRequestError } from '../workspace/files.ts';
import { lessonCwd, openLessonFolder } from '../workspace/lesson-folder.ts';
import { clientOf, lessonById, queryParam, sessionOf, type Lab } from './context.ts';
import { TokenBuckets } from '../fairness/token-bucket.ts';
import { PhaseRelay } from '../phases/relay.ts';
import { ProgramLimiter } from '../sandbox/program-limits.ts';

/** Largest frame a client may send (a paste of a big file is fine, a flood is not). */
export const MAX_TERMINAL_FRAME_BYTES = 64 * 1024;
/** Open terminals per session (tabs, reconnects) before new ones are refused. */
export const MAX_TERMINALS_PER_SESSION = 4;
/** Output waiting for a slow browser: the shell is paused above HIGH, resumed below LOW. */
export const TERMINAL_BUFFER_HIGH_BYTES = 1024 * 1024;
export const TERMINAL_BUFFER_LOW_BYTES = 256 * 1024;
/** Accepted terminal sizes. */
export const MAX_TERMINAL_COLS = 1000;
export const MAX_TERMINAL_ROWS = 500;

const openTerminals = new Map<string, number>();
let terminalsOnMachine = 0;

function reject(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ error: message });
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n`
    + `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
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

export function terminalUpgradeHandler(lab: Lab) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_TERMINAL_FRAME_BYTES });
  return async (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    socket.on('error', () => {});
    if (!originAllowed(req)) return reject(socket, 403, 'cross-origin terminal connections are not allowed');
    if (!lab.apiRate.take(clientOf(lab, req))) return reject(socket, 429, 'too many requests from your address; slow down');
    const session = await sessionOf(lab, req, null, false);
    if (!session) return reject(socket, 401, 'no session: load a lesson page first');
    // The workspace stays busy (the reaper leaves it open) until the terminal closes.
    const refuse = (status: number, message: string) => {
      session.release();
      reject(socket, status, message);
    };
    let lesson;
    try {
      lesson = lessonById(lab, queryParam(req, 'lesson'));
    } catch (err) {
      return refuse((err as BadRequestError).status ?? 400, (err as Error).message);
    }
    if (terminalsOnMachine >= lab.config.MAX_TERMINALS) {
      return refuse(429, `the lab has its maximum of ${lab.config.MAX_TERMINALS} terminals open; try again in a minute`);
    }
    const open = openTerminals.get(session.id) ?? 0;
    if (open >= MAX_TERMINALS_PER_SESSION) {
      return refuse(429, `too many terminals open in this session (limit ${MAX_TERMINALS_PER_SESSION})`);
    }
    try {
      await openLessonFolder(lab.folders, session, lesson);
    } catch (err) {
      return refuse(409, (err as Error).message);
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      openTerminals.set(session.id, (openTerminals.get(session.id) ?? 0) + 1);
      terminalsOnMachine++;
      ws.on('close', () => {
        terminalsOnMachine--;
        const n = (openTerminals.get(session.id) ?? 1) - 1;
        if (n > 0) openTerminals.set(session.id, n); else openTerminals.delete(session.id);
        session.release();
      });
      startShell(lab, ws, session, lessonCwd(lesson), lesson.cgo).catch((err) => {
        ws.send(JSON.stringify({ type: 'error', error: `could not start the terminal: ${(err as Error).message}` }));
        ws.close(1011);
      });
    });
  };
}

async function startShell(lab: Lab, ws: WebSocket, workspace: Workspace, cwd: string, cgo: boolean): Promise<void> {
  const send = (m: TerminalServerMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
  };
  // Listen at once: what the client sends while the sandbox starts is queued, not lost.
  const pending: TerminalClientMessage[] = [];
  let deliver = (m: TerminalClientMessage) => { pending.push(m); };
  let ended = false;
  let message: string | undefined;
  let kill = () => {};
  const end = (why?: string) => {
    if (ended) return;
    ended = true;
    message = why;
    kill(); // bwrap's pid 1 goes, and every process of the shell with it
  };
  const idle = () => end(`terminal closed after ${Math.round(lab.config.TERMINAL_IDLE_MS / 60000)} min without input (idle limit)`);
  let idleTimer = setTimeout(idle, lab.config.TERMINAL_IDLE_MS);
  const capTimer = setTimeout(() => end(`terminal closed after ${Math.round(lab.config.TERMINAL_MAX_MS / 60000)} min (session limit)`), lab.config.TERMINAL_MAX_MS);
  const rate = new TokenBuckets(lab.config.TERMINAL_MESSAGES_BURST, lab.config.TERMINAL_MESSAGES_PER_SECOND, 1);
  let warned = false;
  ws.on('message', (raw, isBinary) => {
    if (!rate.take('ws')) {
      // Dropped, and said once: a flood must not cost the server more than reading it.
      if (!warned) send({ type: 'error', error: 'too many messages: input is being dropped; slow down' });
      warned = true;
      return;
    }
    warned = false;
    clearTimeout(idleTimer);
    idleTimer = setTimeout(idle, lab.config.TERMINAL_IDLE_MS);
    const msg = parseClientMessage(isBinary ? null : raw.toString());
    if (!msg) {
      send({ type: 'error', error: 'unreadable message: expected JSON {"type":"input","data":...} or {"type":"resize","cols":N,"rows":N}' });
      return;
    }
    deliver(msg);
  });
  ws.on('close', () => end());

  let started: Started;
  try {
    started = await startSandboxed(lab.sandbox, {
      user: workspace.owner,
      home: workspace.home,
      gocache: workspace.gocache,
      cwd,
      env: {
        // fd 4 of ptyhost (the event channel) becomes fd 3 of the shell and its go commands.
        LAB_EVENTS_FD: '3',
        TERM: 'xterm-256color',
        PS1: '\\[\\e[1;34m\\]\\w\\[\\e[0m\\] $ ',
        ...(cgo ? { CGO_ENABLED: '1' } : {}),
      },
      // fd 3 of ptyhost: the control pipe (resizes); fd 4: the go wrapper's event channel.
      stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'],
      command: [`${SANDBOX_TOOLS}/ptyhost`, '--', '/bin/bash', '-i'],
    });
  } catch (err) {
    clearTimeout(idleTimer);
    clearTimeout(capTimer);
    throw err;
  }
  const { child } = started;
  kill = () => child.kill('SIGKILL');
  if (ended) kill();
  const control = child.stdio[3] as NodeJS.WritableStream & { on(e: 'error', f: () => void): void };

  // Backpressure: a program printing without end must not pile up in the
  // server's memory when the browser reads slower than it writes.
  let paused = false;
  const drainCheck = setInterval(() => {
    if (paused && ws.bufferedAmount < TERMINAL_BUFFER_LOW_BYTES) {
      paused = false;
      child.stdout!.resume();
      child.stderr!.resume();
    }
  }, 50);
  for (const stream of [child.stdout!, child.stderr!]) {
    const decoder = new StringDecoder('utf8');
    stream.on('data', (chunk: Buffer) => {
      const data = decoder.write(chunk);
      if (data) send({ type: 'output', data });
      if (ws.bufferedAmount > TERMINAL_BUFFER_HIGH_BYTES && !paused) {
        paused = true;
        child.stdout!.pause();
        child.stderr!.pause();
      }
    });
  }
  child.on('close', () => clearInterval(drainCheck));
  // go commands typed in the shell: their phases go to the page like a Run's,
  // and go run's program gets the program limits while it runs.
  const limiter = new ProgramLimiter(started.cgroup);
  const relay = new PhaseRelay((event) => {
    limiter.observe(event);
    send(event);
  });
  const events = child.stdio[4] as NodeJS.ReadableStream;
  events.setEncoding('utf8');
  events.on('data', (chunk: string) => relay.push(chunk));
  child.on('error', (err) => send({ type: 'error', error: `could not start the terminal: ${err.message}` }));
  child.on('close', async (code, signal) => {
    clearTimeout(idleTimer);
    clearTimeout(capTimer);
    await limiter.end();
    const usage = await started.finish().catch(() => null);
    const exitCode = code ?? 128 + 9;
    const why = message ?? (usage && !ended ? explainExit(exitCode, signal, usage, lab.sandbox.limits, limiter.programHits(usage)).message : undefined);
    send({ type: 'exit', code: exitCode, ...(why ? { message: why } : {}) });
    ws.close(1000);
  });
  // Errors on pipes to a process that died are expected; 'close' reports the end.
  child.stdin!.on('error', () => {});
  control.on('error', () => {});

  deliver = (msg) => {
    if (msg.type === 'input') child.stdin!.write(msg.data);
    else control.write(`resize ${msg.cols} ${msg.rows}\n`);
  };
  for (const m of pending.splice(0)) deliver(m);
}

/** A valid client message, or null. */
export function parseClientMessage(text: string | null): TerminalClientMessage | null {
  if (text === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const m = value as Record<string, unknown>;
  if (!m || typeof m !== 'object') return null;
  if (m.type === 'input' && typeof m.data === 'string') return { type: 'input', data: m.data };
  if (m.type === 'resize'
    && Number.isInteger(m.cols) && Number.isInteger(m.rows)
    && (m.cols as number) >= 1 && (m.cols as number) <= MAX_TERMINAL_COLS
    && (m.rows as number) >= 1 && (m.rows as number) <= MAX_TERMINAL_ROWS) {
    return { type: 'resize', cols: m.cols as number, rows: m.rows as number };
  }
  return null;
}
