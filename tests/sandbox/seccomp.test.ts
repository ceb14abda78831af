/**
 * The seccomp filter (server/sandbox/seccomp/) tested for real: bubblewrap
 * loads it with `--seccomp 3` as an unprivileged uid, and a static Go probe
 * (tests/sandbox/seccomp-probe/) tries every denied system call inside.
 *
 * Many denied calls would fail for an unprivileged user anyway (mount,
 * reboot, ...), so EPERM alone would not prove the filter did it. The first
 * run therefore uses a copy of the filter whose only change is the errno in
 * its RET instructions (EPERM -> EHWPOISON, ENOSYS -> ENOTRECOVERABLE): a
 * call that comes back with one of those was stopped by the filter's rule.
 * The second run uses the real filter and checks the errnos learners see.
 * Then ordinary work (go build, goroutines and threads, bash + coreutils)
 * must still succeed under the real filter.
 *
 *   ./node_modules/.bin/node --test tests/sandbox/seccomp.test.ts
 *
 * Needs bwrap, Go, and (when run as root) setpriv; SECCOMP_TEST_UID picks the
 * sandbox uid (default 61990).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureSeccompFilter } from '../../server/sandbox/seccomp/filter.ts';

const run = promisify(execFile);
const PROBE_SRC = join(import.meta.dirname, 'seccomp-probe');
const UID = Number(process.env.SECCOMP_TEST_UID || 61990);
const AS_ROOT = process.getuid?.() === 0;
const GO = process.env.GO || 'go';

const EPERM = 1;
const ENOSYS = 38;
const ENOTTY = 25;
const MARK_EPERM = 133; // EHWPOISON: nothing here returns it by itself
const MARK_ENOSYS = 131; // ENOTRECOVERABLE: ditto
const SIGSYS = 31;
const SECCOMP_RET_ERRNO = 0x00050000;

const missing = ['/usr/bin/bwrap', ...(AS_ROOT ? ['/usr/bin/setpriv'] : [])].filter((p) => !existsSync(p));
const skip = missing.length ? `missing ${missing.join(', ')}` : process.arch !== 'x64' ? 'x86_64 only' : false;

interface ProbeResult {
  case: string;
  rule: string;
  ret: number;
  errno: number;
  detail?: string;
}
interface PolicyRule {
  name: string;
  errno: 'EPERM' | 'ENOSYS';
}

let tmp = '';
let home = '';
let probeDir = '';
let goroot = '';
let filterPath = '';
let markedPath = '';
let policy: PolicyRule[] = [];

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs argv inside bwrap as the sandbox uid, with the filter file as fd 3 (or no filter). */
function sandbox(filter: string | null, argv: string[], timeoutMs = 60_000): Promise<Outcome> {
  const bwrapArgs = [
    '--unshare-all',
    '--unshare-user',
    '--disable-userns',
    '--die-with-parent',
    '--new-session',
    '--ro-bind',
    '/usr',
    '/usr',
    '--symlink',
    'usr/lib',
    '/lib',
    '--symlink',
    'usr/lib64',
    '/lib64',
    '--symlink',
    'usr/bin',
    '/bin',
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--tmpfs',
    '/tmp',
    '--bind',
    home,
    '/home/learner',
    '--ro-bind',
    probeDir,
    '/opt/probe',
    ...(goroot.startsWith('/usr/') ? [] : ['--ro-bind', goroot, goroot]),
    '--chdir',
    '/home/learner',
    '--clearenv',
    '--setenv',
    'PATH',
    `${goroot}/bin:/usr/bin:/bin`,
    '--setenv',
    'HOME',
    '/home/learner',
    '--setenv',
    'GOCACHE',
    '/home/learner/.cache/go-build',
    '--setenv',
    'GOPATH',
    '/home/learner/go',
    '--setenv',
    'GOTOOLCHAIN',
    'local',
    '--setenv',
    'GOPROXY',
    'off',
    ...(filter ? ['--seccomp', '3'] : []),
    ...argv,
  ];
  const [cmd, args] = AS_ROOT ? ['setpriv', [`--reuid=${UID}`, `--regid=${UID}`, '--clear-groups', 'bwrap', ...bwrapArgs]] : ['bwrap', bwrapArgs];
  const fd = filter ? openSync(filter, 'r') : null;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe', ...(fd === null ? [] : [fd])] });
    if (fd !== null) closeSync(fd); // the child has its own copy now
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

function chownTree(path: string): void {
  chownSync(path, UID, UID);
  if (statSync(path).isDirectory()) for (const n of readdirSync(path)) chownTree(join(path, n));
}

/** The filter with every RET ERRNO(EPERM) / RET ERRNO(ENOSYS) given a marker errno instead. */
function markFilter(bytes: Buffer): { marked: Buffer; eperm: number; enosys: number } {
  const marked = Buffer.from(bytes);
  let eperm = 0;
  let enosys = 0;
  for (let off = 0; off < marked.length; off += 8) {
    if (marked.readUInt16LE(off) !== 0x06) continue; // BPF_RET|BPF_K
    const k = marked.readUInt32LE(off + 4);
    if (k === (SECCOMP_RET_ERRNO | EPERM)) {
      marked.writeUInt32LE(SECCOMP_RET_ERRNO | MARK_EPERM, off + 4);
      eperm++;
    }
    if (k === (SECCOMP_RET_ERRNO | ENOSYS)) {
      marked.writeUInt32LE(SECCOMP_RET_ERRNO | MARK_ENOSYS, off + 4);
      enosys++;
    }
  }
  return { marked, eperm, enosys };
}

function parseProbe(o: Outcome): Map<string, ProbeResult> {
  assert.equal(o.code, 0, `probe failed: code ${o.code} signal ${o.signal}\n${o.stderr}`);
  const results = new Map<string, ProbeResult>();
  for (const line of o.stdout.trim().split('\n')) {
    const r = JSON.parse(line) as ProbeResult;
    results.set(r.case, r);
  }
  assert.ok(results.has('int80'), `probe output incomplete:\n${o.stdout}\n${o.stderr}`);
  return results;
}

/** The errno the policy gives for a rule, or null when the policy has no such rule. */
function errnoOfRule(rule: string): number | null {
  if (rule === '(x32)') return ENOSYS;
  const p = policy.find((r) => r.name === rule);
  if (!p) return null;
  return p.errno === 'ENOSYS' ? ENOSYS : EPERM;
}

let realRun: Promise<Map<string, ProbeResult>> | null = null;
const probeUnderRealFilter = () => (realRun ??= sandbox(filterPath, ['/opt/probe/probe']).then(parseProbe));

describe('seccomp filter under bubblewrap', { skip, timeout: 600_000 }, () => {
  before(async () => {
    tmp = mkdtempSync('/tmp/gbl-seccomp-');
    chmodSync(tmp, 0o755);
    home = join(tmp, 'home');
    probeDir = join(tmp, 'probe');
    mkdirSync(home);
    mkdirSync(probeDir);
    goroot = (await run(GO, ['env', 'GOROOT'])).stdout.trim();

    filterPath = await ensureSeccompFilter(join(tmp, 'filter'));
    policy = JSON.parse((await run(join(tmp, 'filter', 'seccomp-gen'), ['-json'])).stdout).rules;
    const { marked, eperm, enosys } = markFilter(readFileSync(filterPath));
    // one RET per EPERM rule; the ENOSYS ones plus the x32 guard
    assert.equal(eperm, policy.filter((r) => r.errno === 'EPERM').length);
    assert.equal(enosys, policy.filter((r) => r.errno === 'ENOSYS').length + 1);
    markedPath = join(tmp, 'filter', 'marked.bpf');
    writeFileSync(markedPath, marked);

    await run(GO, ['build', '-trimpath', '-buildvcs=false', '-o', join(probeDir, 'probe'), '.'], {
      cwd: PROBE_SRC,
      env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=readonly' },
    });

    writeFileSync(join(home, 'go.mod'), 'module example.com/hello\n\ngo 1.26\n');
    mkdirSync(join(home, 'hello'));
    writeFileSync(join(home, 'hello', 'main.go'), HELLO);
    mkdirSync(join(home, 'cgo'));
    writeFileSync(join(home, 'cgo', 'main.go'), CGO_THREADS);
    mkdirSync(join(home, 'busy'));
    writeFileSync(join(home, 'busy', 'main.go'), BUSY);
    chownTree(home);
  });

  after(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  test('docs/security.md lists exactly the policy (seccomp-gen -list)', async () => {
    const { stdout } = await run(join(tmp, 'filter', 'seccomp-gen'), ['-list']);
    const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'security.md'), 'utf8');
    const table = doc.match(/<!-- seccomp-table:start -->\n([\s\S]*?)<!-- seccomp-table:end -->/)?.[1];
    assert.equal(table, stdout, 'regenerate the table in docs/security.md with seccomp-gen -list');
  });

  test('every rule of the policy is exercised by the probe', async () => {
    const results = await probeUnderRealFilter();
    const exercised = new Set([...results.values()].map((r) => r.rule));
    for (const rule of policy) assert.ok(exercised.has(rule.name), `no probe case for ${rule.name}`);
    for (const must of [
      'ptrace',
      'process_vm_readv',
      'process_vm_writev',
      'bpf',
      'perf_event_open',
      'userfaultfd',
      'keyctl',
      'add_key',
      'request_key',
      'mount',
      'umount2',
      'pivot_root',
      'move_mount',
      'open_tree',
      'fsopen',
      'fsconfig',
      'fsmount',
      'fspick',
      'mount_setattr',
      'unshare',
      'setns',
      'clone',
      'clone3',
      'io_uring_setup',
      'io_uring_enter',
      'io_uring_register',
      'ioctl',
      'kexec_load',
      'kexec_file_load',
      'init_module',
      'finit_module',
      'delete_module',
      'acct',
      'swapon',
      'swapoff',
      'reboot',
      'settimeofday',
      'clock_settime',
      'adjtimex',
      'syslog',
      'personality',
    ]) {
      assert.ok(
        policy.some((r) => r.name === must),
        `policy lost its ${must} rule`,
      );
    }
  });

  test('each denied call is stopped by the filter itself (marker errnos)', async () => {
    const results = parseProbe(await sandbox(markedPath, ['/opt/probe/probe']));
    const wrong: string[] = [];
    for (const r of results.values()) {
      if (r.case === 'int80') continue;
      if (r.rule === '') {
        if (r.errno === MARK_EPERM || r.errno === MARK_ENOSYS) wrong.push(`${r.case}: allowed call was denied (errno ${r.errno})`);
        continue;
      }
      const errno = errnoOfRule(r.rule);
      if (errno === null) {
        wrong.push(`${r.case}: the policy has no rule ${r.rule}`);
        continue;
      }
      const want = errno === ENOSYS ? MARK_ENOSYS : MARK_EPERM;
      if (r.errno !== want) wrong.push(`${r.case}: errno ${r.errno}, want marker ${want}`);
    }
    assert.deepEqual(wrong, []);
  });

  test('denied calls fail with EPERM (ENOSYS for clone3 and x32); allowed ones work', async () => {
    const results = await probeUnderRealFilter();
    const wrong: string[] = [];
    for (const r of results.values()) {
      if (r.rule === '' || r.case === 'int80') continue;
      const want = errnoOfRule(r.rule);
      if (want === null) {
        wrong.push(`${r.case}: the policy has no rule ${r.rule}`);
        continue;
      }
      if (r.ret !== -1 || r.errno !== want) wrong.push(`${r.case}: ret ${r.ret} errno ${r.errno}, want errno ${want}`);
    }
    assert.deepEqual(wrong, []);
    const ok = (name: string) => {
      const r = results.get(name);
      assert.ok(r, `missing probe case ${name}`);
      return r;
    };
    assert.deepEqual([ok('allowed_personality_query').ret, ok('allowed_personality_query').errno], [0, 0]);
    assert.equal(ok('allowed_personality_linux').errno, 0);
    assert.equal(ok('allowed_ioctl_tcgets').errno, ENOTTY, 'TCGETS reaches the driver');
    assert.equal(ok('allowed_getpid').errno, 0);
    assert.equal(ok('allowed_clone_fork').errno, 0, 'clone without namespace flags is allowed');
    assert.ok(ok('allowed_clone_fork').ret > 0);
    assert.equal(ok('allowed_exec_true').errno, 0, `os/exec works: ${ok('allowed_exec_true').detail ?? ''}`);
  });

  test('an i386 system call (int 0x80) kills the process with SIGSYS', async () => {
    const r = (await probeUnderRealFilter()).get('int80');
    assert.ok(r);
    assert.equal(r.ret, -SIGSYS, `child ended with ${r.ret}: ${r.detail}`);
  });

  test('go build and run of hello world', async () => {
    const o = await sandbox(filterPath, ['go', 'run', './hello'], 300_000);
    assert.equal(o.code, 0, o.stderr);
    assert.equal(o.stdout, 'hello, sandbox\n');
    const b = await sandbox(filterPath, ['bash', '-c', 'go build -o hello.bin ./hello && ./hello.bin'], 300_000);
    assert.equal(b.code, 0, b.stderr);
    assert.equal(b.stdout, 'hello, sandbox\n');
  });

  test('a goroutine- and thread-heavy program', async () => {
    const o = await sandbox(filterPath, ['go', 'run', './busy'], 300_000);
    assert.equal(o.code, 0, o.stderr);
    const m = /^ok sum=(\d+) threads=(\d+) children=(\d+)$/m.exec(o.stdout);
    assert.ok(m, o.stdout + o.stderr);
    assert.equal(Number(m[1]), (20000 * 19999) / 2);
    assert.ok(Number(m[2]) >= 20, `threads: ${m[2]}`);
    assert.equal(Number(m[3]), 8);
  });

  test('a cgo program starting pthreads (glibc tries clone3, gets ENOSYS, falls back to clone)', {
    skip: existsSync('/usr/bin/gcc') ? false : 'no gcc',
  }, async () => {
    const o = await sandbox(filterPath, ['go', 'run', './cgo'], 300_000);
    assert.equal(o.code, 0, o.stderr);
    assert.equal(o.stdout, 'pthreads: 16 joined, sum 240\n');
  });

  test('bash and coreutils: ls | wc -l', async () => {
    const o = await sandbox(filterPath, ['bash', '-c', 'ls /usr/bin | wc -l; grep ^Seccomp: /proc/self/status']);
    assert.equal(o.code, 0, o.stderr);
    const [count, seccomp] = o.stdout.trim().split('\n');
    assert.ok(Number(count) > 10, o.stdout);
    assert.match(seccomp, /^Seccomp:\s+2$/, 'the shell runs under a seccomp filter');
  });
});

