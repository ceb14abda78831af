/**
 * The operator's endpoints against the real server: GET /metrics moves with
 * Runs, kills and refusals, holds no learner data, and answers only whom it
 * should (loopback without a proxy, or the bearer token of METRICS_TOKEN);
 * GET /readyz and /healthz answer probes (/readyz fails on a full data
 * disk); logs are JSON lines with
 * LOG_FORMAT=json.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { newDataDir, startServer, type LabServer } from '../helpers/server.ts';
import { newSession, postRun } from '../helpers/api.ts';

const LESSON = 'go-run/what-go-run-does';
const CONTENT = join(import.meta.dirname, '..', '..', 'content');
const lessonFile = (path: string) => readFileSync(join(CONTENT, LESSON, path), 'utf8');
const GO_MOD = 'module example.com/t\n\ngo 1.26\n';
const program = (body: string, imports = '"fmt"') => `package main\n\nimport (${imports})\n\nfunc main() {\n${body}\n}\n`;

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the text exposition format's sample lines (comments skipped). */
function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

/** The value of the one sample with this name and these labels (0 when absent: a labelled counter appears at its first increment). */
function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  assert.ok(found.length <= 1, `${name} ${JSON.stringify(labels)} matches ${found.length} samples`);
  return found[0]?.value ?? 0;
}

async function scrape(url: string, headers: Record<string, string> = {}): Promise<Sample[]> {
  const res = await fetch(`${url}/metrics`, { headers });
  assert.equal(res.status, 200, await res.clone().text());
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parseMetrics(await res.text());
}

/** This machine's first non-loopback IPv4 address (a client that is not local to the server). */
function outsideAddress(): string {
  const a = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && !i.internal && i.family === 'IPv4');
  assert.ok(a, 'the test needs a non-loopback IPv4 address on this machine to connect from');
  return a.address;
}

