/**
 * Where a workspace's bytes live, and how its disk use is bounded.
 *
 * QuotaStorage (the server is root): each workspace is an ext4 image of
 * DISK_QUOTA_BYTES, loop-mounted (nosuid, nodev), so the kernel stops a
 * learner at the quota, bytes and inodes alike. The image is sparse and
 * mounted with `discard`: a block the learner frees is punched out of the
 * image file at once, so the host disk a session holds is what it uses now
 * (never more than the quota), not the most it ever used:
 *
 *   <dir>/disk.img                the image (sparse: costs only what is used)
 *   <dir>/mnt/                    its mount; root-owned, so `home` cannot be renamed
 *   <dir>/mnt/home/               /home/learner
 *   <dir>/mnt/cache-upper|work/   the session's own build cache entries
 *   <dir>/cache/                  overlay: std base cache (read-only lower) + cache-upper,
 *                                 mounted at /home/learner/.cache/go-build
 *
 * The overlay lets every session start with the compiled standard library
 * without a copy per session and without sharing anything writable: new
 * entries land in the session's upper layer, inside its quota.
 *
 * PlainStorage (not root: no mounts): a directory, with the cache seeded by
 * hard links to the base. No disk quota; the server says so at start-up.
 */
import { execFile } from 'node:child_process';
import { chmod, chown, copyFile, mkdir, readFile, readdir, rm, statfs, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SANDBOX_GOCACHE, SANDBOX_HOME } from './mounts.ts';
import { emptyDirBeneath, ensureDirBeneath, type Owner } from './beneath.ts';
import { exists } from '../util/fs.ts';

const execFileP = promisify(execFile);

/** A workspace ready for use: the host paths the sandbox mounts. */
export interface OpenWorkspace {
  /** Host directory mounted at /home/learner. */
  home: string;
  /** Host directory mounted at GOCACHE, or null when the cache lives inside home. */
  gocache: string | null;
}

/** Files at the top of GOCACHE that the go command writes after the cache exists. */
const CACHE_TOP_FILES = ['trim.txt', 'testexpire.txt'];

export interface WorkspaceStorage {
  readonly kind: 'quota' | 'plain';
  /** Makes a new workspace in the (new, empty) directory. */
  create(dir: string, owner: Owner | null): Promise<OpenWorkspace>;
  /** Makes an existing workspace usable (mounts it if needed). */
  open(dir: string): Promise<OpenWorkspace>;
  /** Releases it while unused (unmounts); open() brings it back. */
  close(dir: string): Promise<void>;
  /** Drops the session's own build cache entries (the std base stays). */
  trimCache(dir: string): Promise<void>;
  /** Deletes the workspace for good. */
  remove(dir: string): Promise<void>;
  /** True when the workspace has (almost) no space or inodes left. */
  full(dir: string): Promise<boolean>;
}

/** Space below which a workspace counts as full (ext4 reports a little slack). */
const FULL_BELOW_BYTES = 256 * 1024;

function cacheSubdir(home: string): string {
  return join(home, SANDBOX_GOCACHE.slice(SANDBOX_HOME.length + 1));
}

/**
 * Makes the sandbox's mount points in the workspace real directories again.
 * bubblewrap creates and mounts onto ~/.cache/go-build following whatever is
 * on that path, outside the sandbox's root: a symlink the learner put at
 * ~/.cache would have it make directories on the host, tell the learner which
 * host paths exist, or fail every start of the workspace's sandboxes. Call
 * before each sandbox start; whatever is in the way is moved aside.
 */
export async function ensureMountPoints(ws: OpenWorkspace, owner: Owner | null): Promise<void> {
  if (ws.gocache) await ensureDirBeneath(ws.home, SANDBOX_GOCACHE.slice(SANDBOX_HOME.length + 1), owner, true);
}

/** Mount points now (field 5 of mountinfo, with spaces etc. octal-escaped). */
async function mountPoints(): Promise<Set<string>> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  return new Set(
    text
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(' ')[4].replace(/\\([0-7]{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8)))),
  );
}

/** Mount points at or below `dir`, deepest first (the order they must be unmounted in). */
export async function mountsUnder(dir: string): Promise<string[]> {
  return [...(await mountPoints())].filter((m) => m === dir || m.startsWith(dir + '/')).sort((a, b) => b.length - a.length);
}

/**
 * Unmounts everything at or below `dir` (at shutdown: whatever any path of
 * the server mounted, tracked or not). Loop devices go with their last
 * unmount (autoclear). Returns what it could not unmount.
 */
export async function unmountAllUnder(dir: string): Promise<string[]> {
  const failed: string[] = [];
  for (const m of await mountsUnder(dir)) await umount(m).catch(() => failed.push(m));
  return failed;
}

