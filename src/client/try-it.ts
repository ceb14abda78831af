/**
 * "Try it" on a lesson's runnable blocks (<pre data-try>, marked at build
 * time by astro.config.mjs): one click types the block's command into the
 * workbench's terminal, in a subshell started in the lesson's folder
 * (subshellCommand), and runs it there, so the learner sees it work (and
 * the phase view follows, as for anything typed in the terminal).
 */
import { ui } from '../lib/ui-strings.ts';
import { subshellCommand } from './try-command.ts';

/** Detail of the `lab:terminal-type` event; the terminal (terminal.ts) cancels it when it takes the text. */
export interface TerminalTypeRequest {
  text: string;
}

/** How long to wait for the terminal to start (it loads when the page is idle). */
const TERMINAL_WAIT_MS = 10_000;
const RETRY_MS = 250;

function sendToTerminal(text: string): Promise<boolean> {
  const deadline = Date.now() + TERMINAL_WAIT_MS;
  return new Promise((resolve) => {
    const attempt = () => {
      const event = new CustomEvent<TerminalTypeRequest>('lab:terminal-type', { detail: { text }, cancelable: true });
      document.dispatchEvent(event);
      if (event.defaultPrevented) resolve(true);
      else if (Date.now() > deadline) resolve(false);
      else setTimeout(attempt, RETRY_MS);
    };
    attempt();
  });
}

const lesson = document.querySelector<HTMLElement>('[data-workbench]')?.dataset.lesson ?? '';
for (const pre of document.querySelectorAll<HTMLElement>('article pre[data-try]')) {
  const command = (pre.textContent ?? '').replace(/\n+$/, '');
  const bar = document.createElement('div');
  bar.className = 'try-bar';
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'try-button';
  button.textContent = ui.tryIt;
  button.setAttribute('aria-label', ui.tryItLabel(command.split('\n')[0]));
  const status = document.createElement('span');
  status.className = 'try-status';
  status.setAttribute('role', 'status');
  bar.append(button, status);
  pre.after(bar);
  button.addEventListener('click', async () => {
    status.textContent = '';
    // On a phone: over to the Code view, where the terminal is (view-switch.ts).
    document.dispatchEvent(new CustomEvent('lab:show-code'));
    const terminal = document.querySelector<HTMLElement>('[data-terminal]');
    terminal?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    status.textContent = (await sendToTerminal(subshellCommand(command, lesson))) ? ui.tryItSent : ui.tryItNoTerminal;
    // Again once it has the text: a smooth scroll can be cut short by the
    // layout settling (the Code view just appeared, the editor loading).
    terminal?.scrollIntoView({ block: 'nearest' });
  });
}
