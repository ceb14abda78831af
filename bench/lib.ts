/** Small helpers shared by the benchmarks. */
import { readFileSync, readdirSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { LineSplitter } from '../src/lib/lines.ts';
import { parseEventLine } from '../src/lib/protocol.ts';

export const ROOT = join(import.meta.dirname, '..');

export function median(xs: number[]): number {
  return percentile(xs, 50);
}

/** Nearest-rank percentile. */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  if (p === 50 && s.length % 2 === 0) return (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

export const ms = (x: number) => `${x.toFixed(0)} ms`;

export function lessonFiles(lesson: string): Record<string, string> {
  const dir = join(ROOT, 'content', lesson, 'files');
  return Object.fromEntries(readdirSync(dir).map((n) => [n, readFileSync(join(dir, n), 'utf8')]));
}

export interface TimedRun {
  ms: number;
  status: number;
  code?: number;
  reason?: string;
  /** Whether it waited for a free slot (a queued event came first). */
  queued?: boolean;
}

/** POST /api/run, reading the whole stream; the time is until the exit event arrived. */
export async function timedRun(url: string, body: unknown, headers: Record<string, string> = {}): Promise<TimedRun> {
  const started = performance.now();
  const res = await fetch(`${url}/api/run`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  const elapsed = performance.now() - started;
  const events = text.split('\n').map(parseEventLine);
  const exit = events.find((e) => e?.type === 'exit') as { code?: number; reason?: string } | undefined;
  return { ms: elapsed, status: res.status, code: exit?.code, reason: exit?.reason, queued: events.some((e) => e?.type === 'queued') };
}

/** A new session for a lesson, as a browser gets it; `as` sets the client address (TRUST_PROXY). */
export async function newSession(url: string, lesson: string, as?: string): Promise<{ cookie: string; ms: number }> {
  const started = performance.now();
  const res = await fetch(`${url}/api/workspace/files?lesson=${encodeURIComponent(lesson)}`, { headers: as ? { 'x-forwarded-for': as } : {} });
  const elapsed = performance.now() - started;
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
  if (!res.ok || !cookie) throw new Error(`could not create a session: ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
  return { cookie, ms: elapsed };
}

export function line(text = ''): void {
  process.stdout.write(text + '\n');
}

/** POST /api/run, noting when each NDJSON line arrived (Unix ms). */
export async function streamedRun(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Array<{ at: number; event: { type: string; [k: string]: unknown } }>> {
  const res = await fetch(`${url}/api/run`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  if (!res.ok || !res.body) throw new Error(`run failed: ${res.status}`);
  const out: Array<{ at: number; event: { type: string; [k: string]: unknown } }> = [];
  const decoder = new TextDecoder();
  const lines = new LineSplitter();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    const at = performance.timeOrigin + performance.now();
    for (const line of lines.push(decoder.decode(chunk, { stream: true }))) {
      const event = parseEventLine(line);
      if (event) out.push({ at, event: event as { type: string; [k: string]: unknown } });
    }
  }
  return out;
}

/** A learner presses Run at most about once a second (and the server holds every learner to that). */
export const BENIGN_INTERVAL_MS = 1100;

/**
 * A benign learner with a session of their own from `address`: each call is
 * one warm `go run .` of the lesson, paced to BENIGN_INTERVAL_MS.
 */
export async function pacedLearner(url: string, lesson: string, address: string): Promise<() => Promise<TimedRun>> {
  const files = lessonFiles(lesson);
  const { cookie } = await newSession(url, lesson, address);
  return async () => {
    const start = Date.now();
    const r = await timedRun(url, { files, command: 'go run .', lesson }, { cookie, 'x-forwarded-for': address });
    await new Promise((res) => setTimeout(res, Math.max(0, BENIGN_INTERVAL_MS - (Date.now() - start))));
    return r;
  };
}

/** A hostile Run: a name for the report, its files and command. */
export interface HostileCase {
  name: string;
  files: Record<string, string>;
  command: string;
}

/**
 * A load generator in a worker thread of its own (so the benchmark's event
 * loop, which times the benign learner, is not busy with it): post 'stop',
 * then await the report it answers with.
 */
export function startWorker<Report>(file: string, workerData: unknown): { worker: Worker; report: Promise<Report> } {
  const worker = new Worker(new URL(file, import.meta.url), { workerData });
  const report = new Promise<Report>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return { worker, report };
}

/** Hostile Runs kept going from `ips` in a worker thread (attacker.ts); post 'stop', then await the report. */
export function startAttackers(url: string, ips: string[], cases: HostileCase[]) {
  return startWorker<{ attacks: number; reasons: Record<string, number> }>('./attacker.ts', { url, ips, cases });
}