/** Loop devices still attached to `image` (a mount that failed half-way can leave one). */
async function detachLoops(image: string): Promise<void> {
  const { stdout } = await execFileP('losetup', ['-j', image]).catch(() => ({ stdout: '' }));
  for (const line of stdout.split('\n')) {
    const dev = line.split(':')[0];
    if (dev.startsWith('/dev/loop')) await execFileP('losetup', ['-d', dev]).catch(() => {});
  }
}

async function umount(path: string): Promise<void> {
  try {
    await execFileP('umount', [path]);
  } catch {
    // Still in use (a sandbox being killed at this moment): detach it now;
    // the kernel finishes when the last user is gone.
    await execFileP('umount', ['-l', path]);
  }
}

/**
 * Callers serialize open/close/trim per workspace (SessionStore's lock; a
 * throwaway workspace has one user), so this class keeps no lock of its own.
 */
export class QuotaStorage implements WorkspaceStorage {
  readonly kind = 'quota';
  readonly #base: string;
  readonly #quotaBytes: number;
  readonly #inodes: number;
  /**
   * 'image': an ext4 image file, kept across restarts (sessions).
   * 'tmpfs': a size-limited tmpfs (throwaway workspaces of one Run): no mkfs,
   * no disk writes, gone at unmount; its pages are bounded by the same quota.
   */
  readonly #backing: 'image' | 'tmpfs';
  /**
   * Mount points this process knows are mounted, so a request for an open
   * workspace costs no read of /proc/self/mountinfo; that is read only for a
   * workspace not seen yet (mounts left by a previous server are reused).
   */
  readonly #mounted = new Set<string>();

  constructor(gocacheBase: string, quotaBytes: number, inodes: number, backing: 'image' | 'tmpfs' = 'image') {
    this.#base = gocacheBase;
    this.#quotaBytes = quotaBytes;
    this.#inodes = inodes;
    this.#backing = backing;
  }

