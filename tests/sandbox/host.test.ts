/**
 * The host is out of reach of what a learner plants, and every resource is
 * released: attacker-style cases through the real server. A learner's Run
 * (or terminal) plants symlinks, FIFOs, directories and modes where the host
 * expects something else; then the server's own paths (GET and PUT files,
 * Run, Reset, the terminal, the sandbox set-up) must neither follow them
 * onto the host nor be bricked by them. Also: disk use shrinks when files
 * are deleted, a save on a full disk keeps the previous version, a waiting
 * sandbox that dies leaves no cgroup, and a clean stop leaves no mount,
 * loop device or cgroup.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { newDataDir, startServer, type LabServer } from '../helpers/server.ts';
import { newSession, postRun, streamRun, TerminalClient } from '../helpers/api.ts';
import { assertHostClean, mountsUnder, waitingSandboxes } from '../helpers/host.ts';
import { waitFor } from '../helpers/wait.ts';

const AS_ROOT = process.getuid?.() === 0;
const MiB = 1024 * 1024;
const LESSON = 'go-run/what-go-run-does';
const q = `lesson=${encodeURIComponent(LESSON)}`;
/** The quota of this suite's workspaces: room for the 50 MB file of the disk test, small enough to fill quickly. */
const QUOTA_BYTES = 96 * MiB;
/** Inodes per workspace: few, so that using them all up takes a moment. */
const INODES = 4096;
const LIMITS = { DISK_QUOTA_BYTES: String(QUOTA_BYTES), DISK_QUOTA_INODES: String(INODES), FILE_SIZE_LIMIT_BYTES: String(64 * MiB) };

async function getFiles(url: string, cookie: string) {
  const res = await fetch(`${url}/api/workspace/files?${q}`, { headers: { cookie } });
  return { status: res.status, body: await res.json() };
}

