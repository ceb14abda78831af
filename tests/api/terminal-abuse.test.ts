/**
 * The terminal under attack: a flood into a shell that does not
 * read, a browser that does not read, upgrades racing the caps, one address
 * taking every slot, malformed upgrades that must not leave the workspace
 * busy, idle terminals, a terminal that keeps the CPU busy, and sandboxes
 * that together want more memory than the machine-wide budget. Each test
 * fails when the protection it is about is taken out.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { TERMINAL_CPU_SAMPLE_MS } from '../../server/api/terminal-shell.ts';
import { join } from 'node:path';
import { startServer, type LabServer } from '../helpers/server.ts';
import { newSession, postRun, TerminalClient } from '../helpers/api.ts';
import { waitFor } from '../helpers/wait.ts';
import { mountsUnder } from '../helpers/host.ts';

const LESSON = 'go-run/what-go-run-does';
const AS_ROOT = process.getuid?.() === 0;
const MiB = 1024 * 1024;

/** Resident memory of the server process (heap, buffers and all). */
function rssBytes(pid: number): number {
  const kb = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB$/m);
  return Number(kb?.[1] ?? 0) * 1024;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A state these tests wait for (tests/helpers/wait.ts), with this file's deadline. */
const until = (what: string, check: () => boolean, timeoutMs = 10_000) => waitFor(check, what, { timeoutMs });

/** Opens a terminal; its HTTP status when refused. */
async function open(lab: LabServer, headers: Record<string, string>): Promise<TerminalClient | number> {
  const t = new TerminalClient(lab.url, LESSON, { origin: lab.url, ...headers });
  try {
    await t.opened();
    return t;
  } catch (err) {
    const m = (err as Error).message.match(/HTTP (\d+)/);
    if (!m) throw err;
    return Number(m[1]);
  }
}

describe('terminal abuse: floods and slow readers', () => {
  let lab: LabServer;
  before(async () => {
    lab = await startServer({ env: { WARM_SANDBOXES: '0' } });
  });
  after(() => lab?.stop());

  test('a flood into a shell that does not read: the server stops reading, its memory stays flat', async () => {
    // The review's attack: the shell does not read (non-canonical, no echo,
    // busy sleeping) and every connection sends 60 KB frames within the
    // message rate. 8 connections x ~200 frames/s x 60 KB for 8 s is ~700 MB
    // offered; without backpressure the server holds it all.
    const terminals: TerminalClient[] = [];
    for (let s = 0; s < 2; s++) {
      const { cookie } = await newSession(lab.url, LESSON);
      for (let i = 0; i < 4; i++) {
        const t = new TerminalClient(lab.url, LESSON, { cookie, origin: lab.url });
        await t.opened();
        t.type('stty -icanon -echo; echo not-reading; sleep 1000\n');
        await t.waitFor(/not-reading/); // the shell ran its line: from here on it reads nothing
        terminals.push(t);
      }
    }
    const before = rssBytes(lab.pid);
    const frame = 'x'.repeat(60_000);
    const deadline = Date.now() + 8000;
    let offered = 0;
    while (Date.now() < deadline) {
      for (const t of terminals) {
        t.type(frame);
        offered += frame.length;
      }
      await sleep(5); // the attack's pace: within the message rate, as the review's attacker
    }
    const grown = rssBytes(lab.pid) - before;
    const backedUp = terminals.map((t) => t.ws.bufferedAmount);
    console.log(
      `offered ${Math.round(offered / MiB)} MiB; server RSS grew ${Math.round(grown / MiB)} MiB; left in the clients: ${backedUp.map((b) => Math.round(b / MiB)).join(', ')} MiB`,
    );
    assert.ok(offered > 200 * MiB, 'the attack was at full strength');
    // What the server may hold: 8 x TERMINAL_INPUT_HIGH_BYTES + frames in flight, and the GC's slack.
    assert.ok(grown < 120 * MiB, `the server's memory grew by ${Math.round(grown / MiB)} MiB`);
    assert.ok(
      backedUp.every((b) => b > 20 * MiB),
      'each client was pushed back (its sends wait on its side)',
    );
    for (const t of terminals) t.ws.terminate();
    const health = await fetch(`${lab.url}/healthz`);
    assert.equal(health.status, 200);
  });

  test('a paste bigger than the input bound arrives whole once the shell reads', async () => {
    const { cookie } = await newSession(lab.url, LESSON);
    const t = new TerminalClient(lab.url, LESSON, { cookie, origin: lab.url });
    await t.opened();
    // 1 MiB in 21 frames, more than TERMINAL_INPUT_HIGH_BYTES: paused and resumed, nothing lost.
    // wc-ready means the shell took its line and gave the terminal back in
    // line mode: the paste and its Ctrl-D then reach wc, not the line editor.
    t.type('stty -echo; echo "wc-$((1))"; wc -c; echo wc-done\n');
    await t.waitFor(/^wc-1\r?$/m);
    const line = `${'y'.repeat(1023)}\n`;
    for (let i = 0; i < 21; i++) t.type(line.repeat(50));
    t.type('\x04'); // end of input for wc
    await t.waitFor(/1075200\s*\r?\n.*wc-done/s, 20_000);
    t.close();
  });

  test('a browser that does not read: output waits in bounded buffers, the shell is paused, not killed', async () => {
    const { cookie } = await newSession(lab.url, LESSON);
    const readers: TerminalClient[] = [];
    for (let i = 0; i < 3; i++) {
      const t = new TerminalClient(lab.url, LESSON, { cookie, origin: lab.url });
      await t.opened();
      readers.push(t);
    }
    const before = rssBytes(lab.pid);
    for (const t of readers) {
      t.type('yes "$(head -c 2000 /dev/zero | tr "\\0" a)"\n');
      // Stop reading: the client's socket is paused, TCP fills up.
      t.ws.pause();
    }
    await sleep(6000); // the attack itself: 6 s of output into sockets nobody reads
    const grown = rssBytes(lab.pid) - before;
    console.log(`3 unread terminals running yes for 6 s: server RSS grew ${Math.round(grown / MiB)} MiB`);
    assert.ok(grown < 60 * MiB, `the server's memory grew by ${Math.round(grown / MiB)} MiB`);
    // Paused, not dropped: a browser that reads again finds its shell alive.
    assert.ok(
      readers.every((t) => t.ws.readyState === t.ws.OPEN),
      'the terminals are still open',
    );
    const t = readers[0];
    t.ws.resume();
    t.type('\x03');
    const from = t.output.length;
    t.type('echo "alive:$((6*7))"\n');
    await t.waitFor(/alive:42/, 15_000, from);
    for (const r of readers) r.ws.terminate();
  });
});

