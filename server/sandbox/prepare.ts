/**
 * Set-up of the sandbox, once per machine (and again only when its inputs
 * change): everything under the sandbox directory that every learner command
 * then uses read-only.
 *
 *   etc/{passwd,group,hosts}  synthetic files: the sandbox sees no host accounts
 *   seccomp.bpf               the system-call filter (seccomp/policy.go)
 *   bin/ptyhost               the terminal's pty host (ptyhost/), mounted at /opt/lab/bin
 *   bin/go                    the go wrapper that relays build phases (gowrap/)
 *   bin/lab-*                 the learners' shell helpers (helpers/: lab-scratch,
 *                             lab-steps, lab-cached), on the sandbox's PATH
 *   gocache-base/             the standard library compiled by the sandbox's own
 *                             toolchain and environment, owned by root, read-only;
 *                             each session's GOCACHE is seeded from it by hard links
 *   goproxy/                  the lab's own modules (goproxy/modules/) in the GOPROXY
 *                             protocol's layout, mounted read-only at /opt/lab/goproxy
 *                             (GOPROXY=file:///opt/lab/goproxy; see goproxy/build.ts)
 *   toolchain.json            GOROOT and version the above were made with
 *
 * The std cache is built inside the very bubblewrap configuration learners get
 * (same GOROOT path, environment, CGO_ENABLED), so its cache keys are the ones
 * a learner's build computes and their first `go run` only compiles their code.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, chown, mkdir, readFile, readdir, readlink, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { runsAsRoot, type LabConfig } from '../config.ts';
import { SANDBOX_GOCACHE, SANDBOX_HOME } from '../workspace/mounts.ts';
import { SANDBOX_INNER_GID, SANDBOX_INNER_UID, SANDBOX_USER, type SandboxLayout } from './bwrap.ts';
import { startSandboxed, type Sandbox, type SandboxLimits } from './sandbox.ts';
import { detectCgroups } from './cgroup.ts';
import type { Owner } from '../workspace/beneath.ts';
import os from 'node:os';
import { ensureSeccompFilter } from './seccomp/filter.ts';
import { ensureGoProxy } from './goproxy/build.ts';

const execFileP = promisify(execFile);
/** The lab's own tools, each a Go module here, built into the tools dir (mounted at /opt/lab/bin). */
const TOOLS: Record<string, string> = {
  ptyhost: join(import.meta.dirname, 'ptyhost'),
  // Named `go`: first on the sandbox's PATH, it relays the build's own signals (see gowrap/main.go).
  go: join(import.meta.dirname, 'gowrap'),
};

/**
 * The learners' helpers: small bash scripts for plumbing lesson blocks repeat
 * (a scratch copy of the lesson, counting compile and link steps, reading
 * test-cache results), copied into the tools dir so they are on the PATH.
 * Scripts, not Go tools, so a learner can read what they do with `cat`.
 */
const HELPERS_DIR = join(import.meta.dirname, 'helpers');
export const HELPERS = ['lab-scratch', 'lab-steps', 'lab-cached'];

export interface Toolchain {
  goroot: string;
  version: string;
}

/** Paths inside the sandbox directory. */
export function sandboxPaths(sandboxDir: string) {
  return {
    etcDir: join(sandboxDir, 'etc'),
    toolsDir: join(sandboxDir, 'bin'),
    gocacheBase: join(sandboxDir, 'gocache-base'),
    toolchainFile: join(sandboxDir, 'toolchain.json'),
    gocacheStamp: join(sandboxDir, 'gocache-base.stamp'),
    toolStamp: (name: string) => join(sandboxDir, `${name}.stamp`),
    seccomp: join(sandboxDir, 'seccomp.bpf'),
    goproxy: join(sandboxDir, 'goproxy'),
    goproxyStamp: join(sandboxDir, 'goproxy.stamp'),
  };
}

/** The host user set-up's own sandbox runs as: the first uid of the pool when we are root. */
export function prepareUser(config: LabConfig): Owner | null {
  return runsAsRoot() ? { uid: config.SANDBOX_UID_BASE, gid: config.SANDBOX_UID_BASE } : null;
}

/** The limits every sandboxed command gets, from the configuration. */
export function sandboxLimits(config: LabConfig): SandboxLimits {
  return {
    memoryBytes: config.MEMORY_LIMIT_BYTES,
    tasks: config.TASKS_LIMIT,
    program: { memoryBytes: config.PROGRAM_MEMORY_LIMIT_BYTES, tasks: config.PROGRAM_TASKS_LIMIT },
    cpuCores: config.CPU_CORES_LIMIT,
    openFiles: config.OPEN_FILES_LIMIT,
    fileSizeBytes: config.FILE_SIZE_LIMIT_BYTES,
    diskQuotaBytes: config.DISK_QUOTA_BYTES,
  };
}

