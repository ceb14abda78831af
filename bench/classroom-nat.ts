/**
 * `npm run bench -- classroom-nat`: a class of 30 behind one school address
 *, against a server with its default limits. Every learner joins
 * within a minute, then within two minutes presses Run three times, Check
 * once and Submit once (each at a random moment), while the teacher's
 * dashboard is open. Reported: refusals (any 429 or 503), the time from each
 * press to its answer (p50/p95/max, per kind), and whether every
 * acknowledged submission is in the teacher's grid and CSV once graded.
 */
import type { LabServer } from '../tests/helpers/server.ts';
import { call, exerciseFiles, LESSON as EXERCISE_LESSON, newClass, newTeacher } from '../tests/helpers/classroom.ts';
import { lessonFiles, line, ms, newSession, percentile, timedRun } from './lib.ts';

const LEARNERS = Number(process.env.NAT_LEARNERS ?? 30);
/** The one address the whole class comes from (the server trusts X-Forwarded-For in the bench). */
const SCHOOL = '10.20.0.1';
const JOIN_WINDOW_MS = 60_000;
const WORK_WINDOW_MS = 120_000;
/** How long the bench waits for pending submissions to be graded before it counts them. */
const GRADING_WAIT_MS = 180_000;
const RUN_LESSON = 'go-run/what-go-run-does';

interface Press {
  kind: 'run' | 'check' | 'submit';
  ms: number;
  status: number;
  ok: boolean;
}

const sleep = (msec: number) => new Promise((r) => setTimeout(r, msec));

export async function classroomNat(lab: LabServer): Promise<void> {
  const headers = { 'x-forwarded-for': SCHOOL };
  const teacher = await newTeacher(lab.url);
  const { classId, joinCode, assignmentId } = await newClass(lab.url, teacher.cookie, [EXERCISE_LESSON]);

  // The teacher's dashboard stays open: it reads the results as the page does (events if the server has them).
  let dashboardReads = 0;
  let dashboardOpen = true;
  const dashboard = (async () => {
    const events = await fetch(`${lab.url}/api/classes/${classId}/events`, { headers: { cookie: teacher.cookie, accept: 'text/event-stream' } }).catch(
      () => null,
    );
    if (events?.ok && events.body) {
      const reader = events.body.getReader();
      while (dashboardOpen) {
        const { done } = await reader.read();
        if (done) break;
        dashboardReads++;
      }
      await reader.cancel().catch(() => {});
      return;
    }
    while (dashboardOpen) {
      const r = await call(lab.url, 'GET', `/api/classes/${classId}/results`, { cookie: teacher.cookie });
      if (r.status === 200) dashboardReads++;
      await sleep(2000);
    }
  })();

  // Everyone joins within a minute, from the one address.
  const joinStarted = performance.now();
  let joinRefused = 0;
  const learners = await Promise.all(
    Array.from({ length: LEARNERS }, async (_, i) => {
      await sleep(Math.random() * JOIN_WINDOW_MS * 0.8);
      for (;;) {
        const a = await call(lab.url, 'POST', '/api/join', { headers, body: { code: joinCode, name: `Learner ${i + 1}` } });
        if (a.status === 201) {
          const session = await newSession(lab.url, RUN_LESSON, SCHOOL);
          return { cookie: a.cookie!, session: session.cookie };
        }
        joinRefused++;
        await sleep(Number(a.headers.get('retry-after') ?? 2) * 1000);
      }
    }),
  );
  const joinMs = performance.now() - joinStarted;

  // Then each presses Run x3, Check x1, Submit x1 at random moments within two minutes.
  const runFiles = lessonFiles(RUN_LESSON);
  const presses: Press[] = [];
  const acknowledged: string[] = [];
  await Promise.all(
    learners.map(async (l, n) => {
      // Each learner's own code (a comment of their own): no two learners send the same files.
      const solution = exerciseFiles.solution();
      const mine = { ...solution, 'calc.go': `${solution['calc.go']}\n// learner ${n + 1}\n` };
      const kinds: Press['kind'][] = ['run', 'run', 'run', 'check', 'submit'];
      const at = kinds.map(() => Math.random() * WORK_WINDOW_MS).sort((a, b) => a - b);
      const started = Date.now();
      for (const [k, kind] of kinds.sort(() => Math.random() - 0.5).entries()) {
        await sleep(Math.max(0, at[k] - (Date.now() - started)));
        const t0 = performance.now();
        if (kind === 'run') {
          const r = await timedRun(lab.url, { files: runFiles, command: 'go run .', lesson: RUN_LESSON }, { ...headers, cookie: l.session });
          presses.push({ kind, ms: r.ms, status: r.status, ok: r.status === 200 && r.code === 0 });
        } else if (kind === 'check') {
          const r = await call(lab.url, 'POST', '/api/check', { headers: { ...headers, cookie: l.session }, body: { lesson: EXERCISE_LESSON, files: mine } });
          presses.push({ kind, ms: performance.now() - t0, status: r.status, ok: r.status === 200 && r.body.status === 'pass' });
        } else {
          const r = await call(lab.url, 'POST', `/api/assignments/${assignmentId}/submissions`, {
            cookie: l.cookie,
            headers,
            body: { lesson: EXERCISE_LESSON, files: mine },
          });
          const ok = r.status >= 200 && r.status < 300 && typeof r.body.submissionId === 'string';
          if (ok) acknowledged.push(r.body.submissionId);
          presses.push({ kind, ms: performance.now() - t0, status: r.status, ok });
        }
      }
    }),
  );

  // Pending submissions are graded when capacity allows: wait for them, then count.
  const deadline = Date.now() + GRADING_WAIT_MS;
  let graded = 0;
  let missing = 0;
  for (;;) {
    graded = 0;
    missing = 0;
    for (const id of acknowledged) {
      const s = await call(lab.url, 'GET', `/api/submissions/${id}`, { cookie: teacher.cookie });
      if (s.status !== 200) missing++;
      else if (!s.body.pending) graded++;
    }
    if (graded + missing === acknowledged.length || Date.now() > deadline) break;
    await sleep(2000);
  }
  const csv = await (await fetch(`${lab.url}/api/classes/${classId}/results.csv`, { headers: { cookie: teacher.cookie } })).text();
  const passesInCsv = (csv.match(/\bpass\b/g) ?? []).length;
  dashboardOpen = false;
  await Promise.race([dashboard, sleep(3000)]);

  const refused = presses.filter((p) => p.status === 429 || p.status === 503).length;
  const all = presses.map((p) => p.ms);
  line(`classroom-nat: ${LEARNERS} learners behind one address, default limits`);
  line(`  joined                ${learners.length}/${LEARNERS} in ${ms(joinMs)} (${joinRefused} join attempts refused)`);
  line(`  presses               ${presses.length}: ${refused} refused, ${presses.filter((p) => !p.ok).length} not ok`);
  line(`  press to answer       p50 ${ms(percentile(all, 50))}, p95 ${ms(percentile(all, 95))}, max ${ms(Math.max(...all))}`);
  for (const kind of ['run', 'check', 'submit'] as const) {
    const t = presses.filter((p) => p.kind === kind).map((p) => p.ms);
    if (t.length) line(`    ${kind.padEnd(20)}p50 ${ms(percentile(t, 50))}, p95 ${ms(percentile(t, 95))} (${t.length})`);
  }
  line(`  submissions           ${acknowledged.length} acknowledged, ${graded} graded, ${missing} missing; "pass" cells in the CSV: ${passesInCsv}`);
  line(`  dashboard             ${dashboardReads} updates read while the class worked`);
  line();
}
