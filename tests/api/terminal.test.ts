/**
 * The terminal WebSocket: a real bash on a pty in the learner's sandbox,
 * in the lesson's folder; Ctrl-C, resize, the workspace shared with the editor;
 * and who may connect.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type LabServer } from '../helpers/server.ts';
import { newSession, TerminalClient } from '../helpers/api.ts';
import { waitFor } from '../helpers/wait.ts';

const LESSON = 'go-run/what-go-run-does';

describe('terminal', () => {
  let lab: LabServer;
  let cookie: string;
  before(async () => {
    lab = await startServer();
    cookie = (await newSession(lab.url, LESSON)).cookie;
  });
  after(() => lab?.stop());

  test('a shell in the lesson folder: go version, go build, run the binary', async () => {
    const t = new TerminalClient(lab.url, LESSON, { cookie, origin: lab.url });
    await t.opened();
    t.type('pwd; go version\n');
    await t.waitFor(/\/home\/learner\/go-run\/what-go-run-does\r?\n/);
    await t.waitFor(/go version go1\.\d+/);
    const from = t.output.length;
    t.type('go build -o hello . && ./hello && echo "built:$?"\n');
    await t.waitFor(/built:0/, 30_000, from);
    t.close();
  });

  test('go commands typed in the terminal send their phases too', async () => {
    const t = new TerminalClient(lab.url, LESSON, { cookie, origin: lab.url });
    await t.opened();
    t.type('go build -o hello2 . && echo built-ok\n');
    await t.waitFor(/^built-ok\r?$/m, 30_000);
    await t.waitForMessages((m) => m.type === 'command-end'); // events travel on their own channel
    const kinds = t.messages.map((m) => (m.type === 'phase' ? `${m.phase}:${m.state}` : m.type));
    assert.ok(kinds.includes('command'), kinds.join(','));
    assert.ok(kinds.includes('load:start') && kinds.includes('link:end'), kinds.join(','));
    assert.ok(t.messages.some((m) => m.type === 'graph' && m.final));
    assert.deepEqual(
      t.messages.filter((m) => m.type === 'command-end').map((m) => m.code),
      [0],
      "the command's end and status",
    );
    const before = t.messages.length;
    t.type('go build -o /dev/null ./nosuchdir; echo failed-ok\n');
    await t.waitFor(/^failed-ok\r?$/m, 30_000);
    await t.waitForMessages((m) => m.type === 'command-end', 1, 15_000, before);
    assert.deepEqual(
      t.messages
        .slice(before)
        .filter((m) => m.type === 'command-end')
        .map((m) => m.code),
      [1],
      'a failing go command ends with its status',
    );
    t.close();
  });

  test('Ctrl-C interrupts a running program; the shell lives on', async () => {
    const t = new TerminalClient(lab.url, LESSON, { cookie, origin: lab.url });
    await t.opened();
    // The echo's own output (not the typed line's echo) says the shell is at the sleep.
    t.type('echo "sleep-$((6*100))"; sleep 600\n');
    await t.waitFor(/^sleep-600\r?$/m);
    t.type('\x03');
    // The tty echoes ^C at once, before bash has handled SIGINT (and the tty flushed its
    // input): wait for bash's next prompt, so the next line is read by the new prompt.
    await t.waitFor(/\^C[\s\S]*\$ /);
    // An interactive bash abandons the rest of the line on SIGINT: ask for the status next.
    t.type('echo "status:$?"\n');
    await t.waitFor(/status:130\r?\n/);
    t.close();
  });

  test('resize reaches the pty', async () => {
    const t = new TerminalClient(lab.url, LESSON, { cookie, origin: lab.url });
    await t.opened();
    t.send({ type: 'resize', cols: 123, rows: 45 });
    // The resize travels on ptyhost's control pipe, the keys on its stdin: ask until it took.
    await waitFor(
      async () => {
        const from = t.output.length;
        t.type('stty size\n');
        return (await t.waitFor(/^(\d+ \d+)\r?$/m, 15_000, from))[1] === '45 123';
      },
      'the pty to take the new size',
      { seen: () => t.output },
    );
    t.type('stty size\n');
    await t.waitFor(/45 123/);
    t.close();
  });

  test("exit ends the socket with the shell's status", async () => {
    const t = new TerminalClient(lab.url, LESSON, { cookie, origin: lab.url });
    await t.opened();
    t.type('exit 7\n');
    assert.equal(await t.closed, 1000);
    assert.deepEqual(
      t.messages.find((m) => m.type === 'exit'),
      { type: 'exit', code: 7 },
    );
  });

  test('a malformed message gets an error message, not a crash', async () => {
    const t = new TerminalClient(lab.url, LESSON, { cookie, origin: lab.url });
    await t.opened();
    t.ws.send('not json');
    t.send({ type: 'resize', cols: -1, rows: 1e9 });
    await t.waitForMessages((m) => m.type === 'error', 2);
    assert.equal(t.messages.filter((m) => m.type === 'error').length, 2);
    t.type('echo alive\n');
    await t.waitFor(/alive\r?\n/);
    t.close();
  });

  test("refused: no session (401), another site's page (403), unknown lesson (404)", async () => {
    await assert.rejects(new TerminalClient(lab.url, LESSON, { origin: lab.url }).opened(), /HTTP 401/);
    await assert.rejects(new TerminalClient(lab.url, LESSON, { cookie, origin: 'https://evil.example' }).opened(), /HTTP 403/);
    await assert.rejects(new TerminalClient(lab.url, 'no/such', { cookie, origin: lab.url }).opened(), /HTTP 404/);
  });
});
