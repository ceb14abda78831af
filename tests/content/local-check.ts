/**
 * Runs every lesson's try blocks against the local Go toolchain, without the
 * lab server: a stand-in for tests/content/lesson-blocks.test.ts while writing
 * lessons.
 *
 *   node tests/content/local-check.ts [lesson-id-substring ...]
 *
 * It imitates the sandbox: a clean environment (the sandbox's Go variables),
 * a GOCACHE seeded from a standard library compiled once with `go build std`,
 * the lab's module proxy (server/sandbox/goproxy, written once per change of
 * its sources) and, when bubblewrap is available, a private /tmp, the
 * learner's home mounted at /home/learner (so `go env GOCACHE` prints the
 * sandbox's path) and the proxy read-only at /opt/lab/goproxy.
 * Without bubblewrap, blocks that print sandbox paths fail and say so.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { extractTryBlocks, type TryBlock } from './blocks.ts';
import { SANDBOX_GONOSUMDB, SANDBOX_GOPROXY } from '../../server/sandbox/bwrap.ts';
import { ensureGoProxy } from '../../server/sandbox/goproxy/build.ts';
import { startingFilesOf } from '../helpers/starting-files.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const CONTENT = join(ROOT, 'content');
const GOROOT = spawnSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).stdout.trim() || '/usr/local/go';
const TIMEOUT_MS = 30_000;
const HAVE_BWRAP = spawnSync('bwrap', ['--version']).status === 0 && spawnSync('bwrap', ['--ro-bind', '/', '/', 'true']).status === 0;

function sandboxEnv(home: string, inBwrap: boolean, goproxy = ''): Record<string, string> {
  const h = inBwrap ? '/home/learner' : home;
  return {
    // The learners' helpers (lab-scratch, lab-steps, ...) from their sources: the sandbox has them on PATH.
    PATH: `${join(ROOT, 'server', 'sandbox', 'helpers')}:${GOROOT}/bin:/usr/local/bin:/usr/bin:/bin`,
    HOME: h,
    USER: 'learner',
    LANG: 'C.UTF-8',
    SHELL: '/bin/bash',
    GOCACHE: `${h}/.cache/go-build`,
    GOPATH: `${h}/go`,
    GOTOOLCHAIN: 'local',
    CGO_ENABLED: '0',
    GOFLAGS: '',
    TMPDIR: '/tmp',
    GOPROXY: goproxy ? `file://${inBwrap ? SANDBOX_GOPROXY : goproxy}` : 'off',
    GONOSUMDB: SANDBOX_GONOSUMDB,
  };
}

/** The lab's module proxy, written the way set-up writes it (again only when its sources change). */
async function goproxy(): Promise<string> {
  const dir = join(tmpdir(), 'golab-local-check');
  mkdirSync(dir, { recursive: true });
  const version = spawnSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' }).stdout.trim();
  const target = join(dir, 'goproxy');
  await ensureGoProxy(target, join(dir, 'goproxy.stamp'), version, (m) => console.log(m));
  return target;
}