/** The prepared sandbox, for the server; throws with the fix when set-up has not run. */
export async function loadSandbox(config: LabConfig): Promise<Sandbox & { gocacheBase: string; toolchain: Toolchain }> {
  const p = sandboxPaths(config.sandboxDir);
  let toolchain: Toolchain;
  try {
    toolchain = JSON.parse(await readFile(p.toolchainFile, 'utf8'));
    for (const name of [...Object.keys(TOOLS), ...HELPERS]) await stat(join(p.toolsDir, name));
    await stat(p.gocacheBase);
    await stat(p.seccomp);
    await stat(p.goproxy);
  } catch {
    throw new Error(`the sandbox in ${config.sandboxDir} is not prepared: run \`npm run build\` (or \`npm start\`)`);
  }
  const current = await hostToolchain();
  if (current.version !== toolchain.version || current.goroot !== toolchain.goroot) {
    throw new Error(
      `the sandbox was prepared for ${toolchain.version} at ${toolchain.goroot}, but the machine has ${current.version} at ${current.goroot}: run \`npm run build\``,
    );
  }
  return {
    layout: { etcDir: p.etcDir, toolsDir: p.toolsDir, goproxyDir: p.goproxy, goroot: toolchain.goroot },
    seccompPath: p.seccomp,
    cgroups: detectCgroups(),
    limits: sandboxLimits(config),
    gocacheBase: p.gocacheBase,
    toolchain,
  };
}

export async function hostToolchain(): Promise<Toolchain> {
  const { stdout } = await execFileP('go', ['env', 'GOROOT', 'GOVERSION']);
  const [goroot, version] = stdout.trim().split('\n');
  return { goroot, version };
}

type Log = (message: string) => void;

/** Prepares (or brings up to date) everything in the sandbox directory. */
export async function prepareSandbox(config: LabConfig, log: Log): Promise<void> {
  const p = sandboxPaths(config.sandboxDir);
  await mkdir(config.sandboxDir, { recursive: true, mode: 0o755 });
  await chmod(config.sandboxDir, 0o755);
  const toolchain = await hostToolchain();

  await writeSyntheticEtc(p.etcDir);
  await ensureSeccompFilter(config.sandboxDir);
  for (const [name, source] of Object.entries(TOOLS)) await buildTool(name, source, p.toolsDir, p.toolStamp(name), toolchain, log);
  await installHelpers(p.toolsDir);
  await ensureGoProxy(p.goproxy, p.goproxyStamp, toolchain.version, log);
  await writeFile(p.toolchainFile, JSON.stringify(toolchain, null, 2) + '\n');
  const layout: SandboxLayout = { etcDir: p.etcDir, toolsDir: p.toolsDir, goproxyDir: p.goproxy, goroot: toolchain.goroot };
  // Compiling std needs more room than a learner's command gets.
  const sandbox: Sandbox = {
    layout,
    seccompPath: p.seccomp,
    cgroups: detectCgroups(),
    limits: { ...sandboxLimits(config), memoryBytes: STD_BUILD_MEMORY_BYTES, tasks: STD_BUILD_TASKS, cpuCores: os.availableParallelism() },
  };
  await buildStdCache(config, sandbox, prepareUser(config), p.gocacheBase, p.gocacheStamp, toolchain, log);
}

async function writeSyntheticEtc(etcDir: string): Promise<void> {
  await mkdir(etcDir, { recursive: true, mode: 0o755 });
  const files: Record<string, string> = {
    passwd: `root:x:0:0:root:/root:/usr/sbin/nologin\n${SANDBOX_USER}:x:${SANDBOX_INNER_UID}:${SANDBOX_INNER_GID}:Go Build Lab learner:${SANDBOX_HOME}:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`,
    group: `root:x:0:\n${SANDBOX_USER}:x:${SANDBOX_INNER_GID}:\nnogroup:x:65534:\n`,
    hosts: '127.0.0.1\tlocalhost lab\n::1\tlocalhost ip6-localhost ip6-loopback\n',
  };
  for (const [name, content] of Object.entries(files)) {
    await writeFile(join(etcDir, name), content, { mode: 0o644 });
  }
  await mirrorAlternatives(join(etcDir, 'alternatives'));
}