describe('GET /metrics without METRICS_TOKEN (loopback only)', () => {
  let lab: LabServer;
  before(async () => {
    // Listening on every address, so the test can also come from a non-loopback one;
    // a Run rate of 3 in a row (Runs and checks), so the fourth is refused.
    lab = await startServer({ env: { HOST: '0.0.0.0', RUN_INTERVAL_MS: '600000', RUNS_BURST: '3', RUN_OUTPUT_LIMIT_BYTES: '65536', LOG_FORMAT: 'json' } });
  });
  after(() => lab?.stop());

  test('default process metrics and every lab metric are described', async () => {
    const res = await fetch(`${lab.url}/metrics`);
    const text = await res.text();
    for (const name of [
      'process_cpu_user_seconds_total',
      'nodejs_heap_size_used_bytes',
      'golab_commands_started_total',
      'golab_commands_finished_total',
      'golab_command_duration_seconds',
      'golab_sandbox_kills_total',
      'golab_refusals_total',
      'golab_admission_queue_length',
      'golab_admission_running',
      'golab_terminals_open',
      'golab_http_connections_open',
      'golab_grading_queue_length',
      'golab_grading_running',
    ]) {
      assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
    }
  });

  test('a Run, a Run stopped by its output limit, a check and a refused Run move their counters; no learner data appears', async () => {
    const marker = `marker-${Date.now()}`;
    const { cookie } = await newSession(lab.url, LESSON);
    const before = await scrape(lab.url);

    const ok = await postRun(lab.url, { files: { 'main.go': program(`fmt.Println("${marker}")`), 'go.mod': GO_MOD }, command: 'go run .' }, cookie);
    assert.equal(ok.exit?.reason, 'exited', ok.stderr);
    const flood = await postRun(
      lab.url,
      { files: { 'main.go': program('for { fmt.Println("spam spam spam") }'), 'go.mod': GO_MOD }, command: 'go run .' },
      cookie,
    );
    assert.equal(flood.exit?.reason, 'output-limit');
    const check = await fetch(`${lab.url}/api/check`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ lesson: LESSON, files: { 'main.go': lessonFile('exercise/solution/main.go'), 'go.mod': lessonFile('files/go.mod') } }),
    });
    assert.equal(check.status, 200);
    assert.equal((await check.json()).status, 'pass');
    const refused = await postRun(lab.url, { files: { 'main.go': program('fmt.Println(1)'), 'go.mod': GO_MOD }, command: 'go run .' }, cookie);
    assert.equal(refused.status, 429);

    const res = await fetch(`${lab.url}/metrics`);
    const text = await res.text();
    const now = parseMetrics(text);
    const delta = (name: string, labels: Record<string, string> = {}) => value(now, name, labels) - value(before, name, labels);
    assert.equal(delta('golab_commands_started_total', { kind: 'run' }), 2);
    assert.equal(delta('golab_commands_finished_total', { kind: 'run', outcome: 'exited' }), 1);
    assert.equal(delta('golab_commands_finished_total', { kind: 'run', outcome: 'output-limit' }), 1);
    assert.equal(delta('golab_command_duration_seconds_count', { kind: 'run' }), 2);
    assert.equal(delta('golab_commands_started_total', { kind: 'check' }), 1);
    assert.equal(delta('golab_commands_finished_total', { kind: 'check', outcome: 'pass' }), 1);
    assert.equal(delta('golab_command_duration_seconds_count', { kind: 'check' }), 1);
    assert.ok(delta('golab_command_duration_seconds_sum', { kind: 'run' }) > 0);
    assert.equal(delta('golab_sandbox_kills_total', { reason: 'output-limit' }), 1);
    assert.equal(delta('golab_refusals_total', { reason: 'run-rate' }), 1);
    assert.equal(value(now, 'golab_admission_running'), 0, 'nothing holds a slot after the Runs');
    assert.ok(value(now, 'golab_http_connections_open') >= 1, "this scrape's own connection is open");

    // Counts and reasons only: not the program's output, the session, or the client's address.
    const session = cookie.split('=')[1];
    for (const secret of [marker, session, '127.0.0.1', 'spam']) assert.ok(!text.includes(secret), `/metrics holds ${secret}`);
    assert.ok(!lab.output().includes(marker), 'the log holds no program output');
  });

  test('refused through a proxy on the same machine (a forwarding header), and from another address', async () => {
    for (const header of ['x-forwarded-for', 'forwarded', 'x-real-ip']) {
      const res = await fetch(`${lab.url}/metrics`, { headers: { [header]: '203.0.113.9' } });
      assert.equal(res.status, 403, header);
      assert.match((await res.json()).error, /METRICS_TOKEN/);
    }
    const res = await fetch(`http://${outsideAddress()}:${lab.port}/metrics`);
    assert.equal(res.status, 403);
    // The same address reaches the rest of the lab (the refusal is /metrics's own).
    assert.equal((await fetch(`http://${outsideAddress()}:${lab.port}/healthz`)).status, 200);
  });

  test('only GET and HEAD', async () => {
    const res = await fetch(`${lab.url}/metrics`, { method: 'POST' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'GET, HEAD');
  });

  test('/readyz and /healthz answer probes', async () => {
    const ready = await fetch(`${lab.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { ready: true, failing: [] });
    const health = await fetch(`${lab.url}/healthz`);
    assert.equal(health.status, 200);
    assert.equal((await health.json()).ok, true);
  });

  test('LOG_FORMAT=json: every line the server logged is a JSON object with level, time and msg', () => {
    const lines = lab.output().split('\n').filter(Boolean);
    assert.ok(lines.some((l) => /listening on http:\/\/localhost:\d+/.test(l)));
    for (const line of lines) {
      const o = JSON.parse(line);
      assert.equal(typeof o.level, 'string', line);
      assert.ok(!Number.isNaN(Date.parse(o.time)), line);
      assert.equal(typeof o.msg, 'string', line);
    }
  });
});

describe('GET /metrics with METRICS_TOKEN', () => {
  const TOKEN = 'test-token-5f1c9a';
  let lab: LabServer;
  before(async () => {
    lab = await startServer({ env: { HOST: '0.0.0.0', METRICS_TOKEN: TOKEN } });
  });
  after(() => lab?.stop());

  test('the bearer token is required, from loopback too, and enough from another address', async () => {
    for (const headers of [
      {},
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: `Bearer ${TOKEN.slice(0, -1)}` },
      { authorization: TOKEN },
      { authorization: `Basic ${TOKEN}` },
    ] as Array<Record<string, string>>) {
      const res = await fetch(`${lab.url}/metrics`, { headers });
      assert.equal(res.status, 401, JSON.stringify(headers));
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
    }
    await scrape(lab.url, { authorization: `Bearer ${TOKEN}` });
    await scrape(`http://${outsideAddress()}:${lab.port}`, { authorization: `Bearer ${TOKEN}` });
  });
});

describe('GET /readyz when the data directory is almost full', () => {
  let lab: LabServer;
  let dataDir: string;
  before(async () => {
    // A 64 MiB tmpfs as the data directory: below READY_MIN_FREE_BYTES (256 MiB) from the start.
    dataDir = newDataDir();
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m,mode=0711', 'tmpfs', dataDir]);
    lab = await startServer({ dataDir });
  });
  after(async () => {
    await lab?.stop();
    execFileSync('umount', [dataDir]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('answers 503 naming the disk; liveness stays 200 (a full disk is no reason to restart)', async () => {
    const res = await fetch(`${lab.url}/readyz`);
    assert.equal(res.status, 503);
    assert.deepEqual(await res.json(), { ready: false, failing: ['disk'] });
    assert.equal((await fetch(`${lab.url}/healthz`)).status, 200);
  });
});
