/**
 * server/observability/metrics.ts in-process: what each reporting call
 * counts (the API test, tests/api/observability.test.ts, checks them through
 * a real server).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Busy } from '../../../server/fairness/admission.ts';
import { commandStarted, observed, refused, registry, sandboxEnded } from '../../../server/observability/metrics.ts';

/** The value of a sample of a metric with exactly these labels (0 when absent). */
async function sample(name: string, labels: Record<string, string>): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  assert.ok(metric, `no metric ${name}`);
  const values = (metric as unknown as { values: Array<{ labels: Record<string, string>; value: number; metricName?: string }> }).values;
  const found = values.find((v) => (v.metricName ?? name) === name && JSON.stringify(v.labels) === JSON.stringify(labels));
  return found?.value ?? 0;
}

test('observed: the outcome from the result; "refused" for Busy and "error" for other failures, passed on', async () => {
  const before = {
    pass: await sample('golab_commands_finished_total', { kind: 'check', outcome: 'pass' }),
    refused: await sample('golab_commands_finished_total', { kind: 'check', outcome: 'refused' }),
    error: await sample('golab_commands_finished_total', { kind: 'check', outcome: 'error' }),
    started: await sample('golab_commands_started_total', { kind: 'check' }),
  };
  for (let i = 0; i < 2; i++) {
    assert.deepEqual(await observed('check', Promise.resolve({ status: 'pass' as const }), (r) => r.status), { status: 'pass' });
  }
  await assert.rejects(
    observed('check', Promise.reject(new Busy('the lab is full', 3, 'queue-full')), () => 'pass'),
    Busy,
  );
  await assert.rejects(
    observed('check', Promise.reject(new Error('boom')), () => 'pass'),
    /boom/,
  );
  assert.equal((await sample('golab_commands_started_total', { kind: 'check' })) - before.started, 4);
  assert.equal((await sample('golab_commands_finished_total', { kind: 'check', outcome: 'pass' })) - before.pass, 2);
  assert.equal((await sample('golab_commands_finished_total', { kind: 'check', outcome: 'refused' })) - before.refused, 1);
  assert.equal((await sample('golab_commands_finished_total', { kind: 'check', outcome: 'error' })) - before.error, 1);
});

test('commandStarted: the end counts once, however often it is called', async () => {
  const before = await sample('golab_commands_finished_total', { kind: 'terminal', outcome: 'killed' });
  const end = commandStarted('terminal');
  end('killed');
  end('killed');
  end('exited');
  assert.equal((await sample('golab_commands_finished_total', { kind: 'terminal', outcome: 'killed' })) - before, 1);
  assert.equal(await sample('golab_commands_finished_total', { kind: 'terminal', outcome: 'exited' }), 0);
});

test("sandboxEnded counts the lab's kills only, by reason", async () => {
  const oom = await sample('golab_sandbox_kills_total', { reason: 'oom' });
  for (const r of ['exited', 'signaled', 'error'] as const) sandboxEnded(r);
  sandboxEnded('oom');
  assert.equal((await sample('golab_sandbox_kills_total', { reason: 'oom' })) - oom, 1);
  for (const r of ['exited', 'signaled', 'error']) assert.equal(await sample('golab_sandbox_kills_total', { reason: r }), 0, r);
});

test('refused counts by reason; Busy carries "other" unless its thrower names the limit', async () => {
  assert.equal(new Busy('x', 1).reason, 'other');
  const before = await sample('golab_refusals_total', { reason: 'queue-full' });
  refused(new Busy('x', 1, 'queue-full').reason);
  assert.equal((await sample('golab_refusals_total', { reason: 'queue-full' })) - before, 1);
});