/**
 * Debian reaches several commands through /etc/alternatives (/usr/bin/awk ->
 * /etc/alternatives/awk -> /usr/bin/mawk): the synthetic /etc carries the
 * same links, for targets under /usr only (the only host tree in the sandbox),
 * so `awk` and friends work inside.
 */
async function mirrorAlternatives(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true, mode: 0o755 });
  for (const name of await readdir('/etc/alternatives').catch(() => [] as string[])) {
    const target = await readlink(join('/etc/alternatives', name)).catch(() => '');
    if (target.startsWith('/usr/')) await symlink(target, join(dir, name));
  }
}

async function digestDir(dir: string, extra: string): Promise<string> {
  const hash = createHash('sha256').update(extra);
  for (const name of (await readdir(dir)).sort()) {
    if (name.endsWith('.go') || name === 'go.mod' || name === 'go.sum') {
      hash
        .update(name)
        .update('\0')
        .update(await readFile(join(dir, name)))
        .update('\0');
    }
  }
  return hash.digest('hex');
}

async function upToDate(stampPath: string, want: string, ...paths: string[]): Promise<boolean> {
  const have = await readFile(stampPath, 'utf8').catch(() => '');
  if (have !== want) return false;
  for (const path of paths) if (!(await stat(path).catch(() => null))) return false;
  return true;
}

async function buildTool(name: string, source: string, toolsDir: string, stampPath: string, toolchain: Toolchain, log: Log): Promise<void> {
  const target = join(toolsDir, name);
  const want = await digestDir(source, toolchain.version);
  if (await upToDate(stampPath, want, target)) return;
  log(`building the sandbox tool ${name} (${relative(join(import.meta.dirname, '..', '..'), source)})…`);
  await mkdir(toolsDir, { recursive: true, mode: 0o755 });
  const tmp = `${target}.tmp${process.pid}`;
  try {
    await execFileP('go', ['build', '-trimpath', '-buildvcs=false', '-o', tmp, '.'], {
      cwd: source,
      env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=readonly' },
    });
  } catch (err) {
    await rm(tmp, { force: true });
    throw new Error(`building ${name} failed (its dependencies come from the Go module proxy): ${(err as { stderr?: string }).stderr || err}`);
  }
  await chmod(tmp, 0o755);
  await rename(tmp, target);
  await writeFile(stampPath, want);
}

/** Copies the helpers into the tools dir (every time: they are a few kilobytes), each atomically. */
async function installHelpers(toolsDir: string): Promise<void> {
  await mkdir(toolsDir, { recursive: true, mode: 0o755 });
  for (const name of HELPERS) {
    const target = join(toolsDir, name);
    const tmp = `${target}.tmp${process.pid}`;
    await writeFile(tmp, await readFile(join(HELPERS_DIR, name)), { mode: 0o755 });
    await chmod(tmp, 0o755);
    await rename(tmp, target);
  }
}

/**
 * The builds whose results seed every session's cache: std as a plain build
 * compiles it, and again with -trimpath (a different cache key for every
 * package), which the production and deployment lessons and their exercises
 * use in nearly every command: without it each session's first -trimpath
 * build recompiles the standard library (10-20 s on two cores).
 */
const STD_CACHE_BUILDS = ['go build -v std', 'go build -v -trimpath std'];
/** Compiling std at set-up needs more room than a learner's command gets: its memory and tasks. */
const STD_BUILD_MEMORY_BYTES = 4 * 1024 ** 3;
const STD_BUILD_TASKS = 1024;
/** How often the std build's progress is logged (each package's line would flood the log). */
const STD_PROGRESS_EVERY_MS = 2000;

/**
 * After them, go vet and go test of a small package importing what the
 * lessons' programs import: their vet facts (computed for every dependency,
 * with go vet's analyzers and with go test's smaller set) go into the cache
 * too. Without them a session's first `go vet .` took 1 s for a ten-line
 * package, and an exercise's check (a throwaway workspace: always the first)
 * paid it on every press of Check. Seeding all of std this way (`go vet std`)
 * takes minutes and vets std's own tests: this is the part learners meet.
 */
