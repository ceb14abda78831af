/**
 * Attacks on what a command shares with the server besides its output: the
 * event channel (fd 4, the go wrapper's, but writable by the learner's
 * command), the wall clock it drives, the NDJSON stream to a slow client, and
 * the descriptors a sandbox receives. Each case goes through the
 * real server and sandbox, and fails if its protection is removed:
 *
 * - forged "program started" events may only bring a command's end nearer
 *   (sandbox.ts: a hard deadline, a program deadline armed once);
 * - the channel has a budget of bytes and events (relay.ts RUN_RELAY_BUDGET),
 *   past it one phase-error and the rest drained and dropped; a line, or a
 *   trace line, has a cap and costs its length once (relay.ts, trace.ts);
 * - a client that does not read pauses the command, not the server's memory
 *   (run.ts backpressure);
 * - a stopped command does not log "did not end" (sandbox.ts grace timer);
 * - the sandbox gets only its own descriptors (launcher.ts).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_OPEN_COMMANDS, MAX_RELAY_LINE_BYTES, RUN_RELAY_BUDGET } from '../../server/phases/relay.ts';
import { MAX_TRACE_LINE_CHARS } from '../../server/phases/trace.ts';
import { startServer, type LabServer } from '../helpers/server.ts';
import { postRun, type RunResponse } from '../helpers/api.ts';
import { waitFor } from '../helpers/wait.ts';
import { assertHostClean, sandboxProcesses } from '../helpers/host.ts';

const AS_ROOT = process.getuid?.() === 0;
const MiB = 1024 * 1024;
const RUN_TIMEOUT_MS = 8000;
const PROGRAM_TIMEOUT_MS = 3000;
const OUTPUT_LIMIT = 256 * 1024;
/** Slack for a loaded machine (2 shared cores, other suites running) on top of a limit. */
const SLACK_MS = 3000;

// Frames as the go wrapper writes them (server/sandbox/gowrap/main.go), forged.
const span = (name: string, ph: string, ts: number, extra: Record<string, unknown> = {}) => JSON.stringify({ name, ph, ts, tid: 1, ...extra });
const frame = (f: Record<string, unknown>) => JSON.stringify(f) + '\n';
const commandFrames = (cmd: number) =>
  frame({ cmd, argv: ['go', 'run', '.'], added: [] }) + frame({ cmd, trace: ['[', span('Running run command', 'B', 1)].join('\n') + '\n' });
const programStart = (cmd: number) => frame({ cmd, trace: ',' + span('Executing action (go run)', 'B', 2) + '\n' });
const programEnd = (cmd: number) => frame({ cmd, trace: ',' + span('Executing action (go run)', 'E', 3) + '\n' });
/** One frame of `spans` begin/end pairs: thousands of phase events per line. */
const manyPhases = (cmd: number, spans: number) =>
  frame({
    cmd,
    trace: Array.from({ length: spans }, (_, i) => ',' + span('Executing action (build p)', i % 2 ? 'E' : 'B', 10 + i)).join('\n') + '\n',
  });
/** One frame of flow arrows: bytes that make no event at all. */
const flowArrows = (cmd: number, n: number) =>
  frame({
    cmd,
    trace: Array.from({ length: n }, (_, i) => ',' + span('a -> b', 's', 10 + i, { cat: 'flow', id: i })).join('\n') + '\n',
  });

const ndjsonBytes = (r: RunResponse) => r.events.reduce((n, e) => n + JSON.stringify(e).length + 1, 0);
const phaseErrors = (r: RunResponse) => r.events.filter((e) => e.type === 'phase-error').map((e) => String(e.message));

