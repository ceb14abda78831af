/**
 * `npm run bench`: the lab's figures, measured in one process against a
 * baseline run on the same machine at the same time (ratios, medians).
 *
 * 1. Run overhead: `POST /api/run` of the first lesson's hello world in a warm
 *    session, against bare `go run .` of the same files with a warm cache of
 *    its own. Runs alternate so machine noise hits both sides alike.
 * 2. The lesson page's initial JavaScript (what its HTML loads before any
 *    on-demand import), raw and gzipped.
 *
 * A figure, not a test: it prints numbers and never fails on them.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startServer } from '../tests/helpers/server.ts';
import { parseEventLine } from '../src/lib/protocol.ts';

const ROOT = join(import.meta.dirname, '..');
const LESSON = 'go-run/what-go-run-does';
const WARMUP_RUNS = 3;
const MEASURED_RUNS = Number(process.env.BENCH_RUNS ?? 15);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function lessonFiles(): Record<string, string> {
  const dir = join(ROOT, 'content', LESSON, 'files');
  return Object.fromEntries(readdirSync(dir).map((n) => [n, readFileSync(join(dir, n), 'utf8')]));
}

async function sandboxedRun(url: string, cookie: string, files: Record<string, string>): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${url}/api/run`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ files, command: 'go run .', lesson: LESSON }),
  });
  const text = await res.text();
  const elapsed = performance.now() - started;
  const exit = text.split('\n').map(parseEventLine).find((e) => e?.type === 'exit') as { code?: number } | undefined;
  if (res.status !== 200 || exit?.code !== 0) throw new Error(`sandboxed run failed: ${res.status} ${text.slice(0, 500)}`);
  return elapsed;
}

function bareRun(dir: string, gocache: string): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('go', ['run', '.'], {
      cwd: dir,
      stdio: 'ignore',
      env: { PATH: process.env.PATH, HOME: dir, GOCACHE: gocache, GOTOOLCHAIN: 'local', CGO_ENABLED: '0', GOPROXY: 'off', GOFLAGS: '' },
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`bare go run exited ${code}`))));
  });
}

function initialJs(): { files: number; rawKB: number; gzipKB: number } {
  const page = join(ROOT, 'dist', LESSON, 'index.html');
  const html = readFileSync(page, 'utf8');
  const refs = new Set<string>();
  for (const m of html.matchAll(/<script[^>]*\bsrc="([^"]+)"/g)) refs.add(m[1]);
  for (const m of html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)) refs.add(m[1]);
  let raw = 0, gz = 0;
  for (const ref of refs) {
    const file = join(ROOT, 'dist', ref.replace(/^\//, ''));
    const bytes = readFileSync(file);
    raw += statSync(file).size;
    gz += gzipSync(bytes).length;
  }
  // Inline module scripts count too: they run before anything on demand.
  for (const m of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)) {
    raw += Buffer.byteLength(m[1]);
    gz += gzipSync(m[1]).length;
  }
  return { files: refs.size, rawKB: raw / 1024, gzipKB: gz / 1024 };
}

const server = await startServer();
try {
  const files = lessonFiles();
  // A session: the workbench's first request creates it and its seeded cache.
  const res = await fetch(`${server.url}/api/workspace/files?lesson=${encodeURIComponent(LESSON)}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
  if (!res.ok || !cookie) throw new Error(`could not create a session: ${res.status}`);

  const bareDir = mkdtempSync(join(tmpdir(), 'lab-bench-bare-'));
  cpSync(join(ROOT, 'content', LESSON, 'files'), bareDir, { recursive: true });
  const bareCache = join(bareDir, '.gocache');

  process.stdout.write(`warming up (${WARMUP_RUNS} runs each)…\n`);
  for (let i = 0; i < WARMUP_RUNS; i++) {
    await sandboxedRun(server.url, cookie, files);
    await bareRun(bareDir, bareCache);
  }
  const sandboxed: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < MEASURED_RUNS; i++) {
    sandboxed.push(await sandboxedRun(server.url, cookie, files));
    bare.push(await bareRun(bareDir, bareCache));
    process.stdout.write(`\r${i + 1}/${MEASURED_RUNS} runs`);
  }
  process.stdout.write('\n\n');
  const ms = (x: number) => `${x.toFixed(0)} ms`;
  const ratio = median(sandboxed) / median(bare);
  process.stdout.write(`hello world, warm, ${MEASURED_RUNS} runs each (medians)\n`);
  process.stdout.write(`  /api/run (sandboxed):  ${ms(median(sandboxed))}   [min ${ms(Math.min(...sandboxed))}, max ${ms(Math.max(...sandboxed))}]\n`);
  process.stdout.write(`  bare go run:           ${ms(median(bare))}   [min ${ms(Math.min(...bare))}, max ${ms(Math.max(...bare))}]\n`);
  process.stdout.write(`  ratio:                 ${ratio.toFixed(3)}\n\n`);

  const js = initialJs();
  process.stdout.write(`lesson page initial JavaScript: ${js.files} file(s), ${js.rawKB.toFixed(1)} KB raw, ${js.gzipKB.toFixed(1)} KB gzip\n`);
} finally {
  await server.stop();
}
