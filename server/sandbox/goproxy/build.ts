/**
 * The sandbox's module proxy: the lab's own small modules, committed as plain
 * source trees under modules/<module path>@<version>/, written out by the
 * modproxy tool (../modproxy) in the layout of the GOPROXY protocol
 * (`go help goproxy`: <module>/@v/list, <version>.info, .mod, .zip). Every
 * sandbox mounts the result read-only at /opt/lab/goproxy and sets
 * GOPROXY=file:///opt/lab/goproxy (see ../bwrap.ts), so `go get`,
 * `go mod download` and friends work without a network.
 *
 * Used by set-up (../prepare.ts) and by tests/content/local-check.ts.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

/** The module sources: one directory per module version. */
export const GOPROXY_MODULES = join(import.meta.dirname, 'modules');
/** The tool that writes the proxy tree (a Go module using golang.org/x/mod/zip). */
export const MODPROXY_SOURCE = join(import.meta.dirname, '..', 'modproxy');
/** The Time of every version's .info: fixed, so the tree is the same everywhere. */
export const GOPROXY_TIME = '2024-01-01T00:00:00Z';
/** Module paths served: none of them can be a real, public module. */
export const GOPROXY_PREFIX = 'golab.example';

/** A digest of everything the proxy tree is made from. */
export async function goproxyDigest(goVersion: string): Promise<string> {
  const hash = createHash('sha256').update(`${goVersion}\0${GOPROXY_TIME}\0`);
  const visit = async (root: string, dir: string, keep: (name: string) => boolean): Promise<void> => {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await visit(root, path, keep);
      else if (entry.isFile() && keep(entry.name))
        hash
          .update(relative(root, path))
          .update('\0')
          .update(await readFile(path))
          .update('\0');
    }
  };
  await visit(GOPROXY_MODULES, GOPROXY_MODULES, () => true);
  hash.update('modproxy\0');
  await visit(MODPROXY_SOURCE, MODPROXY_SOURCE, (name) => name.endsWith('.go') || name === 'go.mod' || name === 'go.sum');
  return hash.digest('hex');
}

/**
 * Makes `target` the proxy tree for the current sources, unless `stampPath`
 * says it already is. Returns whether it (re)built. The tree is written next
 * to the target and swapped in, so a reader never sees half of one.
 */
export async function ensureGoProxy(target: string, stampPath: string, goVersion: string, log: (m: string) => void = () => {}): Promise<boolean> {
  const want = await goproxyDigest(goVersion);
  const have = await readFile(stampPath, 'utf8').catch(() => '');
  if (have === want && (await stat(join(target, GOPROXY_PREFIX)).catch(() => null))) return false;
  log(`writing the sandbox's module proxy (${relative(join(import.meta.dirname, '..', '..', '..'), GOPROXY_MODULES)})…`);
  const tmp = `${target}.tmp${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  try {
    await execFileP('go', ['run', '-trimpath', '-buildvcs=false', '.', '-src', GOPROXY_MODULES, '-out', tmp, '-time', GOPROXY_TIME], {
      cwd: MODPROXY_SOURCE,
      env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=readonly' },
    });
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw new Error(`writing the module proxy failed (modproxy's dependencies come from the Go module proxy): ${(err as { stderr?: string }).stderr || err}`);
  }
  const old = `${target}.old${process.pid}`;
  await rename(target, old).catch(() => {});
  try {
    await rename(tmp, target);
  } catch (err) {
    // Another process (a second local check) swapped its own tree in first.
    await rm(tmp, { recursive: true, force: true });
    await rm(old, { recursive: true, force: true });
    if (await stat(join(target, GOPROXY_PREFIX)).catch(() => null)) return false;
    throw err;
  }
  await rm(old, { recursive: true, force: true });
  await writeFile(stampPath, want);
  return true;
}