async function putFiles(url: string, cookie: string, files: Record<string, string>) {
  const res = await fetch(`${url}/api/workspace/files?${q}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ files }),
  });
  return { status: res.status, body: await res.json() };
}

async function reset(url: string, cookie: string) {
  const res = await fetch(`${url}/api/workspace/reset?${q}`, { method: 'POST', headers: { cookie } });
  return { status: res.status, body: await res.json() };
}

/** A Run of the lesson's own files as they are (nothing saved first). */
const run = (lab: LabServer, cookie: string, command: string) => postRun(lab.url, { files: {}, command, lesson: LESSON }, cookie);

/** The lesson works: its starting files build and run. */
async function assertLessonRuns(lab: LabServer, cookie: string): Promise<void> {
  const r = await run(lab, cookie, 'go run .');
  assert.equal(r.exit?.code, 0, `go run . after the repair: ${r.error ?? ''}${r.stderr}`);
}

/** A host directory anyone may write to (so a sandbox uid could create things in it if it were followed). */
/** The host directory mounted at /home/learner for the session in this cookie. */
function sessionHome(lab: LabServer, cookie: string): string {
  const id = /lab_session=([^;]+)/.exec(cookie)?.[1] ?? '';
  const home = join(lab.dataDir, 'sessions', createHash('sha256').update(id).digest('hex').slice(0, 32), 'mnt', 'home');
  assert.ok(existsSync(home), `no session home at ${home}`);
  return home;
}

function canaryDir(name: string): string {
  const dir = `/tmp/lab-canary-${process.pid}-${name}`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { mode: 0o777 });
  execFileSync('chmod', ['0777', dir]);
  return dir;
}

/** A state these tests wait for (tests/helpers/wait.ts), with this file's deadline. */
const until = (what: string, check: () => boolean, timeoutMs = 8000) => waitFor(check, what, { timeoutMs });

/** Host bytes the session's image file really holds (it is sparse). */
function imageBytes(dataDir: string): number {
  const sessions = join(dataDir, 'sessions');
  const [dir] = readdirSync(sessions).filter((d) => existsSync(join(sessions, d, 'disk.img')));
  return statSync(join(sessions, dir, 'disk.img')).blocks * 512;
}

/** Loop devices whose backing file is below dir. */
function loopsUnder(dir: string): string[] {
  return execFileSync('losetup', ['-a'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes(dir + '/'));
}

/** Cgroup directories of a server (gone or not). */
function cgroupsOf(pid: number): string[] {
  return ['memory', 'pids', 'cpu', ''].map((c) => join('/sys/fs/cgroup', c, 'golab', `s${pid}`)).filter((d) => existsSync(d));
}

describe('host: nothing a learner plants is followed, a broken workspace is repaired', { skip: !AS_ROOT && 'needs root (quota mounts, sandbox uids)' }, () => {
  let lab: LabServer;
  const canaries: string[] = [];
  before(async () => {
    lab = await startServer({ env: LIMITS });
  });
  after(async () => {
    await lab?.stop();
    for (const c of canaries) rmSync(c, { recursive: true, force: true });
  });

  test('~/.cache and its go-build cannot be moved, removed or swapped from inside, in a Run or a terminal', async () => {
    const { cookie } = await newSession(lab.url, LESSON);
    const canary = canaryDir('cache');
    canaries.push(canary);
    // Each is a way to put something else where the next sandbox's set-up mounts
    // the cache; every one must meet a mount point (EBUSY), never succeed.
    const exchange = [
      "mkdir -p /tmp/x && cd /tmp/x && cat > x.go <<'GO'",
      'package main',
      'import ("fmt"; "os"; "path/filepath"; "syscall"; "unsafe")',
      '// renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE): swaps two names in one step.',
      'func main() {',
      '\tswap := filepath.Join(filepath.Dir(os.Args[1]), "swap") // beside it: the same mount',
      '\tos.Symlink(os.Args[2], swap)',
      '\ta, _ := syscall.BytePtrFromString(os.Args[1])',
      '\tb, _ := syscall.BytePtrFromString(swap)',
      '\tatFdcwd := -100',
      '\t_, _, e := syscall.Syscall6(316, uintptr(atFdcwd), uintptr(unsafe.Pointer(a)), uintptr(atFdcwd), uintptr(unsafe.Pointer(b)), 2, 0)',
      '\tif e != 0 { fmt.Fprintln(os.Stderr, "renameat2:", e); os.Exit(1) }',
      '}',
      'GO',
      'go mod init x >/dev/null 2>&1; go run .',
    ].join('\n');
    const attempts = [
      'mv ~/.cache ~/.c1',
      'mv ~/.cache/go-build ~/.cache/gb',
      'cd ~ && mv .cache .cache-mine',
      `${exchange} /home/learner/.cache ${canary}`,
      `${exchange} /home/learner/.cache/go-build ${canary}`,
      'rmdir ~/.cache/go-build',
    ];
    for (const attempt of attempts) {
      const r = await run(lab, cookie, attempt);
      const what = attempt.split('\n').at(-1);
      assert.notEqual(r.exit?.code, 0, `${what}: it succeeded`);
      assert.match(r.stderr, /busy/i, `${what}: ${r.stderr}`);
      const after = await run(lab, cookie, 'rm -f ~/swap ~/.cache/swap; test -d ~/.cache/go-build && test ! -L ~/.cache && echo cache-ok');
      assert.equal(after.stdout, 'cache-ok\n', after.stderr);
    }
    // A terminal open while Runs start: its moves meet the mount too.
    const t = new TerminalClient(lab.url, LESSON, { cookie, origin: lab.url });
    await t.opened();
    t.type('mv ~/.cache ~/.c9; mv ~/.cache/go-build ~/.cache/g9; echo "term-$((40+2))"\n');
    await t.waitFor(/term-42/, 15_000);
    assert.match(t.output, /busy[\s\S]*busy/i);
    await assertLessonRuns(lab, cookie);
    t.close();
    await t.closed;
    assert.deepEqual(readdirSync(canary), [], 'nothing was created in the host directory');
  });

  test('whatever is at ~/.cache on the host (a link, a file, a FIFO, mode 000) is repaired before a start, never followed', async () => {
    // Learner code cannot plant these any more (the test above); a workspace
    // could still hold them from before, so the set-up's repair stays, tested by
    // planting on the host side.
    const canary = canaryDir('cache-host');
    canaries.push(canary);
    const plants: Array<[string, (cache: string) => void]> = [
      ['a symlink to a host directory', (c) => execFileSync('ln', ['-s', canary, c])],
      ['a symlink to a missing host path', (c) => execFileSync('ln', ['-s', `${canary}/missing/deeper`, c])],
      ['a file', (c) => execFileSync('sh', ['-c', 'echo x > "$1"', 'sh', c])],
      ['a FIFO', (c) => execFileSync('mkfifo', [c])],
      ['go-build a symlink to /', (c) => execFileSync('sh', ['-c', 'mkdir "$1" && ln -s / "$1/go-build"', 'sh', c])],
      ['mode 000', (c) => execFileSync('sh', ['-c', 'mkdir -p "$1/go-build" && chmod 000 "$1/go-build" "$1"', 'sh', c])],
    ];
    for (const [name, plant] of plants) {
      const { cookie } = await newSession(lab.url, LESSON);
      const cache = join(sessionHome(lab, cookie), '.cache');
      execFileSync('mv', [cache, `${cache}-moved-by-test`]);
      plant(cache);
      // The first Run may take a sandbox set up before the plant; the second is set up after it.
      for (let i = 0; i < 2; i++) {
        const r = await run(lab, cookie, 'go run . && test -d ~/.cache/go-build && test ! -L ~/.cache && echo cache-ok');
        assert.equal(r.exit?.code, 0, `${name}: ${r.stderr}`);
        assert.match(r.stdout, /cache-ok/, name);
      }
    }
    assert.deepEqual(readdirSync(canary), [], 'nothing was created in the host directory');
    assert.equal(existsSync(`${canary}/missing`), false);
  });

  test('the lesson folder swapped for a symlink to / or to a host directory: never written through; Reset repairs', async () => {
    const canary = canaryDir('folder');
    canaries.push(canary);
    for (const [name, plant] of [
      ['folder -> host dir', `cd ~/go-run && mv what-go-run-does mine && ln -s ${canary} what-go-run-does`],
      ['parent -> /', 'cd ~ && mv go-run go-run-mine && ln -s / go-run'],
    ]) {
      const { cookie } = await newSession(lab.url, LESSON);
      const p = await run(lab, cookie, plant);
      assert.equal(p.exit?.code, 0, `${name}: ${p.stderr}`);
      assert.equal((await getFiles(lab.url, cookie)).status, 409, `${name}: GET refuses`);
      assert.equal((await putFiles(lab.url, cookie, { 'main.go': 'pwned\n', 'x/y.txt': 'pwned\n' })).status, 409, `${name}: PUT refuses`);
      const viaRun = await postRun(lab.url, { files: { 'main.go': 'pwned\n' }, command: 'true', lesson: LESSON }, cookie);
      assert.equal(viaRun.status, 409, `${name}: a Run's save refuses`);
      assert.deepEqual(readdirSync(canary), [], `${name}: nothing written in the host directory`);
      assert.equal(existsSync('/main.go') || existsSync('/what-go-run-does'), false, `${name}: nothing written in /`);
      const r = await reset(lab.url, cookie);
      assert.equal(r.status, 200, `${name}: Reset: ${JSON.stringify(r.body)}`);
      assert.deepEqual(readdirSync(canary), [], `${name}: Reset wrote nothing in the host directory`);
      await assertLessonRuns(lab, cookie);
      assert.equal((await getFiles(lab.url, cookie)).status, 200);
    }
  });

  test('a FIFO where a file is, a directory where go.mod is, hard links, chmod 000: nothing hangs, Reset repairs', async () => {
    const { cookie } = await newSession(lab.url, LESSON);
    const p = await run(lab, cookie, 'rm main.go && mkfifo main.go && rm go.mod && mkdir -p go.mod/sub && chmod 000 . ~');
    assert.equal(p.exit?.code, 0, p.stderr);
    const t0 = Date.now();
    assert.equal((await getFiles(lab.url, cookie)).status, 409, 'GET refuses the FIFO (and does not wait on it)');
    assert.equal((await putFiles(lab.url, cookie, { 'main.go': 'package main\n' })).status, 409, 'PUT does not write into a FIFO');
    assert.ok(Date.now() - t0 < 5000, 'no request waited on the FIFO');
    const r = await reset(lab.url, cookie);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    await assertLessonRuns(lab, cookie);

    // A hard link to a file of the learner's own: Reset replaces the name, the other link keeps its bytes.
    await run(lab, cookie, 'echo mine > ~/keep.txt && rm main.go && ln ~/keep.txt main.go && chmod 000 go.mod');
    assert.equal((await reset(lab.url, cookie)).status, 200);
    const after = await run(lab, cookie, 'cat ~/keep.txt && go run .');
    assert.equal(after.exit?.code, 0, after.stderr);
    assert.match(after.stdout, /^mine\n/);
  });

  test('every inode used up by many small files: GET and Reset still bring back the starting files', async () => {
    const { cookie, files } = await newSession(lab.url, LESSON);
    const p = await run(lab, cookie, 'echo broken > main.go && mkdir many && cd many && (seq 1 100000 | xargs touch 2>/dev/null; true) && ls | wc -l');
    assert.ok(Number(p.stdout.trim()) >= INODES / 2, `${p.stdout} ${p.stderr}`);
    assert.equal((await getFiles(lab.url, cookie)).status, 200);
    const r = await reset(lab.url, cookie);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual((await getFiles(lab.url, cookie)).body.files, files);
  });

  test('a save on a full disk keeps the previous version, answers 507, and leaves no temporary file', async () => {
    const { cookie, files } = await newSession(lab.url, LESSON);
    const original = files.find((f) => f.name === 'main.go')!.content;
    const saved = original.replace('package main', 'package main // acknowledged');
    assert.equal((await putFiles(lab.url, cookie, { 'main.go': saved })).status, 200);
    const fill = await run(
      lab,
      cookie,
      'for i in 1 2 3; do dd if=/dev/zero of=fill$i bs=1M 2>/dev/null; done; n=0; while echo x > f$n; do n=$((n+1)); done 2>/dev/null; echo filled',
    );
    assert.match(fill.stdout, /filled/, fill.stderr);
    const bigger = saved + '\n// ' + 'x'.repeat(200 * 1024) + '\n';

    const put = await putFiles(lab.url, cookie, { 'main.go': bigger });
    assert.equal(put.status, 507, JSON.stringify(put.body));
    assert.match(put.body.error, /your workspace is full \(its quota is \d+ MiB\).*previous version is kept/);
    const viaRun = await postRun(lab.url, { files: { 'main.go': bigger }, command: 'true', lesson: LESSON }, cookie);
    assert.equal(viaRun.status, 507, viaRun.error);

    const now = await getFiles(lab.url, cookie);
    assert.equal(now.status, 200);
    assert.equal(now.body.files.find((f: { name: string }) => f.name === 'main.go').content, saved, 'the acknowledged version is intact');
    const left = await run(lab, cookie, 'ls -a; rm -f fill f*');
    assert.doesNotMatch(left.stdout, /lab-save/, 'no temporary file is left behind');
    assert.equal((await putFiles(lab.url, cookie, { 'main.go': bigger })).status, 200, 'after cleaning up, the save goes through');
    assert.equal((await getFiles(lab.url, cookie)).body.files.find((f: { name: string }) => f.name === 'main.go').content, bigger);
  });

  test('host disk: the image holds what is used now: 50 MB written then deleted is given back', async () => {
    const dataDir = newDataDir();
    const own = await startServer({ dataDir, env: LIMITS });
    try {
      const { cookie } = await newSession(own.url, LESSON);
      const base = imageBytes(dataDir);
      const w = await run(own, cookie, 'dd if=/dev/urandom of=big bs=1M count=50 conv=fsync 2>&1 | tail -1');
      assert.equal(w.exit?.code, 0, w.stderr);
      const full = imageBytes(dataDir);
      assert.ok(full >= base + 48 * MiB, `the image grew by the file: ${base} -> ${full}`);
      assert.ok(full <= QUOTA_BYTES + MiB, `never more than the quota: ${full}`);
      const d = await run(own, cookie, 'rm big && sync');
      assert.equal(d.exit?.code, 0, d.stderr);
      let now = full;
      await until(`the image to shrink (now ${now} bytes, was ${base} before the write)`, () => (now = imageBytes(dataDir)) < base + 4 * MiB);
      console.log(`# image bytes: ${base} fresh, ${full} with 50 MB written, ${now} after deleting it`);
    } finally {
      await own.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('a waiting sandbox killed from outside leaves no cgroup', async () => {
    const { cookie } = await newSession(lab.url, LESSON);
    await assertLessonRuns(lab, cookie);
    await until("the session's next sandbox to wait", () => waitingSandboxes(lab.pid) > 0);
    // This server's waiting sandboxes only (other servers may run on the machine);
    // again until none is left (another session's may still have been starting).
    const killWaiting = () => {
      const waiting = readdirSync('/proc')
        .filter((p) => /^\d+$/.test(p))
        .filter((p) => {
          try {
            return (
              readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').includes('lab-waiting-for-command') &&
              readFileSync(`/proc/${p}/cgroup`, 'utf8').includes(`/golab/s${lab.pid}/`)
            );
          } catch {
            return false;
          }
        });
      for (const pid of waiting) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // bwrap and its shell both carry the name: killing one ends the other
        }
      }
      return waiting.length;
    };
    assert.ok(killWaiting() > 0);
    await until('the waiting sandboxes to be gone', () => killWaiting() === 0 && waitingSandboxes(lab.pid) === 0);
    await assertHostClean(lab);
    await assertLessonRuns(lab, cookie);
  });
});

