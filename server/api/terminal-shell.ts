/**
 * One terminal's session: a bash on a pty inside the learner's sandbox
 * (server/sandbox/ptyhost), joined to an accepted WebSocket (terminal.ts
 * admits and upgrades it). Output and input are paused and resumed so a
 * browser that does not read, or a shell that does not, cannot make the
 * server hold more than the limits below; the go commands' build events are
 * relayed as TerminalServerMessage frames (src/lib/protocol.ts).
 */
import type { ChildProcess } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import type { WebSocket } from 'ws';
import { TerminalClientMessageSchema, type TerminalClientMessage, type TerminalServerMessage } from '../../src/lib/protocol.ts';
import { SANDBOX_TOOLS } from '../sandbox/bwrap.ts';
import { explainExit, FULL_CPU_WEIGHT_MS, seconds, startSandboxed, type Started } from '../sandbox/sandbox.ts';
import type { Workspace } from '../sessions.ts';
import type { Lab } from '../lab.ts';
import { TokenBuckets } from '../fairness/token-bucket.ts';
import { commandStarted } from '../observability/metrics.ts';
import { PhaseRelay, type RelayBudget } from '../phases/relay.ts';
import { ProgramLimiter } from '../sandbox/program-limits.ts';
import type { TerminalSlots } from '../fairness/terminal-slots.ts';
import { CpuWindow } from '../fairness/cpu-window.ts';

/**
 * Output waiting for a slow browser: the shell's output (and its go commands'
 * events) is paused above HIGH, resumed below LOW; and for all terminals
 * together, paused while they hold more than TERMINAL_OUTPUT_SERVER_MAX_BYTES.
 */
export const TERMINAL_BUFFER_HIGH_BYTES = 1024 * 1024;
export const TERMINAL_BUFFER_LOW_BYTES = 256 * 1024;
export const TERMINAL_OUTPUT_SERVER_MAX_BYTES = 16 * 1024 * 1024;
/**
 * What a browser that does not read may make the server hold for it at most:
 * beyond this (the paused output's last chunks, and answers to its own
 * messages, which are not paused) the connection is dropped.
 */
export const TERMINAL_OUTPUT_MAX_BYTES = 4 * 1024 * 1024;
/**
 * Input waiting for the shell (a paste, or a flood into a shell that does not
 * read): above HIGH the server stops reading the WebSocket (TCP pushes back on
 * the browser) until the pty has taken it down to LOW; and for all terminals
 * together, reading stops while they hold more than TERMINAL_INPUT_SERVER_MAX_BYTES.
 */
export const TERMINAL_INPUT_HIGH_BYTES = 256 * 1024;
export const TERMINAL_INPUT_LOW_BYTES = 64 * 1024;
export const TERMINAL_INPUT_SERVER_MAX_BYTES = 4 * 1024 * 1024;
/** How often paused terminals look whether they may go on (besides the pipes' drain events). */
const FLOW_CHECK_MS = 50;
/**
 * A terminal's CPU priority (fairness/cpu-window.ts): sampled this often;
 * demoted once it used FULL_CPU_WEIGHT_MS of CPU within the window.
 */
export const TERMINAL_CPU_SAMPLE_MS = 500;
export const TERMINAL_CPU_WINDOW_MS = 10_000;
/**
 * What the event channel of one terminal may bring in its life (TERMINAL_MAX_MS):
 * anything can write to fd 4, and parsing it is the server's CPU. A learner's
 * heavy session (200 go commands of ~300 KB each) is well inside; past it the
 * phase view stops with a phase-error and the rest is discarded unread.
 */
export const TERMINAL_RELAY_BUDGET: RelayBudget = { bytes: 128 * 1024 * 1024, events: 400_000 };
/** How often a terminal looks whether it is idle while learners wait (besides at each refusal). */
const PRESSURE_CHECK_MS = 15_000;

/** Bytes every open terminal holds, both ways, for the server-wide bounds. */
const flows = new Set<{ input(): number; output(): number; check(): void }>();
const serverInput = () => {
  let n = 0;
  for (const f of flows) n += f.input();
  return n;
};
const serverOutput = () => {
  let n = 0;
  for (const f of flows) n += f.output();
  return n;
};
/** Every paused terminal looks again (one drained, or closed). */
const wakeAll = () => {
  for (const f of flows) f.check();
};

