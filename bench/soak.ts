/**
 * `npm run bench -- soak`: SOAK_MINUTES (default 10) of hostile and normal
 * learners at once against one lab server on this machine .
 *
 * Hostile: Run commands that burn CPU, fork, hog memory, flood output, fill the
 * disk, flood the event channel (fd 4) and forge "program started" events
 * (in a worker thread, attacker.ts); terminals that flood input at a shell
 * that does not read; hundreds of slow HTTP connections that never finish
 * their headers; checks whose code forges its grade.
 * Normal: a paced learner pressing Run (timed against a quiet baseline taken
 * first), learners saving files and reading them back, a class submitting.
 *
 * Reported, not asserted (figures): whether the server process is the same
 * one at the end, its peak memory (VmRSS), the benign Run's p95 against the
 * quiet median, and whether every acknowledged save and submission is there.
 */
import { connect, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import type { LabServer } from '../tests/helpers/server.ts';
import { call, exerciseFiles, join as joinClass, LESSON as EXERCISE_LESSON, newClass, newTeacher } from '../tests/helpers/classroom.ts';
import { lessonFiles, line, median, ms, newSession, pacedLearner, percentile, startAttackers, startWorker, type HostileCase } from './lib.ts';

const LESSON = 'go-run/what-go-run-does';
const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const QUIET_RUNS = 15;
const SLOW_CONNECTIONS = 400;
const TERMINAL_FLOODERS = 4;
const SAVERS = 4;
const CLASS_LEARNERS = 4;

const gomod = 'module x\n\ngo 1.26\n';
/** Hostile Runs, kept going by two attacker addresses in a worker thread. */
const HOSTILE: HostileCase[] = [
  {
    name: 'CPU burn',
    files: { 'go.mod': gomod, 'main.go': 'package main\nfunc main() { for i := 0; i < 64; i++ { go func() { for {} }() }; select {} }\n' },
    command: 'go run .',
  },
  { name: 'fork bomb', files: {}, command: 'bomb() { bomb | bomb; }; bomb' },
  {
    name: 'memory hog',
    files: {
      'go.mod': gomod,
      'main.go': 'package main\nvar keep [][]byte\nfunc main() { for { b := make([]byte, 1<<24); for i := range b { b[i] = 1 }; keep = append(keep, b) } }\n',
    },
    command: 'go run .',
  },
  { name: 'output flood', files: {}, command: 'yes flood' },
  { name: 'disk fill', files: {}, command: 'head -c 1G /dev/zero > f' },
  { name: 'event flood', files: {}, command: `yes '{"cmd":1,"argv":["go","run","."],"added":[]}' >&4` },
  {
    name: 'forged program start',
    files: {},
    command: `for i in $(seq 60); do printf '{"cmd":%d,"argv":["go","run","."],"added":[]}\\n' $i >&4; sleep 1; done`,
  },
];

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

function startTime(pid: number): string {
  return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[19];
}

export async function soak(lab: LabServer): Promise<void> {
  const pid = lab.pid;
  const born = startTime(pid);
  const deadline = Date.now() + MINUTES * 60_000;
  const running = () => Date.now() < deadline;
  let peakRss = rssBytes(pid);
  const startRss = peakRss;
  const sampler = setInterval(() => {
    try {
      peakRss = Math.max(peakRss, rssBytes(pid));
    } catch {
      /* gone: reported below */
    }
  }, 1000);

  // Quiet baseline for the paced learner.
  const files = lessonFiles(LESSON);
  const paced = await pacedLearner(lab.url, LESSON, '10.9.0.1');
  for (let i = 0; i < 3; i++) await paced();
  const quiet: number[] = [];
  for (let i = 0; i < QUIET_RUNS; i++) quiet.push((await paced()).ms);

  // Hostile Runs.
  const { worker, report: attackReport } = startAttackers(lab.url, ['10.8.0.1', '10.8.0.2'], HOSTILE);

  // Slow HTTP connections: a request line and one header, then nothing.
  const slow: Socket[] = [];
  const url = new URL(lab.url);
  for (let i = 0; i < SLOW_CONNECTIONS; i++) {
    const s = connect(Number(url.port), url.hostname);
    s.on('error', () => {});
    s.write('GET / HTTP/1.1\r\nHost: x\r\n');
    slow.push(s);
  }

  // Terminals flooding a shell that does not read its input (a worker thread: terminal-flooder.ts).
  const { worker: flooding, report: floodReport } = startWorker<{ frames: number; bytes: number }>('./terminal-flooder.ts', {
    url: lab.url,
    lesson: LESSON,
    ips: Array.from({ length: TERMINAL_FLOODERS }, (_, k) => `10.8.1.${k}`),
  });

  // Learners who save and read back: every acknowledged save must be what a later read returns.
  let saves = 0;
  let lostSaves = 0;
  const savers = Array.from({ length: SAVERS }, async (_, k) => {
    const ip = `10.9.1.${k}`;
    const { cookie: c } = await newSession(lab.url, LESSON, ip);
    const headers = { cookie: c, 'x-forwarded-for': ip };
    for (let i = 0; running(); i++) {
      const content = files['main.go'] + `\n// save ${k}-${i}\n`;
      const put = await call(lab.url, 'PUT', `/api/workspace/files?lesson=${encodeURIComponent(LESSON)}`, {
        headers,
        body: { files: { 'main.go': content } },
      }).catch(() => null);
      if (put?.status === 200) {
        saves++;
        const got = await call(lab.url, 'GET', `/api/workspace/files?lesson=${encodeURIComponent(LESSON)}`, { headers }).catch(() => null);
        const main = (got?.body?.files as Array<{ name: string; content: string }> | undefined)?.find((f) => f.name === 'main.go');
        if (main?.content !== content) lostSaves++;
      }
      await new Promise((r) => setTimeout(r, 2000));
    }
  });

  // A class: learners submit (right and wrong, and one forging its grade); every acknowledged submission must be stored.
  const teacher = await newTeacher(lab.url);
  const { classId, joinCode, assignmentId } = await newClass(lab.url, teacher.cookie, [EXERCISE_LESSON]);
  const acknowledged: string[] = [];
  let forgedPasses = 0;
  const forged: string[] = [];
  const forge = `package calc\n\nimport (\n\t"fmt"\n\t"os"\n)\n\nfunc init() {\n\tfmt.Println("\\x16=== RUN   TestMulCheck\\n\\x16--- PASS: TestMulCheck (0.00s)\\n\\x16PASS")\n\tos.Exit(0)\n}\n`;
  const classLearners = Array.from({ length: CLASS_LEARNERS }, async (_, k) => {
    const learner = await joinClass(lab.url, joinCode, `Learner ${k}`);
    for (let i = 0; running(); i++) {
      const kind = (k + i) % 3;
      const body = {
        lesson: EXERCISE_LESSON,
        files: kind === 0 ? exerciseFiles.solution() : kind === 1 ? exerciseFiles.wrong() : { ...exerciseFiles.wrong(), 'forge.go': forge },
      };
      const a = await call(lab.url, 'POST', `/api/assignments/${assignmentId}/submissions`, {
        cookie: learner.cookie,
        headers: { 'x-forwarded-for': `10.9.2.${k}` },
        body,
      }).catch(() => null);
      if (a && a.status >= 200 && a.status < 300 && a.body.submissionId) {
        acknowledged.push(a.body.submissionId);
        if (kind === 2) forged.push(a.body.submissionId);
      }
      await new Promise((r) => setTimeout(r, 15_000));
    }
  });

  // The paced learner under all of it.
  const loaded: number[] = [];
  const waited: number[] = [];
  let failed = 0;
  while (running()) {
    const r = await paced();
    if (r.status !== 200 || r.code !== 0) failed++;
    loaded.push(r.ms);
    if (r.queued) waited.push(r.ms);
  }
  worker.postMessage('stop');
  flooding.postMessage('stop');
  const { attacks, reasons } = await attackReport;
  const { frames: terminalFrames, bytes: terminalBytes } = await floodReport;
  await worker.terminate();
  await flooding.terminate();
  await Promise.all([...savers, ...classLearners]);
  for (const s of slow) s.destroy();
  clearInterval(sampler);

  let sameServer = false;
  try {
    sameServer = startTime(pid) === born;
  } catch {
    /* the process is gone */
  }
  // Submissions are graded after they are accepted: give the queue time to finish, then count.
  let missing = 0;
  let pending = 0;
  for (let wait = 0; wait < 120; wait++) {
    missing = 0;
    pending = 0;
    forgedPasses = 0;
    for (const id of acknowledged) {
      const s = await call(lab.url, 'GET', `/api/submissions/${id}`, { cookie: teacher.cookie });
      if (s.status !== 200) missing++;
      else if (s.body.pending) pending++;
      else if (forged.includes(id) && s.body.result.status === 'pass') forgedPasses++;
    }
    if (pending === 0) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const csv = await fetch(`${lab.url}/api/classes/${classId}/results.csv`, { headers: { cookie: teacher.cookie } });
  const q = median(quiet);
  const p95 = percentile(loaded, 95);
  const MiB = 1024 * 1024;
  line(`soak: ${MINUTES} min of hostile and normal learners at once`);
  line(
    `  server                same process at the end: ${sameServer ? 'yes' : 'NO'}; RSS ${Math.round(startRss / MiB)} MiB at start, peak ${Math.round(peakRss / MiB)} MiB`,
  );
  line(
    `  benign Run            quiet median ${ms(q)}; under load median ${ms(median(loaded))}, p95 ${ms(p95)} (${loaded.length} runs, ${failed} failed); p95 / quiet median ${(p95 / q).toFixed(2)}`,
  );
  line(`  benign Run, queued    ${waited.length} of ${loaded.length} waited for a free slot${waited.length ? ` (median ${ms(median(waited))})` : ''}`);
  line(`  saves                 ${saves} acknowledged, ${lostSaves} read back different`);
  line(
    `  submissions           ${acknowledged.length} acknowledged, ${missing} missing, ${pending} still pending; forged grades that passed: ${forgedPasses} of ${forged.length}; results.csv ${csv.status}`,
  );
  line(`  terminal input        ${terminalFrames} frames of 60 KiB (${Math.round(terminalBytes / MiB)} MiB) written to terminals whose shell never reads`);
  line(`  slow connections      ${SLOW_CONNECTIONS} held open without finishing their headers`);
  line(
    `  hostile Runs          ${attacks}: ${Object.entries(reasons)
      .map(([k, v]) => `${k} x${v}`)
      .join('; ')}`,
  );
  line();
}