describe('host: a clean stop leaves nothing behind', { skip: !AS_ROOT && 'needs root (quota mounts, cgroups)' }, () => {
  test('SIGTERM with a terminal open, a waiting sandbox, and mounts left by a crashed server: no mount, loop device or cgroup left', async () => {
    const dataDir = newDataDir();
    try {
      // A server that crashes leaves its workspaces mounted; the next one does not touch that session.
      const crashed = await startServer({ dataDir, env: LIMITS });
      const old = await newSession(crashed.url, LESSON);
      assert.equal((await run(crashed, old.cookie, 'echo hi')).exit?.code, 0);
      await crashed.kill();
      assert.ok(mountsUnder(dataDir).length >= 2, 'the crash left the workspace mounted');

      const lab = await startServer({ dataDir, env: LIMITS });
      const { cookie } = await newSession(lab.url, LESSON);
      await assertLessonRuns(lab, cookie);
      await until("the session's next sandbox to wait", () => waitingSandboxes(lab.pid) > 0);
      const t = new TerminalClient(lab.url, LESSON, { cookie, origin: lab.url });
      await t.opened();
      t.type('cd ~ && sleep 1000 > held-open.txt & echo "bg-$((1+1))"\n');
      await t.waitFor(/bg-2/);
      // A Run in flight as the signal comes.
      const running = streamRun(lab.url, { files: {}, command: 'echo in-flight; sleep 30', lesson: LESSON }, cookie);
      await running.output(/in-flight/);
      const inFlight = running.done.catch(() => null);

      await lab.stop();
      await inFlight;
      await until('the kernel to release the loop devices', () => loopsUnder(dataDir).length === 0, 5000).catch(() => {});
      assert.deepEqual(mountsUnder(dataDir), [], 'no workspace stays mounted');
      assert.deepEqual(loopsUnder(dataDir), [], 'no loop device stays attached');
      assert.deepEqual(cgroupsOf(lab.pid), [], 'no cgroup of the server is left');
      assert.match(lab.output(), /listening/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
