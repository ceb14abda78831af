/** Per-client limits on Runs and new sessions: 429 with Retry-After and a message, others unaffected. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type LabServer } from '../helpers/server.ts';
import { postRun } from '../helpers/api.ts';

describe('per-client rates', () => {
  let lab: LabServer;
  before(async () => {
    lab = await startServer({ env: { TRUST_PROXY: '1', RUNS_BURST: '3', RUN_INTERVAL_MS: '1000', NEW_SESSIONS_PER_MINUTE: '2' } });
  });
  after(() => lab?.stop());

  test('Runs beyond the burst get 429 with Retry-After; another client is not affected', async () => {
    const run = (ip: string) => fetch(`${lab.url}/api/run`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': ip }, body: JSON.stringify({ files: {}, command: 'true' }),
    });
    const statuses: number[] = [];
    let refused: Response | null = null;
    for (let i = 0; i < 5; i++) {
      const r = await run('192.0.2.1');
      statuses.push(r.status);
      if (r.status === 429) refused ??= r; else await r.text();
    }
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
    assert.ok(Number(refused!.headers.get('retry-after')) >= 1);
    assert.match((await refused!.json()).error, /too many Runs from your address \(one per 1 s after a burst of 3\)/);
    // Without X-Forwarded-For the client is the peer address (127.0.0.1): another client.
    const other = await postRun(lab.url, { files: {}, command: 'echo fine' });
    assert.equal(other.status, 200);
    assert.equal(other.stdout, 'fine\n');
  });

  test('new sessions beyond the per-minute limit get 429', async () => {
    const visit = () => fetch(`${lab.url}/api/workspace/files?lesson=go-run/what-go-run-does`, { headers: { 'x-forwarded-for': '192.0.2.2' } });
    assert.equal((await visit()).status, 200);
    assert.equal((await visit()).status, 200);
    const third = await visit();
    assert.equal(third.status, 429);
    assert.match((await third.json()).error, /too many new sessions from your address \(limit 2 per minute\)/);
  });
});