const VET_SEED_DIR = 'vet-seed';
const VET_SEED_IMPORTS = [
  'bufio',
  'bytes',
  'debug/elf',
  'embed',
  'errors',
  'flag',
  'fmt',
  'io',
  'log',
  'math',
  'os',
  'runtime',
  'runtime/debug',
  'sort',
  'strconv',
  'strings',
  'sync',
  'syscall',
  'time',
  'unicode/utf8',
];
const VET_SEED = `cd ${VET_SEED_DIR} && go vet . && go test -count=1 -run '^$' . > /dev/null`;
const vetSeedFiles = (goVersion: string): Record<string, string> => ({
  'go.mod': `module golab.example/vetseed\n\ngo ${goVersion}\n`,
  'seed.go': `package vetseed\n\nimport (\n${VET_SEED_IMPORTS.map((p) => `\t_ ${JSON.stringify(p)}\n`).join('')})\n`,
  'seed_test.go': 'package vetseed\n\nimport "testing"\n\nfunc TestSeed(t *testing.T) {}\n',
});

/** Compiles std inside the sandbox into a fresh directory, then freezes it read-only. */
async function buildStdCache(
  config: LabConfig,
  sandbox: Sandbox,
  user: Owner | null,
  base: string,
  stampPath: string,
  toolchain: Toolchain,
  log: Log,
): Promise<void> {
  const want = JSON.stringify({ toolchain, cacheFormat: 2, builds: STD_CACHE_BUILDS, vet: [VET_SEED, VET_SEED_IMPORTS] });
  if (await upToDate(stampPath, want, base)) return;

  const packages = (await execFileP('go', ['list', 'std'], { env: { ...process.env, GOFLAGS: '' }, maxBuffer: 8 << 20 })).stdout.trim().split('\n').length;
  const total = packages * STD_CACHE_BUILDS.length;
  log(`compiling the standard library (${packages} packages, plain and -trimpath) into the base build cache; this happens once per Go version…`);
  const startedAt = Date.now();
  const home = join(config.sandboxDir, `prepare-home.${process.pid}`);
  await rm(home, { recursive: true, force: true });
  await mkdir(join(home, '.cache'), { recursive: true, mode: 0o755 });
  const seed = join(home, VET_SEED_DIR);
  await mkdir(seed, { mode: 0o755 });
  const goVersion = toolchain.version.match(/^go(\d+\.\d+)/)?.[1];
  if (!goVersion) throw new Error(`cannot read the Go version from "${toolchain.version}"`);
  for (const [name, text] of Object.entries(vetSeedFiles(goVersion))) await writeFile(join(seed, name), text);
  if (user) {
    for (const dir of [home, join(home, '.cache'), seed]) await chown(dir, user.uid, user.gid);
  }
  try {
    const started = await startSandboxed(sandbox, {
      user,
      home,
      cwd: SANDBOX_HOME,
      command: ['bash', '-c', [...STD_CACHE_BUILDS, VET_SEED].join(' && ')],
    });
    const { child } = started;
    let done = 0;
    let lastShown = 0;
    let errors = '';
    // `go build -v` names each package as it is compiled: real progress.
    createInterface({ input: child.stderr! }).on('line', (line) => {
      if (/^[a-z0-9_./-]+$/i.test(line)) {
        done++;
        if (Date.now() - lastShown > STD_PROGRESS_EVERY_MS || done === total) {
          lastShown = Date.now();
          log(`  std: ${done}/${total} package builds done`);
        }
      } else {
        errors += line + '\n';
      }
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    await started.finish();
    if (code !== 0) throw new Error(`seeding the base build cache in the sandbox (go build std, go vet) failed (exit ${code}):\n${errors}`);

    // Freeze: root-owned (when we are root) and read-only, then swap into place.
    const built = join(home, SANDBOX_GOCACHE.slice(SANDBOX_HOME.length + 1));
    // Entries dated far in the future: the go command refreshes an entry's mtime
    // when it is older than an hour, which on a session's overlay would copy the
    // whole file up into the session's quota. A future date means "fresh" forever.
    await execFileP('find', [built, '-type', 'f', '-exec', 'touch', '-m', '-d', '2100-01-01T00:00:00Z', '{}', '+']);
    await execFileP('chmod', ['-R', 'a-w,a+rX', built]);
    if (user) await execFileP('chown', ['-R', '0:0', built]);
    const old = `${base}.old${process.pid}`;
    await rename(base, old).catch(() => {});
    await rename(built, base);
    await rmReadOnly(old);
    await writeFile(stampPath, want);
    log(`standard library compiled in ${((Date.now() - startedAt) / 1000).toFixed(0)} s`);
  } finally {
    await rmReadOnly(home);
  }
}

/** rm -rf of a tree whose directories we made read-only. */
async function rmReadOnly(path: string): Promise<void> {
  if (!(await stat(path).catch(() => null))) return;
  await execFileP('chmod', ['-R', 'u+w', path]).catch(() => {});
  await rm(path, { recursive: true, force: true });
}