describe('the event channel cannot stretch a command', { timeout: 240_000, skip: !AS_ROOT && 'needs root (cgroups, sandbox uids)' }, () => {
  let lab: LabServer;
  before(async () => {
    lab = await startServer({
      env: {
        RUN_TIMEOUT_MS: String(RUN_TIMEOUT_MS),
        PROGRAM_TIMEOUT_MS: String(PROGRAM_TIMEOUT_MS),
        RUN_OUTPUT_LIMIT_BYTES: String(OUTPUT_LIMIT),
      },
    });
  });
  after(() => lab?.stop());
  const run = (files: Record<string, string>, command: string) => postRun(lab.url, { files, command });

  test('a forged program start every half second: stopped at the program limit of the first', async () => {
    const r = await run(
      { 'start.ndjson': commandFrames(7), 'run.ndjson': programStart(7) },
      'cat start.ndjson >&4; for i in $(seq 1 40); do cat run.ndjson >&4; sleep 0.5; done; echo survived',
    );
    assert.equal(r.exit?.reason, 'timeout', JSON.stringify(r.exit));
    assert.equal(r.exit?.message, `stopped after ${PROGRAM_TIMEOUT_MS / 1000} s (run time limit)`);
    assert.doesNotMatch(r.stdout, /survived/);
    assert.ok(r.exit!.durationMs < PROGRAM_TIMEOUT_MS + SLACK_MS, `ran ${r.exit!.durationMs} ms`);
    await assertHostClean(lab);
  });

  test('forged end+start pairs of ever new go commands: no start re-arms the clock', async () => {
    // Each round: a new go command (a fresh id), its program's end, then a start.
    const rounds = Array.from({ length: 30 }, (_, i) => commandFrames(100 + i) + programStart(100 + i) + programEnd(100 + i) + programStart(100 + i));
    const files = Object.fromEntries(rounds.map((f, i) => [`r${i}.ndjson`, f]));
    const r = await run(files, 'for i in $(seq 0 29); do cat r$i.ndjson >&4; sleep 0.5; done; echo survived');
    assert.equal(r.exit?.reason, 'timeout', JSON.stringify(r.exit));
    assert.doesNotMatch(r.stdout, /survived/);
    assert.ok(r.exit!.durationMs < PROGRAM_TIMEOUT_MS + SLACK_MS, `ran ${r.exit!.durationMs} ms`);
    await assertHostClean(lab);
  });

  test('a program start just before the hard deadline does not move it', async () => {
    const late = (RUN_TIMEOUT_MS - 1500) / 1000;
    const r = await run({ 'start.ndjson': commandFrames(7), 'run.ndjson': programStart(7) }, `sleep ${late}; cat start.ndjson run.ndjson >&4; sleep 100`);
    assert.equal(r.exit?.reason, 'timeout', JSON.stringify(r.exit));
    assert.equal(r.exit?.message, `stopped after ${RUN_TIMEOUT_MS / 1000} s (time limit)`, "the command's own limit, not a program's from the late start");
    assert.ok(r.exit!.durationMs < RUN_TIMEOUT_MS + SLACK_MS, `ran ${r.exit!.durationMs} ms`);
    await assertHostClean(lab);
  });

  test('a background copy of fd 4 (fd 4 itself closed) forging starts beside a real go run', async () => {
    const main = 'package main\nimport ("fmt"; "time")\nfunc main() { fmt.Println("program"); time.Sleep(time.Hour) }\n';
    const r = await run(
      { 'main.go': main, 'go.mod': 'module example.com/p\n\ngo 1.26\n', 'start.ndjson': commandFrames(1), 'run.ndjson': programStart(1) },
      'exec 5>&4; (exec 4>&-; cat start.ndjson >&5; while :; do cat run.ndjson >&5; sleep 0.5; done) & go run .',
    );
    assert.equal(r.exit?.reason, 'timeout', JSON.stringify(r.exit));
    assert.equal(r.exit?.message, `stopped after ${PROGRAM_TIMEOUT_MS / 1000} s (run time limit)`);
    assert.ok(r.exit!.durationMs < RUN_TIMEOUT_MS + SLACK_MS, `ran ${r.exit!.durationMs} ms`);
    await assertHostClean(lab);
  });

  test('a stopped command that did end logs nothing about a stuck sandbox', async () => {
    const r = await run({}, 'sleep 100');
    assert.equal(r.exit?.reason, 'timeout');
    // The give-up timer (KILL_GRACE_MS, 5 s) would have fired by now: its
    // silence over that time is what is tested, so this waits out the time.
    await new Promise((resolve) => setTimeout(resolve, 6500));
    assert.doesNotMatch(lab.output(), /did not end .* after SIGKILL/);
  });

  test('thousands of phase events per line: one phase-error at the event budget, the command goes on', async () => {
    const r = await run(
      { 'start.ndjson': commandFrames(7), 'flood.ndjson': manyPhases(7, 2000) },
      'cat start.ndjson >&4; for i in $(seq 1 100); do cat flood.ndjson; done >&4; echo done',
    );
    assert.equal(r.exit?.code, 0, JSON.stringify(r.exit));
    assert.equal(r.stdout, 'done\n');
    assert.deepEqual(phaseErrors(r), [`the build view stopped: more than ${RUN_RELAY_BUDGET.events} events on the event channel (the limit of one command)`]);
    assert.ok(r.events.filter((e) => e.type === 'phase').length <= RUN_RELAY_BUDGET.events);
    // 200 000 phase events were written: about 20 MB of NDJSON without the budget.
    assert.ok(ndjsonBytes(r) < 4 * MiB, `${ndjsonBytes(r)} bytes of NDJSON`);
    await assertHostClean(lab);
  });

  test('bytes that make no event still count: one phase-error at the byte budget', async () => {
    const r = await run(
      { 'start.ndjson': commandFrames(7), 'flow.ndjson': flowArrows(7, 2000) },
      'cat start.ndjson >&4; for i in $(seq 1 200); do cat flow.ndjson; done >&4; echo done',
    );
    assert.equal(r.exit?.code, 0, JSON.stringify(r.exit));
    assert.equal(r.stdout, 'done\n');
    assert.deepEqual(phaseErrors(r), [`the build view stopped: more than ${RUN_RELAY_BUDGET.bytes / MiB} MiB on the event channel (the limit of one command)`]);
    await assertHostClean(lab);
  });

  test('one endless line: stopped at the line cap, drained to its end, the command finishes', async () => {
    const r = await run({}, "head -c 64M /dev/zero | tr '\\0' x >&4; echo done");
    assert.equal(r.exit?.code, 0, JSON.stringify(r.exit));
    assert.equal(r.stdout, 'done\n');
    const errors = phaseErrors(r);
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.equal(errors[0], `the build view stopped: an event line longer than ${MAX_RELAY_LINE_BYTES / MiB} MiB`);
    assert.ok(r.exit!.durationMs < RUN_TIMEOUT_MS, 'the writer never blocked');
    await assertHostClean(lab);
  });

  test('a trace line that never ends, fed in 60 000 small frames: stopped at once, not held and rescanned', async () => {
    const piece = JSON.stringify({ cmd: 7, trace: 'a'.repeat(100) });
    const r = await run({ 'start.ndjson': commandFrames(7) }, `cat start.ndjson >&4; yes '${piece}' | head -n 60000 >&4; echo done`);
    assert.equal(r.exit?.code, 0, JSON.stringify(r.exit));
    assert.equal(r.stdout, 'done\n');
    assert.deepEqual(phaseErrors(r), [`the build view stopped: go -debug-trace format: a line longer than ${MAX_TRACE_LINE_CHARS} characters`]);
    // Rescanning the growing line for every piece took 212 s of the server's event loop.
    assert.ok(r.exit!.durationMs < RUN_TIMEOUT_MS, `ran ${r.exit!.durationMs} ms`);
    await assertHostClean(lab);
  });

  test('go commands that start and never end: the view stops at the cap of open ones', async () => {
    const starts = Array.from({ length: MAX_OPEN_COMMANDS + 10 }, (_, i) => commandFrames(1000 + i)).join('');
    const r = await run({ 'starts.ndjson': starts }, 'cat starts.ndjson >&4; echo done');
    assert.equal(r.exit?.code, 0, JSON.stringify(r.exit));
    assert.equal(r.stdout, 'done\n');
    assert.deepEqual(phaseErrors(r), [`the build view stopped: more than ${MAX_OPEN_COMMANDS} go commands at once`]);
    assert.equal(r.events.filter((e) => e.type === 'command').length, MAX_OPEN_COMMANDS);
    await assertHostClean(lab);
  });

  test('binary garbage: one phase-error, drained, the command goes on', async () => {
    const r = await run({}, 'head -c 32M /dev/urandom >&4; echo done');
    assert.equal(r.exit?.code, 0, JSON.stringify(r.exit));
    assert.equal(r.stdout, 'done\n');
    assert.equal(phaseErrors(r).length, 1, phaseErrors(r).join('\n'));
    assert.ok(ndjsonBytes(r) < 64 * 1024);
    await assertHostClean(lab);
  });

  test('the event budget and the output limit are separate: both hold in one command', async () => {
    const r = await run(
      { 'start.ndjson': commandFrames(7), 'flood.ndjson': manyPhases(7, 2000) },
      'cat start.ndjson >&4; for i in $(seq 1 100); do cat flood.ndjson; done >&4; yes spam',
    );
    assert.equal(r.exit?.reason, 'output-limit', JSON.stringify(r.exit));
    assert.equal(Buffer.byteLength(r.stdout), OUTPUT_LIMIT);
    assert.equal(phaseErrors(r).length, 1);
    assert.ok(ndjsonBytes(r) < OUTPUT_LIMIT * 2 + 4 * MiB, `${ndjsonBytes(r)} bytes of NDJSON`);
    await assertHostClean(lab);
  });
});

