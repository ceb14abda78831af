/**
 * Learner sessions and their workspaces.
 *
 * A session is an opaque random id (256 bits) in an HttpOnly cookie. Only a
 * hash of it names the session's directory, so neither the data directory nor
 * logs reveal a usable id:
 *
 *   DATA_DIR/sessions/<sha256(id)[:32]>/        root-owned, 0711
 *                                      home/    the workspace, /home/learner in the
 *                                               sandbox, owned by the sandbox uid, 0700
 *                                      home/.cache/go-build   the session's own GOCACHE,
 *                                               seeded from the std base cache
 *
 * Directories on disk are the only session store, so sessions survive a restart.
 * A cookie whose directory does not exist is not honoured (a new session is made):
 * clients cannot choose their session ids.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, chown, copyFile, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SESSION_COOKIE } from '../src/lib/protocol.ts';
import { SANDBOX_GOCACHE, SANDBOX_HOME } from './sandbox/bwrap.ts';
import type { Owner } from './workspace/beneath.ts';

const execFileP = promisify(execFile);

/** Bytes of randomness in a session id. */
export const SESSION_ID_BYTES = 32;
const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface Workspace {
  /** Host directory mounted at /home/learner. */
  home: string;
  /** The host uid/gid this workspace belongs to and its commands run as (null: not root). */
  owner: Owner | null;
}

export interface Session extends Workspace {
  id: string;
}

export interface SessionStoreOptions {
  dataDir: string;
  /** The read-only std build cache each GOCACHE is seeded from. */
  gocacheBase: string;
  /** The sandbox uid pool (when the server is root), or null to keep the server's uid. */
  uidPool: { base: number; count: number } | null;
}

export class SessionStore {
  readonly #o: SessionStoreOptions;
  readonly #sessionsDir: string;
  readonly #scratchDir: string;

  constructor(o: SessionStoreOptions) {
    this.#o = o;
    this.#sessionsDir = join(o.dataDir, 'sessions');
    this.#scratchDir = join(o.dataDir, 'scratch');
  }

  async init(): Promise<void> {
    await mkdir(this.#sessionsDir, { recursive: true, mode: 0o711 });
    await chmod(this.#o.dataDir, 0o711); // the sandbox uid must be able to reach its workspace
    await chmod(this.#sessionsDir, 0o711);
    // Throwaway workspaces of a previous process are garbage now.
    await rm(this.#scratchDir, { recursive: true, force: true });
    await mkdir(this.#scratchDir, { recursive: true, mode: 0o711 });
  }

  /** The session id in a Cookie header, if it is well-formed. */
  static idFromCookie(header: string | undefined): string | null {
    if (!header) return null;
    for (const part of header.split(';')) {
      const [name, ...rest] = part.trim().split('=');
      if (name === SESSION_COOKIE) {
        const value = rest.join('=');
        return SESSION_ID_PATTERN.test(value) ? value : null;
      }
    }
    return null;
  }

  static cookieFor(id: string, secure: boolean): string {
    // One year: the workspace is kept at least that long unless reaped for space (issue 3).
    return `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax; Max-Age=31536000${secure ? '; Secure' : ''}`;
  }

  #dirOf(id: string): string {
    return join(this.#sessionsDir, createHash('sha256').update(id).digest('hex').slice(0, 32));
  }

  /**
   * The session's sandbox uid: from the pool by a hash of its id, so it is stable
   * across restarts without being stored, and different sessions rarely share one.
   */
  #ownerOf(id: string): Owner | null {
    const pool = this.#o.uidPool;
    if (!pool) return null;
    const n = createHash('sha256').update('uid\0' + id).digest().readUInt32BE(0) % pool.count;
    return { uid: pool.base + n, gid: pool.base + n };
  }

  /** The existing session with this id, or null. */
  async get(id: string | null): Promise<Session | null> {
    if (!id) return null;
    const dir = this.#dirOf(id);
    const home = join(dir, 'home');
    const ok = await stat(join(dir, 'ready')).then(() => true, () => false);
    return ok ? { id, home, owner: this.#ownerOf(id) } : null;
  }

  /** A new session with a fresh workspace. */
  async create(): Promise<Session> {
    const id = randomBytes(SESSION_ID_BYTES).toString('base64url');
    const dir = this.#dirOf(id);
    const owner = this.#ownerOf(id);
    await this.#makeWorkspace(dir, owner);
    // Written last: a session whose set-up was interrupted does not exist.
    await mkdir(join(dir, 'ready'));
    return { id, home: join(dir, 'home'), owner };
  }

  /** A workspace for one Run without a session; dispose() deletes it. */
  async throwaway(): Promise<Workspace & { dispose(): Promise<void> }> {
    const name = randomBytes(12).toString('hex');
    const dir = join(this.#scratchDir, name);
    const owner = this.#ownerOf(name);
    await this.#makeWorkspace(dir, owner);
    return { home: join(dir, 'home'), owner, dispose: () => rm(dir, { recursive: true, force: true }) };
  }

  /**
   * dir/home owned by the sandbox uid, with GOCACHE seeded by hard links to the
   * root-owned, read-only base cache: a learner can add to and delete from their
   * own cache, never change an entry another session links to.
   */
  async #makeWorkspace(dir: string, owner: Owner | null): Promise<void> {
    const home = join(dir, 'home');
    await mkdir(dir, { recursive: true, mode: 0o711 });
    await mkdir(home, { mode: 0o700 });
    const cache = join(home, SANDBOX_GOCACHE.slice(SANDBOX_HOME.length + 1));
    await mkdir(join(cache, '..'), { recursive: true, mode: 0o755 });
    // Nothing in this fresh directory is the learner's yet, so plain paths are safe here.
    await execFileP('cp', ['-al', '--', this.#o.gocacheBase, cache]);
    await chmod(cache, 0o755);
    const dirs = [home, join(home, '.cache'), cache, ...(await readdir(cache, { withFileTypes: true }))
      .filter((e) => e.isDirectory()).map((e) => join(cache, e.name))];
    for (const d of dirs) {
      if (d.startsWith(cache + '/')) await chmod(d, 0o755);
      if (owner) await chown(d, owner.uid, owner.gid);
    }
    // The go command rewrites trim.txt in place: give the session its own copy.
    const trim = join(cache, 'trim.txt');
    if (await stat(trim).then(() => true, () => false)) {
      await rm(trim);
      await copyFile(join(this.#o.gocacheBase, 'trim.txt'), trim);
      await chmod(trim, 0o644);
      if (owner) await chown(trim, owner.uid, owner.gid);
    }
  }
}
