/**
 * The terminal: xterm.js (loaded on demand) on the WebSocket at
 * /api/terminal?lesson=ID, speaking the JSON frames of src/lib/protocol.ts.
 * (xterm's stylesheet is imported by TerminalPane.astro: small, and Astro
 * bundles a page's CSS itself.)
 */
import { TERMINAL_PATH, TerminalServerMessageSchema, type TerminalClientMessage, type TerminalServerMessage } from '../lib/protocol.ts';
import { ui } from '../lib/ui-strings.ts';
import type { TerminalTypeRequest } from './try-it.ts';
import { getTerminalStatus } from './api.ts';
import { parseEvent } from './wire.ts';

/**
 * How long the terminal must stay quiet, after a line was entered or a go
 * command ended, before `onSettled` is called: long enough for a command's
 * output to come in bursts, short enough that the editor soon shows a file it
 * changed.
 */
const TERMINAL_SETTLE_MS = 700;

/**
 * `onBuildEvent` gets the build-phase messages (command, phase, graph,
 * phase-error, command-end) of go commands typed here. `onSettled` is called
 * once the terminal has been quiet for TERMINAL_SETTLE_MS after the learner
 * entered a line or an observed go command (build, run, test…) ended: the
 * moments when files may have changed. Most commands that change files
 * (`go mod tidy`, `gofmt -w`, `sed -i`) send no build events, so the entered
 * line is the usual signal; a command-end also covers a go build that stayed
 * silent for longer than that and wrote its files after the first call.
 */
export async function startTerminal(
  host: HTMLElement,
  lesson: string,
  onBuildEvent?: (event: TerminalServerMessage) => void,
  onSettled?: () => void,
): Promise<void> {
  const [{ Terminal }, { FitAddon }] = await Promise.all([import('@xterm/xterm'), import('@xterm/addon-fit')]);

  host.replaceChildren();
  const term = new Terminal({
    cursorBlink: true,
    fontFamily: "ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace",
    fontSize: 13,
    scrollback: 2000,
    theme: { background: '#000000', foreground: '#e6e9ed' },
  });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.open(host);
  term.textarea?.setAttribute('aria-label', ui.terminalAriaLabel);
  // Shift+Tab is not needed by the shell: let it move focus out (no keyboard trap).
  term.attachCustomKeyEventHandler((e) => !(e.key === 'Tab' && e.shiftKey));

  let socket: WebSocket | undefined;
  let ended = true;
  /** Input for a socket that is not open yet ("Try it" clicked while it connects). */
  const pending: string[] = [];

  const send = (message: TerminalClientMessage) => {
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  };

  // Files may have changed (a line entered, a go command ended): once the terminal
  // has been quiet for TERMINAL_SETTLE_MS, tell onSettled (once per quiet spell).
  let settleTimer: ReturnType<typeof setTimeout> | undefined;
  let awaitingSettle = false;
  /** Something happened in the terminal; `mayChangeFiles` when it is one of the moments above. */
  const activity = (mayChangeFiles: boolean) => {
    if (!onSettled) return;
    if (mayChangeFiles) awaitingSettle = true;
    if (!awaitingSettle) return;
    clearTimeout(settleTimer);
    settleTimer = setTimeout(() => {
      awaitingSettle = false;
      onSettled();
    }, TERMINAL_SETTLE_MS);
  };
  const lineEntered = (data: string) => activity(/[\r\n]/.test(data));
  const resize = () => {
    try {
      fit.fit();
    } catch {
      return; // not visible yet
    }
    send({ type: 'resize', cols: term.cols, rows: term.rows });
  };
  const end = (note?: string) => {
    if (ended) return;
    ended = true;
    if (note) term.write(`\r\n${note}`);
    term.write(`\r\n${ui.terminalEnded}\r\n`);
  };

  const connect = () => {
    ended = false;
    const protocol = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${protocol}://${location.host}${TERMINAL_PATH}?lesson=${encodeURIComponent(lesson)}`);
    socket = ws;
    ws.addEventListener('open', () => {
      resize();
      for (const data of pending.splice(0)) send({ type: 'input', data });
    });
    ws.addEventListener('message', (event) => {
      if (typeof event.data !== 'string') return;
      let message: TerminalServerMessage | null;
      try {
        message = parseEvent(TerminalServerMessageSchema, event.data);
      } catch (err) {
        // A frame of a known type with the wrong fields: said in the terminal, the session goes on.
        term.write(`\r\n${ui.terminalError((err as Error).message)}\r\n`);
        return;
      }
      if (!message) return;
      if (message.type === 'output') term.write(message.data);
      else if (message.type === 'error') term.write(`\r\n${ui.terminalError(message.error)}\r\n`);
      else if (message.type === 'exit') end(message.message);
      else onBuildEvent?.(message);
      activity(message.type === 'command-end');
    });
    let opened = false;
    ws.addEventListener('open', () => {
      opened = true;
    });
    ws.addEventListener('close', () => {
      if (socket !== ws) return;
      if (opened) return end();
      // Refused before it opened: the browser cannot read why, so ask the server (no terminal free, too many tabs, ...).
      getTerminalStatus().then(
        (status) => end(status && !status.available ? status.message : undefined),
        () => end(),
      );
    });
  };

  term.onData((data) => {
    if (ended) {
      if (data === '\r' || data === '\n') {
        term.reset();
        connect();
      }
      return;
    }
    send({ type: 'input', data });
    lineEntered(data);
  });

  // "Try it" buttons (try-it.ts) type a lesson's command here: lines as if typed, then Enter.
  document.addEventListener('lab:terminal-type', (event) => {
    const { text } = (event as CustomEvent<TerminalTypeRequest>).detail;
    event.preventDefault();
    const data = `${text.replace(/\r?\n/g, '\r')}\r`;
    if (ended) {
      term.reset();
      connect();
    }
    if (socket?.readyState === WebSocket.OPEN) send({ type: 'input', data });
    else pending.push(data);
    lineEntered(data);
    term.focus();
  });

  // Reset (workbench.ts) starts the lesson over: a new shell in the lesson folder,
  // without the old one's directory, variables, jobs or screen.
  document.addEventListener('lab:terminal-restart', () => {
    const old = socket;
    socket = undefined; // its close event then ends nothing
    old?.close();
    pending.length = 0;
    term.reset();
    connect();
  });

  new ResizeObserver(() => resize()).observe(host);
  connect();
}