describe('terminal abuse: a client that sends but never reads', () => {
  let lab: LabServer;
  before(async () => {
    // No message rate: the server's answers to the client's own messages pile up fast.
    lab = await startServer({ env: { WARM_SANDBOXES: '0', TERMINAL_MESSAGES_BURST: '1000000', TERMINAL_MESSAGES_PER_SECOND: '1000000' } });
  });
  after(() => lab?.stop());

  test('answers it never reads are bounded: past TERMINAL_OUTPUT_MAX_BYTES it is cut off', async () => {
    const { cookie } = await newSession(lab.url, LESSON);
    const t = new TerminalClient(lab.url, LESSON, { cookie, origin: lab.url });
    await t.opened();
    t.ws.pause();
    // 150 000 unreadable messages: each is answered with a ~140-byte error, ~20 MB in all.
    for (let i = 0; i < 150; i++) {
      for (let j = 0; j < 1000; j++) t.ws.send('x');
      await sleep(10); // the attack's pace: bursts of 1000, as fast as the socket takes them
    }
    await until('the server to drop the connection', () => /its browser did not read/.test(lab.output()), 20_000);
    t.ws.resume();
    assert.equal(await t.closed, 1006, 'terminated, not closed politely (it would not read a close frame either)');
    const health = await fetch(`${lab.url}/healthz`);
    assert.equal(health.status, 200);
  });
});

