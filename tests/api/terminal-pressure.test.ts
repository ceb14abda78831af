/**
 * Terminals under pressure: when every terminal of the machine is
 * taken, a learner refused one still has Run, the page can learn why and when
 * to retry (GET /api/terminal/status: a browser cannot read a refused
 * upgrade's answer), and terminals nobody types in are reclaimed sooner.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type LabServer } from '../helpers/server.ts';
import { newSession, postRun, TerminalClient } from '../helpers/api.ts';

const LESSON = 'go-run/what-go-run-does';
const IDLE_UNDER_PRESSURE_MS = 1500;

describe('terminals under pressure', () => {
  let lab: LabServer;
  before(async () => {
    lab = await startServer({ env: { MAX_TERMINALS: '2', TERMINAL_IDLE_UNDER_PRESSURE_MS: String(IDLE_UNDER_PRESSURE_MS), API_REQUESTS_BURST: '100000' } });
  });
  after(() => lab?.stop());

  test('a learner without a terminal is told why, keeps Run, and gets the slot of an idle terminal', async () => {
    const [a, b, c] = [await newSession(lab.url, LESSON), await newSession(lab.url, LESSON), await newSession(lab.url, LESSON)];
    const idle = new TerminalClient(lab.url, LESSON, { cookie: a.cookie, origin: lab.url });
    await idle.opened();
    const busy = new TerminalClient(lab.url, LESSON, { cookie: b.cookie, origin: lab.url });
    await busy.opened();
    // One learner keeps typing; the other does nothing.
    const typing = setInterval(() => busy.type('true\n'), 300);
    try {
      // The idle one must have been idle longer than the limit: that time is the state under test.
      await new Promise((r) => setTimeout(r, IDLE_UNDER_PRESSURE_MS + 500));
      const status = await (await fetch(`${lab.url}/api/terminal/status`, { headers: { cookie: c.cookie } })).json();
      assert.equal(status.available, false);
      assert.match(status.message, /All 2 terminals of the lab are in use\. Run and Check still work/);

      const refused = new TerminalClient(lab.url, LESSON, { cookie: c.cookie, origin: lab.url });
      await assert.rejects(refused.opened(), /HTTP 429/);
      // Run still works for the learner without a terminal.
      const run = await postRun(lab.url, { files: {}, command: 'echo still-runs', lesson: LESSON }, c.cookie);
      assert.equal(run.stdout, 'still-runs\n');

      // The refusal reclaimed the idle terminal, with the reason; the busy one stays.
      await idle.closed;
      const said = idle.messages.find((m) => m.type === 'exit');
      assert.match((said as { message?: string } | undefined)?.message ?? '', /other learners were waiting for a terminal/);
      assert.equal(busy.ws.readyState, busy.ws.OPEN);

      const retry = new TerminalClient(lab.url, LESSON, { cookie: c.cookie, origin: lab.url });
      await retry.opened();
      retry.type('echo got-one\n');
      await retry.waitFor(/got-one/);
      retry.close();
    } finally {
      clearInterval(typing);
      busy.close();
      idle.close();
    }
  });
});
