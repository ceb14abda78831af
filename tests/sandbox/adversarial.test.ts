/**
 * The adversarial suite: hostile programs and commands through the real
 * server and sandbox. Each case asserts what the learner is told (the exit
 * event's reason and message, partial output kept) and then that the host is
 * clean: no process left, no cgroup, no mount, the server answering.
 *
 * Limits are lowered (env below) so each case ends in seconds; the kernel
 * mechanisms are the same as with the defaults.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, type LabServer } from '../helpers/server.ts';
import { postRun, streamRun, TerminalClient, newSession } from '../helpers/api.ts';
import { assertHostClean } from '../helpers/host.ts';

const AS_ROOT = process.getuid?.() === 0;
const MiB = 1024 * 1024;
const LIMITS = {
  RUN_TIMEOUT_MS: '6000',
  PROGRAM_TIMEOUT_MS: '5000',
  RUN_OUTPUT_LIMIT_BYTES: String(256 * 1024),
  // The command (a build, a shell) and the program go run starts have limits of their own.
  MEMORY_LIMIT_BYTES: String(512 * MiB),
  TASKS_LIMIT: '128',
  PROGRAM_MEMORY_LIMIT_BYTES: String(192 * MiB),
  PROGRAM_TASKS_LIMIT: '64',
  FILE_SIZE_LIMIT_BYTES: String(32 * MiB),
  DISK_QUOTA_BYTES: String(64 * MiB),
  DISK_QUOTA_INODES: '4096',
};
const GO_MOD = 'module example.com/hostile\n\ngo 1.26\n';
const goFiles = (main: string) => ({ 'main.go': main, 'go.mod': GO_MOD });
const LESSON = 'go-run/what-go-run-does';

describe('adversarial: hostile code is contained', { skip: !AS_ROOT && 'needs root (cgroups, sandbox uids, quota mounts)' }, () => {
  let lab: LabServer;
  before(async () => {
    lab = await startServer({ env: LIMITS });
  });
  after(() => lab?.stop());

  // ------------------------------------------------------------ processes
  test('shell fork bomb: too many processes, stopped, nothing left', async () => {
    const r = await postRun(lab.url, { files: {}, command: 'echo before; bomb() { bomb | bomb; }; bomb' });
    assert.equal(r.exit?.reason, 'pids', JSON.stringify(r.exit));
    assert.match(r.exit?.message ?? '', /too many processes \(limit 128\)/);
    assert.match(r.stdout, /^before\n/);
    await assertHostClean(lab);
  });

  test('Go fork bomb (os/exec of itself)', async () => {
    const r = await postRun(lab.url, {
      files: goFiles(`package main
import ("fmt"; "os"; "os/exec")
func main() {
	fmt.Println("forking")
	for {
		cmd := exec.Command(os.Args[0])
		if err := cmd.Start(); err != nil { fmt.Fprintln(os.Stderr, "fork failed:", err); os.Exit(3) }
	}
}`),
      command: 'go build -o bomb . && ./bomb',
    });
    assert.equal(r.exit?.reason, 'pids', JSON.stringify(r.exit));
    assert.match(r.exit?.message ?? '', /too many processes/);
    await assertHostClean(lab);
  });

  test('thread bomb: OS threads count against the task limit', async () => {
    const r = await postRun(lab.url, {
      files: goFiles(`package main
import ("fmt"; "runtime"; "time")
func main() {
	fmt.Println("spawning threads")
	for i := 0; i < 10000; i++ {
		go func() { runtime.LockOSThread(); time.Sleep(time.Hour) }()
	}
	time.Sleep(time.Hour)
}`),
      command: 'go run .',
    });
    assert.equal(r.exit?.reason, 'pids', JSON.stringify(r.exit));
    assert.match(r.exit?.message ?? '', /^too many processes \(limit 64\)/, "the program limit, not the build's");
    assert.match(r.stdout, /spawning threads/);
    await assertHostClean(lab);
  });

  // --------------------------------------------------------------- memory
  const HOG = goFiles(`package main
import "fmt"
func main() {
	fmt.Println("allocating")
	b := make([]byte, 2<<30)
	for i := range b { b[i] = 1 }
	fmt.Println(len(b))
}`);

  test('memory hog (fast) under go run: out of memory at the program limit', async () => {
    const r = await postRun(lab.url, { files: HOG, command: 'go run .' });
    assert.equal(r.exit?.reason, 'oom', JSON.stringify(r.exit));
    assert.equal(r.exit?.message, 'out of memory (192 MiB limit)');
    assert.match(r.stdout, /allocating/);
    await assertHostClean(lab);
  });

  test("memory hog (fast) run as a built binary: the command's limit applies", async () => {
    const r = await postRun(lab.url, { files: HOG, command: 'go build -o hog . && ./hog' });
    assert.equal(r.exit?.reason, 'oom', JSON.stringify(r.exit));
    assert.equal(r.exit?.message, 'out of memory (512 MiB limit)');
    assert.match(r.stdout, /allocating/);
    await assertHostClean(lab);
  });

  test('the program limit binds only the program: 300 MiB is fine for a built binary, too much under go run', async () => {
    const files = goFiles(`package main
import "fmt"
func main() {
	b := make([]byte, 300<<20)
	for i := range b { b[i] = 1 }
	fmt.Println("touched MiB:", len(b)>>20)
}`);
    const built = await postRun(lab.url, { files, command: 'go build -o mid . && ./mid' });
    assert.equal(built.exit?.code, 0, JSON.stringify(built.exit) + built.stderr);
    assert.equal(built.stdout, 'touched MiB: 300\n');
    const run = await postRun(lab.url, { files, command: 'go run .' });
    assert.equal(run.exit?.reason, 'oom', JSON.stringify(run.exit));
    assert.equal(run.exit?.message, 'out of memory (192 MiB limit)');
    await assertHostClean(lab);
  });

  test('memory hog (slow): grows until the limit', async () => {
    const r = await postRun(lab.url, {
      files: goFiles(`package main
import ("fmt"; "time")
var keep [][]byte
func main() {
	for i := 0; ; i++ {
		b := make([]byte, 16<<20)
		for j := range b { b[j] = byte(j) }
		keep = append(keep, b)
		fmt.Println("MiB:", (i+1)*16)
		time.Sleep(20 * time.Millisecond)
	}
}`),
      command: 'go run .',
    });
    assert.equal(r.exit?.reason, 'oom', JSON.stringify(r.exit));
    assert.match(r.stdout, /MiB: 16\n/);
    await assertHostClean(lab);
  });

  test('memory in /tmp (tmpfs) counts too', async () => {
    const r = await postRun(lab.url, { files: {}, command: 'for i in $(seq 1 40); do head -c 16M /dev/zero > /tmp/f$i || exit 1; done; echo filled' });
    assert.notEqual(r.stdout, 'filled\n');
    assert.ok(['oom', 'disk'].includes(r.exit!.reason), JSON.stringify(r.exit));
    await assertHostClean(lab);
  });

  test('compile-time blow-up: the build is stopped by a limit', async () => {
    // A 3-million-element composite literal: the compiler needs far more than 512 MiB.
    const r = await postRun(lab.url, {
      files: {
        'go.mod': GO_MOD,
        'gen.sh': 'echo "package main"; echo "var big = []int{"; seq 1 3000000 | sed "s/$/,/"; echo "}"; echo "func main() { println(len(big)) }"\n',
      },
      command: 'bash gen.sh > main.go && go build -o big .',
    });
    assert.ok(['oom', 'timeout', 'disk'].includes(r.exit!.reason), JSON.stringify(r.exit));
    assert.ok(r.exit?.message, 'the learner is told which limit');
    await assertHostClean(lab);
  });

  // --------------------------------------------------------------- output
  test('endless lines: output truncated at the limit, partial output kept', async () => {
    const r = await postRun(lab.url, { files: {}, command: 'yes spam' });
    assert.equal(r.exit?.reason, 'output-limit');
    assert.equal(r.exit?.message, 'output truncated after 256 KiB (output limit)');
    assert.equal(Buffer.byteLength(r.stdout), 256 * 1024);
    await assertHostClean(lab);
  });

  test('one endless line, on stderr', async () => {
    const r = await postRun(lab.url, { files: {}, command: "tr '\\0' x < /dev/zero >&2" });
    assert.equal(r.exit?.reason, 'output-limit');
    assert.equal(r.stderr.length, 256 * 1024);
    assert.doesNotMatch(r.stderr, /\n/);
    await assertHostClean(lab);
  });

  test('endless output in the terminal: Ctrl-C still works, the server stays small', async () => {
    const { cookie } = await newSession(lab.url, LESSON);
    const t = new TerminalClient(lab.url, LESSON, { cookie, origin: lab.url });
    await t.opened();
    const rssBefore = serverRss(lab.pid);
    t.type('yes endless-output-line\n');
    await t.waitFor(/endless-output-line/);
    await new Promise((r) => setTimeout(r, 2000)); // the attack itself: 2 s of endless output
    const beforeCtrlC = t.output.length;
    t.type('\x03');
    await t.waitFor(/\^C/, 15_000, beforeCtrlC); // the terminal took the interrupt
    const mark = t.output.length;
    t.type('echo "back:$((40+2))"\n');
    await t.waitFor(/back:42/, 15_000, mark);
    const growth = serverRss(lab.pid) - rssBefore;
    assert.ok(growth < 200 * MiB, `server memory grew by ${Math.round(growth / MiB)} MiB`);
    t.close();
    await t.closed;
    await assertHostClean(lab);
  });

  // ----------------------------------------------------------------- disk
  test('one huge file: stopped at the file size limit', async () => {
    const r = await postRun(lab.url, { files: {}, command: 'echo writing; head -c 100M /dev/zero > big.bin' });
    assert.equal(r.exit?.reason, 'disk', JSON.stringify(r.exit));
    assert.equal(r.exit?.message, 'file size limit of 32 MiB exceeded');
    assert.match(r.stdout, /writing/);
    await assertHostClean(lab);
  });

  test('disk fill: the workspace quota stops it', async () => {
    const r = await postRun(lab.url, { files: {}, command: 'for i in 1 2 3 4; do head -c 30M /dev/zero > f$i.bin || exit 1; done' });
    assert.equal(r.exit?.reason, 'disk', JSON.stringify(r.exit));
    assert.equal(r.exit?.message, 'disk quota of 64 MiB exceeded');
    assert.match(r.stderr, /No space left on device/);
    await assertHostClean(lab);
  });

  test('many small files: the inode budget stops it', async () => {
    const r = await postRun(lab.url, { files: {}, command: 'mkdir d && cd d && for i in $(seq 1 20000); do : > f$i || exit 1; done' });
    assert.equal(r.exit?.reason, 'disk', JSON.stringify(r.exit));
    assert.match(r.stderr, /No space left on device/);
    await assertHostClean(lab);
  });

  test('a session that filled its disk can clean up and run again', async () => {
    const { cookie } = await newSession(lab.url, LESSON);
    const fill = await postRun(
      lab.url,
      { files: {}, command: 'for i in 1 2 3; do head -c 30M /dev/zero > fill$i.bin || exit 1; done', lesson: LESSON },
      cookie,
    );
    assert.equal(fill.exit?.reason, 'disk');
    const clean = await postRun(lab.url, { files: {}, command: 'rm fill*.bin && go run .', lesson: LESSON }, cookie);
    assert.equal(clean.exit?.code, 0, clean.stderr);
  });

  // -------------------------------------------------------------- network
  test('network: no TCP, no DNS, no HTTP, not even the lab itself', async () => {
    const r = await postRun(lab.url, {
      files: goFiles(`package main
import ("fmt"; "net"; "net/http"; "time")
func main() {
	_, err := net.DialTimeout("tcp", "1.1.1.1:443", 2*time.Second); fmt.Println("tcp:", err != nil)
	_, err = net.LookupHost("proxy.golang.org"); fmt.Println("dns:", err != nil)
	_, err = (&http.Client{Timeout: 2 * time.Second}).Get("http://example.com/"); fmt.Println("http:", err != nil)
	_, err = net.DialTimeout("tcp", "127.0.0.1:${lab.port}", 2*time.Second); fmt.Println("lab:", err != nil)
	ifs, _ := net.Interfaces(); fmt.Println("interfaces:", len(ifs))
}`),
      command: 'go run .',
    });
    assert.equal(r.exit?.code, 0, r.stderr);
    assert.equal(r.stdout, 'tcp: true\ndns: true\nhttp: true\nlab: true\ninterfaces: 1\n');
    await assertHostClean(lab);
  });

  test("go get of a remote module fails cleanly (no network; only the lab's own proxy)", async () => {
    const r = await postRun(lab.url, { files: { 'go.mod': GO_MOD }, command: 'go get golang.org/x/example/hello@latest' });
    assert.equal(r.exit?.code, 1, JSON.stringify(r.exit));
    assert.match(
      r.stderr,
      /^go: golang\.org\/x\/example\/hello@latest: module golang\.org\/x\/example\/hello: reading file:\/\/\/opt\/lab\/goproxy\/golang\.org\/x\/example\/hello\/@v\/list: no such file or directory$/m,
    );
    assert.doesNotMatch(r.stderr, /dial|lookup .* on|https:\/\//, 'no network fallback (no ",direct" in GOPROXY)');
    await assertHostClean(lab);
  });

  // ----------------------------------------------------------- host files
  test('host files are out of reach: shadow, the server, its data, other learners', async () => {
    const other = await newSession(lab.url, LESSON);
    const secretMarker = 'other-learner-secret-' + Date.now();
    await postRun(lab.url, { files: { 'secret.txt': secretMarker }, command: 'true', lesson: LESSON }, other.cookie);
    const root = join(import.meta.dirname, '..', '..');
    const r = await postRun(lab.url, {
      files: {},
      command: [
        'cat /etc/shadow 2>&1 | head -1',
        `ls ${root}/server 2>&1 | head -1`,
        `ls ${lab.dataDir} 2>&1 | head -1`,
        // Everything but the read-only host /usr (no workspaces there) and /proc (our own command line).
        `grep -rl --exclude-dir=proc --exclude-dir=usr ${secretMarker} / 2>/dev/null | head -1; echo "grep-done"`,
        'ls /sys 2>&1 | head -1',
        'cat /proc/1/comm',
      ].join('; '),
    });
    const lines = r.stdout.split('\n');
    assert.match(lines[0], /No such file or directory/);
    assert.match(lines[1], /No such file or directory/);
    assert.match(lines[2], /No such file or directory/);
    assert.equal(lines[3], 'grep-done', "another learner's file is not anywhere in the sandbox");
    assert.match(lines[4], /No such file or directory/);
    assert.equal(lines[5], 'bwrap', "pid 1 is the sandbox's own init, not the host's");
    assert.doesNotMatch(r.stdout, new RegExp(secretMarker));
    await assertHostClean(lab);
  });

  test('the system is read-only, devices are minimal', async () => {
    const r = await postRun(lab.url, {
      files: {},
      command:
        'for p in /usr/bin/x /etc/x /opt/lab/bin/x /proc/sysrq-trigger /x /home/x; do (echo x > $p) 2>/dev/null && echo "$p writable" || echo "$p refused"; done; ls /dev | tr "\\n" " "',
    });
    assert.match(
      r.stdout,
      /^\/usr\/bin\/x refused\n\/etc\/x refused\n\/opt\/lab\/bin\/x refused\n\/proc\/sysrq-trigger refused\n\/x refused\n\/home\/x refused\n/,
    );
    assert.doesNotMatch(r.stdout, /\b(sda|vda|loop\d|mem|kmsg)\b/);
    await assertHostClean(lab);
  });

  // -------------------------------------------------------- time & signals
  test('long sleep that ignores signals: stopped at the time limit', async () => {
    const r = await postRun(lab.url, { files: {}, command: "trap '' TERM INT HUP; echo sleeping; sleep 1000" });
    assert.equal(r.exit?.reason, 'timeout');
    assert.equal(r.exit?.message, 'stopped after 6 s (time limit)');
    assert.equal(r.stdout, 'sleeping\n');
    await assertHostClean(lab);
  });

  test('CPU burn on many goroutines: capped, and another learner still gets through', async () => {
    const burning = streamRun(lab.url, {
      files: goFiles(`package main
func main() {
	for i := 0; i < 64; i++ { go func() { for {} }() }
	println("burning")
	select {}
}`),
      command: 'go run .',
    });
    await burning.output(/burning/); // the burn has the CPU before the other learner comes
    const burn = burning.done;
    const hello = await postRun(lab.url, { files: goFiles('package main\nfunc main() { println("still here") }\n'), command: 'go run .' });
    assert.equal(hello.exit?.code, 0, hello.stderr);
    assert.match(hello.stderr, /still here/);
    const b = await burn;
    assert.equal(b.exit?.reason, 'timeout');
    await assertHostClean(lab);
  });

  test('daemons and orphans die with their command', async () => {
    const r = await postRun(lab.url, {
      files: {},
      command: '(setsid sleep 1000 &); nohup sleep 1000 >/dev/null 2>&1 & disown; (trap "" HUP; sleep 1000 &) ; echo started',
    });
    assert.equal(r.exit?.code, 0);
    assert.equal(r.stdout, 'started\n');
    await assertHostClean(lab);
  });

  test('namespaces, mounts and kernel surface are denied', async () => {
    const r = await postRun(lab.url, {
      files: {},
      command: [
        'unshare -U true 2>/dev/null && echo unshare-ok || echo unshare-denied',
        'mount -t tmpfs none /tmp 2>/dev/null && echo mount-ok || echo mount-denied',
      ].join('; '),
    });
    // (kill -9 -1 has a test of its own, below.)
    assert.equal(r.stdout, 'unshare-denied\nmount-denied\n');
    await assertHostClean(lab);
  });

  test("kill -9 -1 inside kills only the learner's own sandbox", async () => {
    const r = await postRun(lab.url, { files: {}, command: 'sleep 100 & kill -9 -1; wait; echo "survived, sleep gone"' });
    assert.equal(r.stdout, 'survived, sleep gone\n');
    assert.ok(r.exit!.durationMs < 5000, 'the background sleep was killed');
    const health = await fetch(`${lab.url}/healthz`);
    assert.equal(health.status, 200);
    await assertHostClean(lab);
  });

  test('a flood of Runs from one client: 429 with Retry-After, others still served', async () => {
    const flood = Array.from({ length: 12 }, () =>
      fetch(`${lab.url}/api/run`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ files: {}, command: 'sleep 2' }),
      }),
    );
    const answers = await Promise.all(flood);
    const statuses = answers.map((a) => a.status);
    const refused = answers.filter((a) => a.status === 429);
    assert.ok(refused.length >= 8, `statuses: ${statuses.join(',')}`);
    assert.ok(Number(refused[0].headers.get('retry-after')) >= 1);
    assert.match((await refused[0].json()).error, /you already have 2 commands running or waiting; wait for one of them to finish/);
    await Promise.all(answers.filter((a) => a.status === 200).map((a) => a.text()));
    await assertHostClean(lab);
  });
});

function serverRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(status.match(/^VmRSS:\s+(\d+) kB$/m)?.[1] ?? 0) * 1024;
}