describe('terminal abuse: caps', () => {
  let lab: LabServer;
  before(async () => {
    // The client address comes from X-Forwarded-For, so one test speaks for several addresses.
    lab = await startServer({ env: { TRUST_PROXY: '1', WARM_SANDBOXES: '0', MAX_TERMINALS: '6', MAX_TERMINALS_PER_CLIENT: '3' } });
  });
  after(() => lab?.stop());

  test('concurrent upgrades cannot pass the per-address and machine caps; other addresses still get in', async () => {
    const sessions = await Promise.all([0, 1, 2, 3, 4, 5].map(() => newSession(lab.url, LESSON)));
    // 16 upgrades at once from one address, four sessions (each within its own cap of 4).
    const attempts = await Promise.all(Array.from({ length: 16 }, (_, i) => open(lab, { cookie: sessions[i % 4].cookie, 'x-forwarded-for': '192.0.2.66' })));
    const opened = attempts.filter((a): a is TerminalClient => typeof a !== 'number');
    assert.equal(opened.length, 3, `per-address cap: ${attempts.map((a) => (typeof a === 'number' ? a : 'open')).join(',')}`);
    assert.ok(attempts.every((a) => typeof a !== 'number' || a === 429));
    // The rest of the machine is for others: three more addresses, one each, then the machine is full.
    const others = [];
    for (const address of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) {
      const t = await open(lab, { cookie: sessions[4].cookie, 'x-forwarded-for': address });
      assert.ok(typeof t !== 'number', `${address} got a terminal (HTTP ${t})`);
      others.push(t);
    }
    // A fifth address, with a session of its own: the machine is full.
    const refused = new TerminalClient(lab.url, LESSON, { cookie: sessions[5].cookie, origin: lab.url, 'x-forwarded-for': '192.0.2.4' });
    const answer = new Promise<string>((resolve) =>
      refused.ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d: Buffer) => {
          body += d;
        });
        res.on('end', () => resolve(`${res.statusCode} ${body}`));
      }),
    );
    assert.match(await answer, /^429 .*All 6 terminals of the lab are in use/);
    // Closing frees the slots: the attacker's address may open again, up to its cap.
    for (const t of [...opened, ...others]) t.close();
    await Promise.all([...opened, ...others].map((t) => t.closed));
    // The server frees a slot when it sees its socket close, a moment after the
    // client does: try until the cap's worth opens (more or fewer keeps trying, then fails).
    const tryAgain = () => Promise.all(Array.from({ length: 5 }, (_, i) => open(lab, { cookie: sessions[i % 4].cookie, 'x-forwarded-for': '192.0.2.66' })));
    const again = await waitFor(async () => {
      const attempt = await tryAgain();
      const got = attempt.filter((a): a is TerminalClient => typeof a !== 'number');
      if (got.length === 3) return attempt;
      for (const t of got) t.close();
      await Promise.all(got.map((t) => t.closed));
      return null;
    }, "the closed terminals' slots to be free again");
    assert.equal(again.filter((a) => typeof a !== 'number').length, 3, 'slots were released on close');
    for (const t of again) if (typeof t !== 'number') t.close();
  });

  test('concurrent upgrades of one session cannot pass its cap of 4', async () => {
    const { cookie } = await newSession(lab.url, LESSON);
    // Spread over addresses so only the session's cap applies.
    const attempts = await Promise.all(Array.from({ length: 6 }, (_, i) => open(lab, { cookie, 'x-forwarded-for': `198.51.100.${i}` })));
    const opened = attempts.filter((a): a is TerminalClient => typeof a !== 'number');
    assert.equal(opened.length, 4, attempts.map((a) => (typeof a === 'number' ? a : 'open')).join(','));
    for (const t of opened) t.close();
    await Promise.all(opened.map((t) => t.closed));
  });
});