const HELLO = `package main

import "fmt"

func main() { fmt.Println("hello, sandbox") }
`;

const CGO_THREADS = `package main

/*
#include <pthread.h>
#include <stdint.h>
static void *work(void *arg) { return (void *)((intptr_t)arg * 2); }
static int run_threads(int n, int *joined) {
	pthread_t t[64];
	int sum = 0;
	for (int i = 0; i < n; i++) if (pthread_create(&t[i], 0, work, (void *)(intptr_t)i) != 0) return -1;
	for (int i = 0; i < n; i++) { void *r; if (pthread_join(t[i], &r) == 0) { sum += (int)(intptr_t)r; (*joined)++; } }
	return sum;
}
*/
import "C"

import "fmt"

func main() {
	var joined C.int
	sum := C.run_threads(16, &joined)
	fmt.Printf("pthreads: %d joined, sum %d\\n", joined, sum)
}
`;

/** 20000 goroutines over channels, 24 goroutines pinned to OS threads in blocking sleeps, and 8 child processes. */
const BUSY = `package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
)

func threads() int {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\\n") {
		var n int
		if _, err := fmt.Sscanf(l, "Threads: %d", &n); err == nil {
			return n
		}
	}
	return -1
}

func main() {
	var wg sync.WaitGroup
	ch := make(chan int, 100)
	for i := 0; i < 20000; i++ {
		wg.Add(1)
		go func(i int) { defer wg.Done(); runtime.Gosched(); ch <- i }(i)
	}
	go func() { wg.Wait(); close(ch) }()
	sum := 0
	for v := range ch {
		sum += v
	}

	release := make(chan struct{})
	var ready sync.WaitGroup
	for i := 0; i < 24; i++ {
		ready.Add(1)
		go func() {
			runtime.LockOSThread()
			ready.Done()
			for {
				select {
				case <-release:
					return
				default:
					ts := syscall.Timespec{Nsec: 5e6}
					syscall.Nanosleep(&ts, nil)
				}
			}
		}()
	}
	ready.Wait()
	time.Sleep(50 * time.Millisecond)
	n := threads()
	close(release)

	var cw sync.WaitGroup
	var mu sync.Mutex
	children := 0
	for i := 0; i < 8; i++ {
		cw.Add(1)
		go func() {
			defer cw.Done()
			if out, err := exec.Command("true").CombinedOutput(); err == nil {
				mu.Lock()
				children++
				mu.Unlock()
			} else {
				fmt.Println(err, string(out))
			}
		}()
	}
	cw.Wait()
	fmt.Printf("ok sum=%d threads=%d children=%d\\n", sum, n, children)
}
`;
