/**
 * The seccomp filter for bubblewrap's `--seccomp FD`, built from the Go
 * generator in this directory (policy.go holds the deny list).
 *
 *   const path = await ensureSeccompFilter(dataDir);
 *   const fd = openSync(path, 'r');           // opened by the server, not the learner
 *   spawn('bwrap', [...args, '--seccomp', '3', ...], { stdio: [in, out, err, fd] });
 *
 * See README.md in this directory.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exists } from '../../util/fs.ts';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** This directory: the generator's Go module. */
export const SECCOMP_SOURCE_DIR: string = import.meta.dirname;
/** Name of the filter file written into outDir. */
export const SECCOMP_FILTER_NAME = 'seccomp.bpf';
const GENERATOR_NAME = 'seccomp-gen';
const STAMP_NAME = 'seccomp-gen.stamp';
/** The kernel's longest classic BPF program (BPF_MAXINSNS), in 8-byte instructions: a longer filter file is broken. */
const BPF_MAX_INSTRUCTIONS = 4096;

/** One build + write per outDir per process; concurrent callers share it. */
const pending = new Map<string, Promise<string>>();

/**
 * Builds the generator into outDir if it is missing or its sources changed,
 * writes the filter to `outDir/seccomp.bpf` (atomically) and returns that path.
 * The go command comes from $GO or PATH; the module's dependencies must be in
 * the module cache or reachable through GOPROXY.
 */
export function ensureSeccompFilter(outDir: string): Promise<string> {
  let p = pending.get(outDir);
  if (!p) {
    p = build(outDir);
    pending.set(outDir, p);
    p.catch(() => pending.delete(outDir));
  }
  return p;
}

async function sourceDigest(): Promise<string> {
  const hash = createHash('sha256');
  const names = (await readdir(SECCOMP_SOURCE_DIR)).filter((n) => (n.endsWith('.go') && !n.endsWith('_test.go')) || n === 'go.mod' || n === 'go.sum').sort();
  for (const name of names) {
    hash
      .update(name)
      .update('\0')
      .update(await readFile(join(SECCOMP_SOURCE_DIR, name)))
      .update('\0');
  }
  return hash.digest('hex');
}

async function build(outDir: string): Promise<string> {
  await mkdir(outDir, { recursive: true });
  const gen = join(outDir, GENERATOR_NAME);
  const stampPath = join(outDir, STAMP_NAME);
  const digest = await sourceDigest();
  const stamp = await readFile(stampPath, 'utf8').catch(() => '');
  if (stamp !== digest || !(await exists(gen))) {
    const tmp = `${gen}.tmp${process.pid}`;
    try {
      await run(process.env.GO || 'go', ['build', '-trimpath', '-buildvcs=false', '-o', tmp, '.'], {
        cwd: SECCOMP_SOURCE_DIR,
        env: { ...process.env, CGO_ENABLED: '0', GOOS: 'linux', GOARCH: 'amd64', GOFLAGS: '-mod=readonly' },
        maxBuffer: 4 << 20,
      });
      await rename(tmp, gen);
    } catch (err) {
      await rm(tmp, { force: true });
      throw new Error(`building the seccomp generator failed: ${describe(err)}`);
    }
    await writeFile(stampPath, digest);
  }
  const filter = join(outDir, SECCOMP_FILTER_NAME);
  try {
    await run(gen, [filter]);
  } catch (err) {
    throw new Error(`writing the seccomp filter failed: ${describe(err)}`);
  }
  const { size } = await stat(filter);
  if (size === 0 || size % 8 !== 0 || size / 8 > BPF_MAX_INSTRUCTIONS) {
    throw new Error(`seccomp filter ${filter} has a bad size (${size} bytes)`);
  }
  return filter;
}

function describe(err: unknown): string {
  const e = err as { stderr?: string; message?: string };
  return e.stderr?.trim() || e.message || String(err);
}