describe('terminal abuse: every refused upgrade releases the workspace', { skip: !AS_ROOT && 'workspace mounts need root' }, () => {
  let lab: LabServer;
  before(async () => {
    lab = await startServer({ env: { WARM_SANDBOXES: '0', REAP_INTERVAL_MS: '200', SESSION_IDLE_MS: '1500' } });
  });
  after(() => lab?.stop());

  /** Raw sockets of the test, closed at its end. */
  const open: Socket[] = [];

  /** A raw upgrade request; `then` decides what the client does after sending it. */
  function rawUpgrade(path: string, headers: Record<string, string>, then: 'read' | 'hang-up'): Promise<string> {
    return new Promise((resolve) => {
      // Half-open allowed, as a client that never closes its side: the server must close it.
      const socket = connect({ port: lab.port, host: '127.0.0.1', allowHalfOpen: true }, () => {
        const lines = [`GET ${path} HTTP/1.1`, `Host: 127.0.0.1:${lab.port}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
        socket.write(`${lines.join('\r\n')}\r\n\r\n`);
        if (then === 'hang-up') {
          socket.destroy();
          resolve('');
        }
      });
      let answer = '';
      socket.on('data', (d) => {
        answer += d;
      });
      socket.on('error', () => {});
      // The answer is complete when the server ends its side; the client keeps its own open.
      socket.on('end', () => resolve(answer.split('\r\n')[0]));
      socket.on('close', () => resolve(answer.split('\r\n')[0]));
      open.push(socket);
      // An answer is all it needs; a server that never answers fails the test, not hangs it.
      socket.setTimeout(5000, () => {
        socket.destroy();
        resolve(`no answer: ${JSON.stringify(answer)}`);
      });
    });
  }

  test('bad lesson, no cookie, bad handshake, bad protocol header, a hang-up mid-upgrade: the workspace is still reaped', async () => {
    const { cookie } = await newSession(lab.url, LESSON);
    const sessions = join(lab.dataDir, 'sessions');
    assert.ok(mountsUnder(sessions).length >= 1, 'the workspace is mounted while in use');
    const ws = { Upgrade: 'websocket', Connection: 'Upgrade', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version': '13' };
    const path = `/api/terminal?lesson=${encodeURIComponent(LESSON)}`;
    const answers: string[] = [];
    for (let round = 0; round < 3; round++) {
      answers.push(await rawUpgrade('/api/terminal?lesson=no/such', { ...ws, Cookie: cookie }, 'read'));
      answers.push(await rawUpgrade('/api/terminal', { ...ws, Cookie: cookie }, 'read'));
      answers.push(await rawUpgrade(path, ws, 'read'));
      answers.push(await rawUpgrade(path, { ...ws, Cookie: cookie, Origin: 'https://evil.example' }, 'read'));
      answers.push(await rawUpgrade(path, { ...ws, Cookie: cookie, 'Sec-WebSocket-Version': '99' }, 'read'));
      // Passes the lab's checks; ws itself refuses it (its callback never comes).
      answers.push(await rawUpgrade(path, { ...ws, Cookie: cookie, 'Sec-WebSocket-Protocol': 'two words' }, 'read'));
      // Gone while the server opens the lesson folder.
      await rawUpgrade(path, { ...ws, Cookie: cookie }, 'hang-up');
    }
    assert.deepEqual([...new Set(answers)].sort(), [
      'HTTP/1.1 400 Bad Request',
      'HTTP/1.1 401 Unauthorized',
      'HTTP/1.1 403 Forbidden',
      'HTTP/1.1 404 Not Found',
    ]);
    // Every refused client still holds its side open: the server must have let go all the same.
    await until('the idle workspace to be unmounted (nothing left it busy)', () => mountsUnder(sessions).length === 0, 15_000);
    for (const socket of open) socket.destroy();
  });
});

describe('terminal abuse: idle terminals, CPU priority', { skip: !AS_ROOT && 'cgroups need root' }, () => {
  let lab: LabServer;
  before(async () => {
    lab = await startServer({ env: { WARM_SANDBOXES: '0', TERMINAL_IDLE_MS: '2000' } });
  });
  after(() => lab?.stop());

  test('an idle terminal is closed with a message saying why', async () => {
    const { cookie } = await newSession(lab.url, LESSON);
    const t = new TerminalClient(lab.url, LESSON, { cookie, origin: lab.url });
    await t.opened();
    assert.equal(await t.closed, 1000);
    const exit = t.messages.find((m) => m.type === 'exit');
    assert.match((exit as { message?: string }).message ?? '', /without input \(idle limit\)/);
  });

  test('a terminal that keeps the CPU busy is demoted, and gets full weight back when quiet', async () => {
    const { cookie } = await newSession(lab.url, LESSON);
    const t = new TerminalClient(lab.url, LESSON, { cookie, origin: lab.url });
    await t.opened();
    const dir = join('/sys/fs/cgroup/cpu/golab', `s${lab.pid}`);
    const group = () =>
      readdirSync(dir)
        .filter((n) => n.startsWith('c-'))
        .map((n) => join(dir, n))[0];
    const shares = () => Number(readFileSync(join(group(), 'cpu.shares'), 'utf8'));
    const keepAlive = setInterval(() => t.send({ type: 'resize', cols: 80, rows: 24 }), 500); // not idle
    try {
      await until("the terminal's cgroup", () => existsSync(dir) && group() !== undefined);
      // Quiet for two CPU samples: the quiet time is the state under test, not a wait for an event.
      await sleep(2 * TERMINAL_CPU_SAMPLE_MS);
      assert.equal(shares(), 1024, 'a quiet terminal has full weight');
      t.type('while :; do :; done\n');
      await until('the busy terminal to be demoted', () => shares() < 1024, 6000);
      assert.equal(readFileSync(join(group(), 'cpu.idle'), 'utf8').trim(), '1');
      t.type('\x03');
      await until('the quiet terminal to get its weight back', () => shares() === 1024, 15_000);
    } finally {
      clearInterval(keepAlive);
      t.close();
    }
  });
});

describe('machine-wide memory budget', { skip: !AS_ROOT && 'cgroups need root' }, () => {
  const BUDGET = 700 * MiB;
  let lab: LabServer;
  before(async () => {
    lab = await startServer({ env: { WARM_SANDBOXES: '0', MEMORY_BUDGET_BYTES: String(BUDGET), MEMORY_LIMIT_BYTES: String(600 * MiB) } });
  });
  after(() => lab?.stop());

  test('one sandbox may use its own limit; two together cannot exceed the budget, and the one killed is told why', async () => {
    const limit = readFileSync(join('/sys/fs/cgroup/memory/golab', `s${lab.pid}`, 'memory.limit_in_bytes'), 'utf8');
    assert.equal(Number(limit), BUDGET, "the budget is on the server's parent group");
    const { cookie } = await newSession(lab.url, LESSON);
    // hold N [seconds]: N MiB of touched memory, held.
    const hog = [
      'package main',
      'import ("fmt"; "os"; "strconv"; "time"; "runtime")',
      'func main() { n, _ := strconv.Atoi(os.Args[1]); b := make([]byte, n<<20); for i := 0; i < len(b); i += 4096 { b[i] = 1 }',
      'fmt.Println("held", n); if len(os.Args) > 2 { s, _ := strconv.Atoi(os.Args[2]); time.Sleep(time.Duration(s) * time.Second) }; runtime.KeepAlive(b) }',
    ].join('\n');
    const build = await postRun(
      lab.url,
      { files: {}, lesson: LESSON, command: `mkdir -p hog && cat > hog/main.go <<'EOF'\n${hog}\nEOF\ngo build -o hold ./hog && echo built` },
      cookie,
    );
    assert.match(build.stdout, /built/, build.stderr);

    const alone = await postRun(lab.url, { files: {}, lesson: LESSON, command: './hold 450' }, cookie);
    assert.equal(alone.exit?.code, 0, `alone, 450 MiB fits its own 600 MiB limit: ${alone.stderr} ${alone.exit?.message}`);
    assert.match(alone.stdout, /held 450/);

    // A terminal holds 300 MiB; the same Run now takes the sum past the budget.
    const t = new TerminalClient(lab.url, LESSON, { cookie, origin: lab.url });
    await t.opened();
    t.type('./hold 300 600\n');
    await t.waitFor(/held 300/, 20_000);
    const together = await postRun(lab.url, { files: {}, lesson: LESSON, command: './hold 450' }, cookie);
    assert.equal(together.exit?.reason, 'oom', `together: ${together.stdout} ${together.stderr} ${JSON.stringify(together.exit)}`);
    assert.match(
      together.exit?.message ?? '',
      /out of memory: the lab's memory, shared by everyone's programs, was full/,
      "the budget is named, not the command's own limit",
    );
    assert.doesNotMatch(t.output, /Killed/, "the biggest process was the one killed, the terminal's lives on");
    // The sandboxes together reached the budget and no further (without it: 300 + 450 MiB and more).
    const peak = Number(readFileSync(join('/sys/fs/cgroup/memory/golab', `s${lab.pid}`, 'memory.max_usage_in_bytes'), 'utf8'));
    console.log(`peak of all sandboxes together: ${Math.round(peak / MiB)} MiB (budget ${BUDGET / MiB} MiB)`);
    // The kernel lets a task it is killing for OOM finish its allocation over the limit
    // ("force charge" in mm/memcontrol.c), so the watermark may pass the budget by a few pages.
    const FORCE_CHARGE_SLACK = 4 * MiB;
    assert.ok(peak <= BUDGET + FORCE_CHARGE_SLACK && peak > BUDGET - 32 * MiB, `peak ${peak} bytes (${(peak / MiB).toFixed(2)} MiB), budget ${BUDGET}`);
    t.close();
  });
});