  async create(dir: string, owner: Owner | null): Promise<OpenWorkspace> {
    await mkdir(dir, { recursive: true, mode: 0o711 });
    if (this.#backing === 'image') {
      const image = join(dir, 'disk.img');
      await execFileP('truncate', ['-s', String(this.#quotaBytes), image]);
      // No journal (the workspace is scratch space, and it saves 4 MiB of the quota),
      // no reserved blocks, a fixed inode budget (many-small-files attacks end there).
      await execFileP('mkfs.ext4', ['-q', '-F', '-m', '0', '-O', '^has_journal', '-N', String(this.#inodes), '-E', 'root_owner=0:0', image]);
    }
    const ws = await this.open(dir);
    const mnt = join(dir, 'mnt');
    await rm(join(mnt, 'lost+found'), { recursive: true, force: true });
    await chmod(mnt, 0o711);
    await mkdir(ws.home, { mode: 0o700 });
    await mkdir(join(ws.home, '.cache', 'go-build'), { recursive: true, mode: 0o755 });
    if (owner) {
      for (const d of [ws.home, join(ws.home, '.cache'), join(ws.home, '.cache', 'go-build'), join(mnt, 'cache-upper')]) await chown(d, owner.uid, owner.gid);
    }
    // A merged directory takes its owner from the upper layer: give the learner
    // their own copy of each of the base's directories, so new entries can go in.
    const upper = join(mnt, 'cache-upper');
    for (const e of await readdir(this.#base, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      await mkdir(join(upper, e.name), { mode: 0o755 });
      if (owner) await chown(join(upper, e.name), owner.uid, owner.gid);
    }
    // And of the files the go command rewrites at the cache's top (trim.txt when
    // it trims, testexpire.txt for `go clean -testcache`): a new file there was
    // refused inside the sandbox (permission denied), an existing one of theirs is not.
    for (const name of CACHE_TOP_FILES) {
      const content = await readFile(join(this.#base, name)).catch(() => Buffer.alloc(0));
      await writeFile(join(upper, name), content, { mode: 0o644 });
      if (owner) await chown(join(upper, name), owner.uid, owner.gid);
    }
    return ws;
  }

  async open(dir: string): Promise<OpenWorkspace> {
    const mnt = join(dir, 'mnt');
    const cache = join(dir, 'cache');
    const ws = { home: join(mnt, 'home'), gocache: cache };
    if (this.#mounted.has(mnt) && this.#mounted.has(cache)) return ws;
    const mounted = await mountPoints();
    // What this call mounted, undone if a later step fails: no mount or loop
    // device outlives a failed open.
    const mine: string[] = [];
    try {
      if (!mounted.has(mnt)) {
        await mkdir(mnt, { recursive: true, mode: 0o711 });
        if (this.#backing === 'image') {
          const image = join(dir, 'disk.img');
          try {
            await execFileP('mount', ['-o', 'loop,nosuid,nodev,noatime,discard', image, mnt]);
          } catch (err) {
            await detachLoops(image);
            throw err;
          }
        } else {
          await execFileP('mount', ['-t', 'tmpfs', '-o', `size=${this.#quotaBytes},nr_inodes=${this.#inodes},mode=0711,nosuid,nodev,noatime`, 'tmpfs', mnt]);
        }
        mine.push(mnt);
        // mnt is root's (0711): nothing in it but home is the learner's, so plain paths are safe.
        await mkdir(join(mnt, 'cache-upper'), { recursive: true });
        await mkdir(join(mnt, 'cache-work'), { recursive: true, mode: 0o700 });
      }
      if (!mounted.has(cache)) {
        await mkdir(cache, { recursive: true, mode: 0o755 });
        await execFileP('mount', [
          '-t',
          'overlay',
          'overlay',
          '-o',
          `lowerdir=${this.#base},upperdir=${join(mnt, 'cache-upper')},workdir=${join(mnt, 'cache-work')},nosuid,nodev`,
          cache,
        ]);
        mine.push(cache);
      }
    } catch (err) {
      for (const m of mine.reverse()) await umount(m).catch(() => {});
      throw err;
    }
    this.#mounted.add(mnt);
    this.#mounted.add(cache);
    return ws;
  }

  async close(dir: string): Promise<void> {
    const mounted = await mountPoints();
    // What discard missed (a mount made by an older server without it) is
    // given back to the host now; best effort, the unmount matters more.
    if (this.#backing === 'image' && mounted.has(join(dir, 'mnt'))) await execFileP('fstrim', [join(dir, 'mnt')]).catch(() => {});
    // The overlay first (its upper layer lives in mnt); the loop device goes
    // with the last unmount (mount -o loop sets autoclear).
    for (const m of [join(dir, 'cache'), join(dir, 'mnt')]) {
      if (mounted.has(m)) await umount(m);
      this.#mounted.delete(m);
    }
  }

  /** Unmounts the overlay and empties its upper layer (the session's own entries); `mnt` stays for close(). */
  async trimCache(dir: string): Promise<void> {
    if (this.#backing === 'tmpfs') return; // gone at close anyway
    const mounted = await mountPoints();
    const cache = join(dir, 'cache');
    const mnt = join(dir, 'mnt');
    if (mounted.has(cache)) await umount(cache);
    this.#mounted.delete(cache);
    if (!mounted.has(mnt)) return;
    // An upper layer may only change while its overlay is not mounted. The
    // learner wrote everything in it: emptied without following anything.
    const upper = join(mnt, 'cache-upper');
    for (const e of await readdir(upper, { withFileTypes: true })) {
      if (e.isDirectory()) await emptyDirBeneath(upper, e.name);
      else await rm(join(upper, e.name), { force: true });
    }
  }

  async remove(dir: string): Promise<void> {
    await this.close(dir);
    await rm(dir, { recursive: true, force: true });
  }

  async full(dir: string): Promise<boolean> {
    const s = await statfs(join(dir, 'mnt')).catch(() => null);
    return !!s && (s.bavail * s.bsize < FULL_BELOW_BYTES || s.ffree < 16);
  }
}

export class PlainStorage implements WorkspaceStorage {
  readonly kind = 'plain';
  readonly #base: string;

  constructor(gocacheBase: string) {
    this.#base = gocacheBase;
  }

  async create(dir: string, owner: Owner | null): Promise<OpenWorkspace> {
    const home = join(dir, 'home');
    await mkdir(dir, { recursive: true, mode: 0o711 });
    await mkdir(home, { mode: 0o700 });
    const cache = cacheSubdir(home);
    await mkdir(join(cache, '..'), { recursive: true, mode: 0o755 });
    // Nothing in this fresh directory is the learner's yet, so plain paths are safe here.
    await execFileP('cp', ['-al', '--', this.#base, cache]);
    await chmod(cache, 0o755);
    const dirs = [
      home,
      join(home, '.cache'),
      cache,
      ...(await readdir(cache, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => join(cache, e.name)),
    ];
    for (const d of dirs) {
      if (d.startsWith(cache + '/')) await chmod(d, 0o755);
      if (owner) await chown(d, owner.uid, owner.gid);
    }
    // The go command rewrites trim.txt in place: give the session its own copy.
    const trim = join(cache, 'trim.txt');
    if (await exists(trim)) {
      await rm(trim);
      await copyFile(join(this.#base, 'trim.txt'), trim);
      await chmod(trim, 0o644);
      if (owner) await chown(trim, owner.uid, owner.gid);
    }
    return { home, gocache: null };
  }

  async open(dir: string): Promise<OpenWorkspace> {
    return { home: join(dir, 'home'), gocache: null };
  }

  async close(): Promise<void> {}

  async trimCache(): Promise<void> {
    // Without a separate layer, the go command's own trimming is all there is.
  }

  async remove(dir: string): Promise<void> {
    await rm(dir, { recursive: true, force: true });
  }

  async full(): Promise<boolean> {
    return false;
  }
}
