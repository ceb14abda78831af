/**
 * `npm run bench`: the lab's figures, each measured in this one process against
 * a baseline run on the same machine at the same time (ratios, medians,
 * percentiles). Figures, not tests: nothing here fails on a number.
 *
 *   overhead      /api/run hello world (warm session) vs bare `go run`, alternating
 *   page          the lesson page's initial JavaScript; a first visit in Chromium: editor
 *                 usable, first Run's output (page.ts)
 *   sessions      time to create a session (workspace + seeded cache), memory and disk per idle session
 *   concurrent    16 learners pressing Run at once
 *   under attack  a benign learner's Run latency while hostile commands run, vs quiet
 *   phases        how long after the toolchain writes a trace event the client has it
 *   classroom     a graded submission vs POST /api/check of the same files (what storing
 *                 it costs), and a teacher's sign-in (the password KDF)
 *   classroom-nat (only when named) a class of 30 behind one address with default limits:
 *                 refusals, press-to-answer p95, every submission graded (classroom-nat.ts)
 *   soak          (only when named: SOAK_MINUTES, default 10) hostile and normal learners
 *                 at once: server survival, peak memory, benign p95, nothing lost (soak.ts)
 *
 * `npm run bench -- overhead page` runs only those sections.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { startServer, type LabServer } from '../tests/helpers/server.ts';
import { soak } from './soak.ts';
import { classroomNat } from './classroom-nat.ts';
import { pageTimings } from './page.ts';
import { lessonFiles, line, median, ms, newSession, pacedLearner, percentile, ROOT, startAttackers, streamedRun, timedRun } from './lib.ts';
import { call, exerciseFiles, join as joinClass, LESSON as EXERCISE_LESSON, newClass, newTeacher } from '../tests/helpers/classroom.ts';

const LESSON = 'go-run/what-go-run-does';
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const wanted = new Set(process.argv.slice(2));
const section = (name: string) => wanted.size === 0 || wanted.has(name);

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

async function overhead(lab: LabServer): Promise<void> {
  const files = lessonFiles(LESSON);
  const { cookie } = await newSession(lab.url, LESSON, '10.0.0.1');
  const bareDir = mkdtempSync(join(tmpdir(), 'lab-bench-bare-'));
  cpSync(join(ROOT, 'content', LESSON, 'files'), bareDir, { recursive: true });
  const bareCache = join(bareDir, '.gocache');
  const headers = { cookie, 'x-forwarded-for': '10.0.0.1' };
  // observe: the Run button's default (phase events: the go command writes its trace
  // and action graph); plain: the same command with observation off.
  const observed = { files, command: 'go run .', lesson: LESSON };
  const plain = { ...observed, observe: false };
  const pause = () => new Promise((r) => setTimeout(r, 150));
  for (let i = 0; i < 3; i++) {
    await timedRun(lab.url, observed, headers);
    await timedRun(lab.url, plain, headers);
    await bareRun(bareDir, bareCache);
  }
  const obs: number[] = [];
  const pl: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    for (const [body, into] of [
      [observed, obs],
      [plain, pl],
    ] as const) {
      const r = await timedRun(lab.url, body, headers);
      if (r.code !== 0) throw new Error(`sandboxed run failed: ${JSON.stringify(r)}`);
      into.push(r.ms);
      // The server starts the session's next sandbox after each Run: let that
      // finish, so it does not slow the run that follows.
      await pause();
    }
    bare.push(await bareRun(bareDir, bareCache));
    await pause();
  }
  rmSync(bareDir, { recursive: true, force: true });
  const b = median(bare);
  line(`overhead: hello world, warm, ${RUNS} alternating runs each (medians)`);
  line(`  bare go run                    ${ms(b)}   [min ${ms(Math.min(...bare))}, max ${ms(Math.max(...bare))}]`);
  line(`  /api/run, observe:false        ${ms(median(pl))}   [min ${ms(Math.min(...pl))}, max ${ms(Math.max(...pl))}]   ratio ${(median(pl) / b).toFixed(3)}`);
  line(
    `  /api/run, phases observed      ${ms(median(obs))}   [min ${ms(Math.min(...obs))}, max ${ms(Math.max(...obs))}]   ratio ${(median(obs) / b).toFixed(3)}`,
  );
  line();
}

function page(): void {
  const html = readFileSync(join(ROOT, 'dist', LESSON, 'index.html'), 'utf8');
  const entries = new Set<string>();
  for (const m of html.matchAll(/<script[^>]*\bsrc="([^"]+)"/g)) entries.add(m[1]);
  for (const m of html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)) entries.add(m[1]);
  // Everything those load before any on-demand import(): their static imports, transitively.
  const files = new Set<string>();
  const visit = (url: string) => {
    const file = join(ROOT, 'dist', url.replace(/^\//, ''));
    if (files.has(file)) return;
    files.add(file);
    const code = readFileSync(file, 'utf8');
    const dir = url.slice(0, url.lastIndexOf('/') + 1);
    for (const m of code.matchAll(/(?:^|[;}\s])import\s*(?:[\w${}\s,*]+from\s*)?["'](\.{1,2}\/[^"']+\.js)["']/g)) {
      visit(new URL(m[1], `http://x${dir}`).pathname);
    }
  };
  for (const e of entries) visit(e);
  let raw = 0;
  let gz = 0;
  for (const file of files) {
    const bytes = readFileSync(file);
    raw += bytes.length;
    gz += gzipSync(bytes).length;
  }
  // Inline scripts run before anything on demand: they count too.
  for (const m of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)) {
    raw += Buffer.byteLength(m[1]);
    gz += gzipSync(m[1]).length;
  }
  line(
    `page: lesson page initial JavaScript (entries and their static imports): ${files.size} file(s), ${(raw / 1024).toFixed(1)} KB raw, ${(gz / 1024).toFixed(1)} KB gzip`,
  );
  line();
}

function rssOf(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB$/m)?.[1] ?? 0) * 1024;
}

async function sessions(lab: LabServer): Promise<void> {
  const N = 20;
  const times: number[] = [];
  const rssBefore = rssOf(lab.pid);
  for (let i = 0; i < N; i++) times.push((await newSession(lab.url, LESSON, `10.1.0.${i}`)).ms);
  const rssAfter = rssOf(lab.pid);
  // Disk actually used: the blocks allocated to each session's (sparse) image, or
  // the directory's own files without a quota image; -x stays off the mounts.
  const du = Number(execFileSync('du', ['-skx', join(lab.dataDir, 'sessions')], { encoding: 'utf8' }).split('\t')[0]) * 1024;
  line(`sessions: ${N} new sessions (workspace + seeded build cache + lesson files)`);
  line(`  time to create        median ${ms(median(times))}, p95 ${ms(percentile(times, 95))}`);
  line(
    `  server memory         +${((rssAfter - rssBefore) / N / 1024).toFixed(0)} KB per idle session (RSS ${(rssBefore / 2 ** 20).toFixed(0)} -> ${(rssAfter / 2 ** 20).toFixed(0)} MiB)`,
  );
  line(`  disk                  ${(du / N / 1024).toFixed(0)} KiB per idle session (du; images are sparse)`);
  line();
}

async function concurrent(lab: LabServer): Promise<void> {
  const N = 16;
  const learners = await Promise.all(
    Array.from({ length: N }, (_, i) => newSession(lab.url, LESSON, `10.2.0.${i}`).then(({ cookie }) => ({ cookie, ip: `10.2.0.${i}` }))),
  );
  const files = lessonFiles(LESSON);
  // Each learner's first Run compiles and links their main package, as on a first visit.
  const runs = await Promise.all(
    learners.map((l) => timedRun(lab.url, { files, command: 'go run .', lesson: LESSON }, { cookie: l.cookie, 'x-forwarded-for': l.ip })),
  );
  const ok = runs.filter((r) => r.status === 200 && r.code === 0).length;
  const t = runs.map((r) => r.ms);
  line(`concurrent: ${N} learners press Run at once (first run: compile + link)`);
  line(`  succeeded             ${ok}/${N}`);
  line(`  latency               p50 ${ms(percentile(t, 50))}, p95 ${ms(percentile(t, 95))}, max ${ms(Math.max(...t))}`);
  line();
}

async function phaseLatency(lab: LabServer): Promise<void> {
  const { cookie } = await newSession(lab.url, LESSON, '10.5.0.1');
  const headers = { cookie, 'x-forwarded-for': '10.5.0.1' };
  const lat: number[] = [];
  let events = 0;
  for (let i = 0; i < RUNS; i++) {
    // A change each time: load, compile of main (std from the cache), link, run.
    const lines = await streamedRun(lab.url, { files: {}, command: `echo "// ${i} ${Date.now()}" >> main.go && go run .`, lesson: LESSON }, headers);
    for (const { at, event } of lines) {
      if (event.type === 'phase' && typeof event.ts === 'number') {
        lat.push(at - event.ts);
        events++;
      }
    }
  }
  line(`phases: delay from the toolchain writing a trace event (its own timestamp) to the client reading it`);
  line(`  ${events} phase events over ${RUNS} go runs with a rebuild`);
  line(`  delay                 p50 ${ms(percentile(lat, 50))}, p95 ${ms(percentile(lat, 95))}, max ${ms(Math.max(...lat))} (target: within 100 ms)`);
  line();
}

const HOSTILE: Array<{ name: string; files: Record<string, string>; command: string }> = [
  {
    name: 'CPU burn',
    files: { 'go.mod': 'module x\n\ngo 1.26\n', 'main.go': 'package main\nfunc main() { for i := 0; i < 64; i++ { go func() { for {} }() }; select {} }\n' },
    command: 'go run .',
  },
  { name: 'fork bomb', files: {}, command: 'bomb() { bomb | bomb; }; bomb' },
  {
    name: 'memory hog',
    files: {
      'go.mod': 'module x\n\ngo 1.26\n',
      'main.go': 'package main\nvar keep [][]byte\nfunc main() { for { b := make([]byte, 1<<24); for i := range b { b[i] = 1 }; keep = append(keep, b) } }\n',
    },
    command: 'go run .',
  },
  { name: 'output flood', files: {}, command: 'yes flood' },
  { name: 'disk fill', files: {}, command: 'head -c 1G /dev/zero > f' },
];

// BENCH_HOSTILE="CPU burn,fork bomb" limits the attack to those cases (to find what hurts).
const hostile = process.env.BENCH_HOSTILE ? HOSTILE.filter((h) => process.env.BENCH_HOSTILE!.split(',').includes(h.name)) : HOSTILE;

async function underAttack(lab: LabServer): Promise<void> {
  const paced = await pacedLearner(lab.url, LESSON, '10.3.0.1');
  for (let i = 0; i < 3; i++) await paced();
  const quiet: number[] = [];
  for (let i = 0; i < RUNS; i++) quiet.push((await paced()).ms);

  // Two attackers, each keeping two hostile commands going (their share), in a worker thread.
  const { worker, report } = startAttackers(lab.url, ['10.4.0.1', '10.4.0.2'], hostile);
  await new Promise((r) => setTimeout(r, 3000)); // let the attack get going
  const loaded: number[] = [];
  let failed = 0;
  for (let i = 0; i < RUNS * 2; i++) {
    const r = await paced();
    if (r.code !== 0) failed++;
    loaded.push(r.ms);
  }
  worker.postMessage('stop');
  const { attacks, reasons } = await report;
  await worker.terminate();
  const q = median(quiet);
  const p95 = percentile(loaded, 95);
  line(`under attack: a benign learner's warm hello world while 2 attackers x 2 hostile commands run`);
  line(`  quiet                 median ${ms(q)}, p95 ${ms(percentile(quiet, 95))} (${quiet.length} runs)`);
  line(`  under attack          median ${ms(median(loaded))}, p95 ${ms(p95)} (${loaded.length} runs, ${failed} failed)`);
  line(`  p95 / quiet median    ${(p95 / q).toFixed(2)}`);
  line(
    `  hostile commands      ${attacks}: ${Object.entries(reasons)
      .map(([k, v]) => `${k} x${v}`)
      .join('; ')}`,
  );
  line();
}

async function classroom(lab: LabServer): Promise<void> {
  const teacher = await newTeacher(lab.url);
  const { joinCode, assignmentId } = await newClass(lab.url, teacher.cookie, [EXERCISE_LESSON]);
  const learner = await joinClass(lab.url, joinCode);
  const files = exerciseFiles.solution();
  const timed = async (path: string, cookie?: string) => {
    const started = performance.now();
    const a = await call(lab.url, 'POST', path, { cookie, body: { lesson: EXERCISE_LESSON, files } });
    const elapsed = performance.now() - started;
    if (a.status !== 200 || a.body.status !== 'pass') throw new Error(`${path}: ${a.status} ${JSON.stringify(a.body)}`);
    return elapsed;
  };
  /** A submission: accepted at once (202), graded after; both times, from the press. */
  const submitted = async () => {
    const started = performance.now();
    const a = await call(lab.url, 'POST', `/api/assignments/${assignmentId}/submissions`, { cookie: learner.cookie, body: { lesson: EXERCISE_LESSON, files } });
    const accepted = performance.now() - started;
    if (a.status !== 202) throw new Error(`submission: ${a.status} ${JSON.stringify(a.body)}`);
    for (;;) {
      const s = await call(lab.url, 'GET', `/api/submissions/${a.body.submissionId}`, { cookie: learner.cookie });
      if (s.status === 200 && !s.body.pending) {
        if (s.body.result.status !== 'pass') throw new Error(`submission graded ${JSON.stringify(s.body.result)}`);
        return { accepted, graded: performance.now() - started };
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const check: number[] = [];
  const accepted: number[] = [];
  const submit: number[] = [];
  await timed('/api/check');
  for (let i = 0; i < RUNS; i++) {
    check.push(await timed('/api/check'));
    const s = await submitted();
    accepted.push(s.accepted);
    submit.push(s.graded);
  }
  const login: number[] = [];
  for (let i = 0; i < 9; i++) {
    const started = performance.now();
    const a = await call(lab.url, 'POST', '/api/teacher/login', { body: { email: teacher.email, password: teacher.password } });
    if (a.status !== 200) throw new Error(`login: ${a.status} ${JSON.stringify(a.body)}`);
    login.push(performance.now() - started);
  }
  line(`classroom: ${EXERCISE_LESSON}'s solution, ${RUNS} alternating runs each (medians)`);
  line(`  POST /api/check                ${ms(median(check))}`);
  line(`  submission accepted (202)      ${ms(median(accepted))}`);
  line(`  submission graded (polled)     ${ms(median(submit))}   ratio ${(median(submit) / median(check)).toFixed(3)}`);
  line(`  teacher sign-in (scrypt)       ${ms(median(login))}   [min ${ms(Math.min(...login))}, max ${ms(Math.max(...login))}]`);
  line();
}

// The server's own limits, except: client addresses come from X-Forwarded-For (to
// play many learners from one machine) and Runs time out after 10 s. The measuring
// sections run far more often than a learner, so the per-client Run rate is off
// there; the attack section gets a server of its own with the default rate.
const common = { TRUST_PROXY: '1', RUN_TIMEOUT_MS: '10000', API_REQUESTS_BURST: '100000', NEW_SESSIONS_PER_MINUTE: '100000', SIGN_IN_BURST: '1000' };
line(`machine: ${execFileSync('nproc', { encoding: 'utf8' }).trim()} cores; ${execFileSync('go', ['version'], { encoding: 'utf8' }).trim()}`);
line();
if (['overhead', 'page', 'sessions', 'concurrent', 'phases', 'classroom'].some(section)) {
  const lab = await startServer({ env: common });
  try {
    if (section('overhead')) await overhead(lab);
    if (section('page')) {
      page();
      await pageTimings(lab.url);
      line();
    }
    if (section('sessions')) await sessions(lab);
    if (section('concurrent')) await concurrent(lab);
    if (section('phases')) await phaseLatency(lab);
    if (section('classroom')) await classroom(lab);
  } finally {
    await lab.stop();
  }
}
if (section('attack')) {
  const lab = await startServer({ env: { ...common, RUN_INTERVAL_MS: '1000' } });
  try {
    await underAttack(lab);
  } finally {
    await lab.stop();
  }
}
// Ten minutes: only when asked for by name (`npm run bench -- soak`). The server's
// own defaults, except client addresses from X-Forwarded-For (many learners from one machine).
if (wanted.has('soak')) {
  const lab = await startServer({ env: { TRUST_PROXY: '1' } });
  try {
    await soak(lab);
  } finally {
    await lab.stop();
  }
}
// Three to six minutes: only when asked for by name. Default limits; the class's one
// address comes in X-Forwarded-For.
if (wanted.has('classroom-nat')) {
  const lab = await startServer({ env: { TRUST_PROXY: '1' } });
  try {
    await classroomNat(lab);
  } finally {
    await lab.stop();
  }
}