export async function startShell(
  lab: Lab,
  slots: TerminalSlots,
  ws: WebSocket,
  workspace: Workspace,
  client: string,
  cwd: string,
  cgo: boolean,
): Promise<void> {
  let child: ChildProcess | undefined;
  // Output direction: what waits in the socket for the browser.
  let outputPaused = false;
  const outputStreams: NodeJS.ReadableStream[] = [];
  const send = (m: TerminalServerMessage) => {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > TERMINAL_OUTPUT_MAX_BYTES) {
      // Paused output cannot get here: only what the client's own messages
      // provoke. A client that sends but never reads is cut off.
      console.warn(`[lab] terminal of ${client} dropped: its browser did not read ${TERMINAL_OUTPUT_MAX_BYTES} bytes of output`);
      end('terminal closed: the browser stopped reading its output');
      ws.terminate();
      return;
    }
    ws.send(JSON.stringify(m));
    if (!outputPaused && (ws.bufferedAmount > TERMINAL_BUFFER_HIGH_BYTES || serverOutput() > TERMINAL_OUTPUT_SERVER_MAX_BYTES)) {
      outputPaused = true;
      for (const s of outputStreams) s.pause();
    }
  };
  // Input direction: what the client sent and the shell has not taken yet
  // (queued while the sandbox starts, then in the pipe's buffer).
  let pendingBytes = 0;
  let inputPaused = false;
  const inputWaiting = () => pendingBytes + (child?.stdin?.writableLength ?? 0);
  const flow = {
    input: inputWaiting,
    output: () => (ws.readyState === ws.OPEN ? ws.bufferedAmount : 0),
    /** Pauses or resumes each direction by its marks. */
    check() {
      const input = inputWaiting();
      if (!inputPaused && (input > TERMINAL_INPUT_HIGH_BYTES || serverInput() > TERMINAL_INPUT_SERVER_MAX_BYTES)) {
        inputPaused = true;
        ws.pause(); // stops reading the socket: the browser's sends back up in TCP
      } else if (inputPaused && input <= TERMINAL_INPUT_LOW_BYTES && serverInput() <= TERMINAL_INPUT_SERVER_MAX_BYTES) {
        inputPaused = false;
        ws.resume();
      }
      if (outputPaused && ws.bufferedAmount < TERMINAL_BUFFER_LOW_BYTES && serverOutput() <= TERMINAL_OUTPUT_SERVER_MAX_BYTES) {
        outputPaused = false;
        for (const s of outputStreams) s.resume();
      }
    },
  };
  flows.add(flow);
  const flowCheck = setInterval(() => flow.check(), FLOW_CHECK_MS);
  // Listen at once: what the client sends while the sandbox starts is queued, not lost.
  const pending: TerminalClientMessage[] = [];
  let deliver = (m: TerminalClientMessage) => {
    if (m.type === 'input') pendingBytes += Buffer.byteLength(m.data);
    pending.push(m);
  };
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
  // While learners wait for a terminal, one idle for TERMINAL_IDLE_UNDER_PRESSURE_MS is closed at once.
  let lastInput = Date.now();
  const reclaimIfIdle = () => {
    const idleMs = Date.now() - lastInput;
    if (idleMs >= lab.config.TERMINAL_IDLE_UNDER_PRESSURE_MS) {
      end(`terminal closed after ${seconds(idleMs)} without input: other learners were waiting for a terminal (press Enter to open it again)`);
    }
  };
  const stopReclaiming = slots.onPressure(reclaimIfIdle);
  const pressureTimer = setInterval(() => {
    if (slots.underPressure()) reclaimIfIdle();
  }, PRESSURE_CHECK_MS);
  pressureTimer.unref();
  ws.once('close', () => {
    stopReclaiming();
    clearInterval(pressureTimer);
  });
  const capTimer = setTimeout(
    () => end(`terminal closed after ${Math.round(lab.config.TERMINAL_MAX_MS / 60000)} min (session limit)`),
    lab.config.TERMINAL_MAX_MS,
  );
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
    lastInput = Date.now();
    const msg = parseClientMessage(isBinary ? null : raw.toString());
    if (!msg) {
      send({ type: 'error', error: 'unreadable message: expected JSON {"type":"input","data":...} or {"type":"resize","cols":N,"rows":N}' });
      return;
    }
    deliver(msg);
    flow.check();
  });
  let cpuTimer: NodeJS.Timeout | undefined;
  const stopFlows = () => {
    clearInterval(flowCheck);
    clearInterval(cpuTimer);
    flows.delete(flow);
    pending.length = 0;
    pendingBytes = 0;
    wakeAll(); // what this terminal held no longer counts against the others
  };
  ws.on('close', () => {
    end();
    stopFlows();
  });

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
    stopFlows();
    throw err;
  }
  child = started.child;
  const endTerminal = commandStarted('terminal');
  const shell = child;
  kill = () => shell.kill('SIGKILL');
  if (ended) kill();
  const control = shell.stdio[3] as NodeJS.WritableStream & { on(e: 'error', f: () => void): void };

  // Backpressure: a program printing without end must not pile up in the
  // server's memory when the browser reads slower than it writes.
  for (const stream of [shell.stdout!, shell.stderr!]) {
    outputStreams.push(stream);
    const decoder = new StringDecoder('utf8');
    stream.on('data', (chunk: Buffer) => {
      const data = decoder.write(chunk);
      if (data) send({ type: 'output', data });
    });
  }
  // The shell keeps its full CPU weight while it is quiet or briefly busy
  // (a go build typed at the prompt); a terminal that keeps the CPU busy
  // yields to others' Runs like a long Run does, and its client's next Runs
  // start demoted too (fairness/heavy-clients.ts).
  const cpu = new CpuWindow(TERMINAL_CPU_WINDOW_MS, FULL_CPU_WEIGHT_MS);
  let sampling = false;
  cpuTimer = setInterval(() => {
    if (sampling) return;
    sampling = true;
    started.cgroup
      .cpuTimeMs()
      .then(async (ms) => {
        if (ms === null || ended) return;
        const change = cpu.observe(Date.now(), ms);
        if (change === 'demote') {
          lab.heavyClients.mark(client);
          await started.cgroup.demote();
        } else if (change === 'promote') {
          await started.cgroup.promote();
        }
      })
      .catch(() => {})
      .finally(() => {
        sampling = false;
      });
  }, TERMINAL_CPU_SAMPLE_MS);
  // go commands typed in the shell: their phases go to the page like a Run's,
  // and go run's program gets the program limits while it runs.
  const limiter = new ProgramLimiter(started.cgroup);
  const relay = new PhaseRelay((event) => {
    limiter.observe(event);
    send(event);
  }, TERMINAL_RELAY_BUDGET);
  const events = shell.stdio[4] as NodeJS.ReadableStream;
  outputStreams.push(events);
  events.setEncoding('utf8');
  events.on('data', (chunk: string) => relay.push(chunk));
  if (outputPaused) for (const s of outputStreams) s.pause();
  shell.on('error', (err) => send({ type: 'error', error: `could not start the terminal: ${err.message}` }));
  shell.on('close', async (code, signal) => {
    clearTimeout(idleTimer);
    clearTimeout(capTimer);
    stopFlows();
    await limiter.end();
    const usage = await started.finish().catch(() => null);
    const exitCode = code ?? 128 + 9;
    const why = message ?? (usage && !ended ? explainExit(exitCode, signal, usage, lab.sandbox.limits, limiter.programHits(usage)).message : undefined);
    endTerminal(ended ? 'killed' : usage ? explainExit(exitCode, signal, usage, lab.sandbox.limits, limiter.programHits(usage)).reason : 'exited');
    send({ type: 'exit', code: exitCode, ...(why ? { message: why } : {}) });
    ws.close(1000);
  });
  // Errors on pipes to a process that died are expected; 'close' reports the end.
  shell.stdin!.on('error', () => {});
  control.on('error', () => {});
  // The pty took what waited: this terminal, or a paused one waiting for the server-wide total, may go on.
  shell.stdin!.on('drain', wakeAll);

  deliver = (msg) => {
    if (msg.type === 'input') shell.stdin!.write(Buffer.from(msg.data));
    else control.write(`resize ${msg.cols} ${msg.rows}\n`);
  };
  const queued = pending.splice(0);
  pendingBytes = 0;
  for (const m of queued) deliver(m);
  flow.check();
}

/** A valid client message (TerminalClientMessageSchema), or null. */
export function parseClientMessage(text: string | null): TerminalClientMessage | null {
  if (text === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const result = TerminalClientMessageSchema.safeParse(value);
  return result.success ? result.data : null;
}