describe('what else reaches the sandbox, and what a slow client costs', { timeout: 120_000, skip: !AS_ROOT && 'needs root (cgroups, sandbox uids)' }, () => {
  let lab: LabServer;
  const secretPath = join(tmpdir(), `lab-inherited-${process.pid}.txt`);
  const FLOOD = 48 * MiB;
  before(async () => {
    writeFileSync(secretPath, 'not for the sandbox\n');
    // Inherited without close-on-exec, as from a careless supervisor.
    lab = await startServer({
      inheritFile: { path: secretPath, fds: [100, 300] },
      env: { RUN_OUTPUT_LIMIT_BYTES: String(64 * MiB), RUN_TIMEOUT_MS: '60000' },
    });
  });
  after(async () => {
    await lab?.stop();
    rmSync(secretPath, { force: true });
  });

  const fdsOf = (listing: string) =>
    listing
      .split('\n')
      .map((l) => l.match(/ (\d+) -> (.*)$/))
      .filter((m) => m !== null)
      .map((m) => `${m[1]} -> ${m[2]}`);

  test('the server has the inherited descriptors; the command has only its own', async () => {
    for (const fd of [100, 300]) {
      assert.equal(readlinkSync(`/proc/${lab.pid}/fd/${fd}`), secretPath, `the server holds the file as fd ${fd}`);
      // O_CLOEXEC (02000000 octal) is not set: spawn() passes it on.
      assert.equal(Number.parseInt(readFileSync(`/proc/${lab.pid}/fdinfo/${fd}`, 'utf8').match(/^flags:\s+(\d+)/m)![1], 8) & 0o2000000, 0);
    }
    for (const observe of [true, false]) {
      const r = await postRun(lab.url, { files: {}, command: 'ls -l /proc/$$/fd', observe });
      assert.equal(r.exit?.code, 0, r.stderr);
      const fds = fdsOf(r.stdout);
      assert.doesNotMatch(r.stdout, new RegExp(secretPath.replace(/[.]/g, '\\.')), 'the inherited file is not in the sandbox');
      assert.deepEqual(
        fds.map((f) => Number(f.split(' ')[0])),
        observe ? [0, 1, 2, 4] : [0, 1, 2],
        fds.join('\n'),
      );
      // The event channel: Node's 'pipe' stdio is a socket pair.
      if (observe) assert.match(fds.find((f) => f.startsWith('4 '))!, /socket:|pipe:/);
    }
  });

  test("a client that does not read: the command waits, the server's memory stays flat; then it all arrives", async () => {
    const rssBefore = serverRss(lab.pid);
    const body = JSON.stringify({ files: {}, command: `yes 0123456789abcdef | head -c ${FLOOD}; echo finished >&2` });
    const { res, done } = await new Promise<{ res: import('node:http').IncomingMessage; done: Promise<string> }>((resolve, reject) => {
      const req = request(`${lab.url}/api/run`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        res.pause(); // read nothing yet
        const chunks: Buffer[] = [];
        const done = new Promise<string>((ok) => {
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => ok(Buffer.concat(chunks).toString('utf8')));
        });
        res.pause();
        resolve({ res, done });
      });
      req.on('error', reject);
      req.end(body);
    });
    // Without backpressure the server reads all 48 MiB within a few seconds and holds what the socket does not take.
    let peak = 0;
    for (let i = 0; i < 25; i++) {
      await new Promise((r) => setTimeout(r, 200)); // samples over 5 s of the attack: the peak is measured, not awaited
      peak = Math.max(peak, serverRss(lab.pid) - rssBefore);
    }
    const waiting = sandboxProcesses(lab.pid);
    assert.ok(waiting.length > 0, 'the command is blocked on its output, not finished');
    assert.ok(peak < 24 * MiB, `server memory grew by ${Math.round(peak / MiB)} MiB while the client did not read`);
    res.resume();
    const text = await done;
    const events = text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { type: string; data?: string; reason?: string });
    const stdout = events.filter((e) => e.type === 'stdout').reduce((n, e) => n + e.data!.length, 0);
    assert.equal(stdout, FLOOD, 'all output arrived once the client read');
    assert.equal(events.at(-1)?.type, 'exit');
    assert.equal(events.at(-1)?.reason, 'exited');
    console.log(`# server RSS growth while the client did not read: ${Math.round(peak / MiB)} MiB (of ${FLOOD / MiB} MiB of output)`);
    await assertHostClean(lab);
  });

  // Paused is not forgotten: a client that goes away still stops its command (its wall clock here is 60 s).
  test('a client that stops reading, then leaves: the paused command is killed and cleaned up at once', async () => {
    const req = request(`${lab.url}/api/run`, { method: 'POST', headers: { 'content-type': 'application/json' } });
    const answered = new Promise<void>((resolve) =>
      req.on('response', (res) => {
        res.pause();
        resolve();
      }),
    );
    req.on('error', () => {});
    req.end(JSON.stringify({ files: {}, command: 'yes still-writing' }));
    await answered;
    // The server filled the response and paused the command: its CPU time stops growing.
    await waitFor(
      stalled(() => sandboxCpuTicks(lab.pid)),
      'the command to be paused (its CPU time to stop growing)',
      { everyMs: 100 },
    );
    assert.ok(sandboxProcesses(lab.pid).length > 0, 'the command is still there, blocked');
    req.destroy();
    await assertHostClean(lab);
    assert.doesNotMatch(lab.output(), /did not end .* after SIGKILL/);
  });
});

/** CPU time (clock ticks) of the server's sandboxed processes together; NaN (never stalled) while there are none. */
function sandboxCpuTicks(serverPid: number): number {
  const processes = sandboxProcesses(serverPid);
  if (!processes.length) return Number.NaN;
  let ticks = 0;
  for (const line of processes) {
    try {
      // Fields after the command name: state is the 1st, utime the 12th, stime the 13th.
      const fields = readFileSync(`/proc/${line.trim().split(/\s+/)[0]}/stat`, 'utf8')
        .split(') ')[1]
        .split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone between the listing and the read
    }
  }
  return ticks;
}

/** A condition that holds once value() stayed the same over STALL_POLLS checks in a row. */
const STALL_POLLS = 4;
function stalled(value: () => number): () => boolean {
  let last = Number.NaN;
  let same = 0;
  return () => {
    const now = value();
    same = now === last ? same + 1 : 0;
    last = now;
    return same >= STALL_POLLS;
  };
}

function serverRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(status.match(/^VmRSS:\s+(\d+) kB$/m)?.[1] ?? 0) * 1024;
}