/** The standard library, compiled once (per Go version) the way the lab's set-up does. */
function stdCache(): string {
  const dir = join(tmpdir(), 'golab-local-check');
  const base = join(dir, 'gocache-base');
  const stamp = join(dir, 'stamp');
  const version = spawnSync('go', ['version'], { encoding: 'utf8' }).stdout.trim();
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === version) return base;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(base, { recursive: true });
  console.log(`compiling std into ${base} (once) ...`);
  const r = spawnSync('go', ['build', 'std'], { env: { ...sandboxEnv(join(dir, 'home'), false), GOCACHE: base }, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('go build std failed');
  writeFileSync(stamp, version);
  return base;
}

function run(block: TryBlock, lessonDir: string, base: string, proxy: string): Promise<{ code: number | null; output: string; ms: number }> {
  const root = mkdtempSync(join(tmpdir(), 'golab-block-'));
  const home = join(root, 'home');
  const work = join(home, 'work');
  // The starting files as the lab gives them: the page's own, and those it inherits from earlier pages.
  for (const [name, content] of Object.entries(startingFilesOf(relative(CONTENT, lessonDir)))) {
    mkdirSync(dirname(join(work, name)), { recursive: true });
    writeFileSync(join(work, name), content);
  }
  mkdirSync(join(home, '.cache'), { recursive: true });
  // Hard links, like the lab's seeding: the go command only adds new files and touches mtimes.
  if (spawnSync('cp', ['-al', base, join(home, '.cache', 'go-build')]).status !== 0) {
    cpSync(base, join(home, '.cache', 'go-build'), { recursive: true });
  }
  const env = sandboxEnv(home, HAVE_BWRAP, proxy);
  // /opt is replaced by an empty tmpfs to hold the proxy's mount point (GOROOT is put back if it was there).
  const optGoroot = GOROOT.startsWith('/opt/') ? ['--ro-bind', GOROOT, GOROOT] : [];
  const [cmd, args, cwd] = HAVE_BWRAP
    ? ([
        'bwrap',
        [
          '--ro-bind',
          '/',
          '/',
          '--dev',
          '/dev',
          '--proc',
          '/proc',
          '--tmpfs',
          '/tmp',
          '--tmpfs',
          '/home',
          '--bind',
          home,
          '/home/learner',
          '--tmpfs',
          '/opt',
          ...optGoroot,
          '--ro-bind',
          proxy,
          SANDBOX_GOPROXY,
          '--chdir',
          '/home/learner/work',
          '--unshare-net',
          '--unshare-pid',
          '--die-with-parent',
          'bash',
          '-c',
          block.command,
        ],
        root,
      ] as const)
    : (['bash', ['-c', block.command], work] as const);
  const start = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, [...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      spawnSync('chmod', ['-R', 'u+w', root]); // the module cache is read-only
      rmSync(root, { recursive: true, force: true });
      resolve({ code, output, ms: Date.now() - start });
    });
  });
}

const filters = process.argv.slice(2);
const lessons = readdirSync(CONTENT, { withFileTypes: true })
  .filter((c) => c.isDirectory())
  .flatMap((c) =>
    readdirSync(join(CONTENT, c.name), { withFileTypes: true })
      .filter((l) => l.isDirectory() && existsSync(join(CONTENT, c.name, l.name, 'index.mdx')))
      .map((l) => `${c.name}/${l.name}`),
  )
  .filter((id) => filters.length === 0 || filters.some((f) => id.includes(f)));

if (!HAVE_BWRAP) console.log('bubblewrap is not usable here: running without a private /tmp or /home/learner');
const base = stdCache();
const proxy = await goproxy();
let failed = 0;
for (const id of lessons) {
  const blocks = extractTryBlocks(readFileSync(join(CONTENT, id, 'index.mdx'), 'utf8'));
  if (blocks.length === 0) {
    console.log(`FAIL ${id}: no runnable blocks`);
    failed++;
  }
  for (const block of blocks) {
    const r = await run(block, join(CONTENT, id), base, proxy);
    const problems = [];
    if (r.code !== block.exit) problems.push(`exit ${r.code}, expected ${block.exit}`);
    if (block.expect && !block.expect.test(r.output)) problems.push(`output does not match /${block.expect.source}/m`);
    const name = `${id}:${block.line} ${block.command.split('\n')[0]}`;
    if (problems.length === 0) {
      console.log(`ok   ${name} (${r.ms} ms)`);
    } else {
      failed++;
      console.log(`FAIL ${name} (${r.ms} ms): ${problems.join('; ')}\n$ ${block.command}\n--- output ---\n${r.output}--------------`);
    }
  }
}
console.log(failed ? `${failed} failed` : 'all blocks pass');
process.exitCode = failed ? 1 : 0;
