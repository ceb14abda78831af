/** Per-learner limits on Runs, the per-address backstop, and new sessions: 429 with Retry-After and a message, others unaffected. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type LabServer } from '../helpers/server.ts';
import { postRun } from '../helpers/api.ts';

describe('per-client rates', () => {
  let lab: LabServer;
  before(async () => {
    lab = await startServer({
      env: { TRUST_PROXY: '1', RUNS_BURST: '3', RUN_INTERVAL_MS: '1000', NEW_SESSIONS_PER_MINUTE: '8', ADDRESS_RUNS_BURST: '8', ADDRESS_RUNS_PER_SECOND: '1' },
    });
  });
  after(() => lab?.stop());

  test('Runs beyond the burst get 429 with Retry-After; another client is not affected', async () => {
    const run = (ip: string) =>
      fetch(`${lab.url}/api/run`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
        body: JSON.stringify({ files: {}, command: 'true' }),
      });
    const statuses: number[] = [];
    let refused: Response | null = null;
    for (let i = 0; i < 5; i++) {
      const r = await run('192.0.2.1');
      statuses.push(r.status);
      if (r.status === 429) refused ??= r;
      else await r.text();
    }
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
    assert.ok(Number(refused!.headers.get('retry-after')) >= 1);
    assert.match((await refused!.json()).error, /you pressed Run very often: one per 1 s after 3 in a row; try again in \d+ s/);
    // Without X-Forwarded-For the client is the peer address (127.0.0.1): another client.
    const other = await postRun(lab.url, { files: {}, command: 'echo fine' });
    assert.equal(other.status, 200);
    assert.equal(other.stdout, 'fine\n');
  });

  test('learners behind one address each have their own Run budget; the address has a backstop', async () => {
    const ip = '192.0.2.3';
    const session = async () =>
      (await fetch(`${lab.url}/api/workspace/files?lesson=go-run/what-go-run-does`, { headers: { 'x-forwarded-for': ip } })).headers
        .get('set-cookie')!
        .split(';')[0];
    const learners = [await session(), await session(), await session()];
    const run = async (cookie: string) => {
      const r = await fetch(`${lab.url}/api/run`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': ip, cookie },
        body: JSON.stringify({ files: {}, command: 'true', lesson: 'go-run/what-go-run-does' }),
      });
      return { status: r.status, body: await r.text() };
    };
    // Two learners use their whole burst of 3: six Runs from one address, none refused.
    for (const cookie of learners.slice(0, 2)) {
      for (let i = 0; i < 3; i++) assert.equal((await run(cookie)).status, 200);
    }
    // The address's backstop (8 here) is what stops the third learner after two more.
    assert.equal((await run(learners[2])).status, 200);
    assert.equal((await run(learners[2])).status, 200);
    const stopped = await run(learners[2]);
    assert.equal(stopped.status, 429);
    assert.match(JSON.parse(stopped.body).error, /too many Runs from your network right now; try again in \d+ s/);
  });

  test('new sessions beyond the per-minute limit get 429', async () => {
    const visit = () => fetch(`${lab.url}/api/workspace/files?lesson=go-run/what-go-run-does`, { headers: { 'x-forwarded-for': '192.0.2.2' } });
    for (let i = 0; i < 8; i++) assert.equal((await visit()).status, 200);
    const ninth = await visit();
    assert.equal(ninth.status, 429);
    assert.match((await ninth.json()).error, /too many new sessions from your address \(limit 8 per minute\)/);
  });
});
