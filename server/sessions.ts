/**
 * Learner sessions and their workspaces.
 *
 * A session is an opaque random id (256 bits) in an HttpOnly cookie. Only a
 * hash of it names the session's directory, so neither the data directory nor
 * logs reveal a usable id:
 *
 *   DATA_DIR/sessions/<sha256(id)[:32]>/   root-owned, 0711; its layout inside
 *                                          is the storage's (workspace/storage.ts):
 *                                          the home the sandbox mounts at /home/learner
 *                                          (owned by the session's sandbox uid, 0700)
 *                                          and the session's own GOCACHE
 *                                 ready/   exists once set-up finished; its mtime
 *                                          is the session's last use
 *
 * Directories on disk are the only session store, so sessions survive a restart.
 * A cookie whose directory does not exist is not honoured (a new session is made):
 * clients cannot choose their session ids.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { SESSION_COOKIE } from '../src/lib/protocol.ts';
import type { Owner } from './workspace/beneath.ts';
import { ensureMountPoints, unmountAllUnder, type WorkspaceStorage } from './workspace/storage.ts';
import { exists } from './util/fs.ts';
import { log } from './observability/log.ts';

/** How often, at most, a workspace in use writes its last-use time to disk. */
const LAST_USE_WRITE_INTERVAL_MS = 60_000;

/** Bytes of randomness in a session id. */
export const SESSION_ID_BYTES = 32;
const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface Workspace {
  /** Host directory mounted at /home/learner. */
  home: string;
  /** Host directory mounted at GOCACHE, or null when it lives inside home. */
  gocache: string | null;
  /** The host uid/gid this workspace belongs to and its commands run as (null: not root). */
  owner: Owner | null;
  /** The workspace's own directory (for its storage: quota checks, reaping). */
  dir: string;
}

export interface Session extends Workspace {
  id: string;
}

export interface SessionStoreOptions {
  dataDir: string;
  storage: WorkspaceStorage;
  /** Storage of throwaway workspaces (one Run without a session); default: `storage`. */
  scratchStorage?: WorkspaceStorage;
  /** The sandbox uid pool (when the server is root), or null to keep the server's uid. */
  uidPool: { base: number; count: number } | null;
}

export class SessionStore {
  readonly #o: SessionStoreOptions;
  readonly #sessionsDir: string;
  readonly #scratchDir: string;
  /** Sessions whose workspace is open (mounted), with their use. */
  readonly #open = new Map<string, { active: number; lastUsed: number; persisted: number }>();
  /** One opening or closing of a workspace at a time (the reaper against a returning learner). */
  readonly #locks = new Map<string, Promise<unknown>>();
  /** Throwaway workspaces being made (closeAll waits for them: their mounts must not come after it). */
  readonly #making = new Set<Promise<unknown>>();
  /** Set by closeAll: no workspace is opened or made any more (the server is stopping). */
  #closing = false;

  #assertOpen(): void {
    if (this.#closing) throw new Error('the server is stopping');
  }

  #withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
    this.#assertOpen();
    const prev = this.#locks.get(dir) ?? Promise.resolve();
    const next = prev.catch(() => {}).then(fn);
    this.#locks.set(dir, next);
    next
      .finally(() => {
        if (this.#locks.get(dir) === next) this.#locks.delete(dir);
      })
      .catch(() => {});
    return next;
  }

  constructor(o: SessionStoreOptions) {
    this.#o = o;
    this.#sessionsDir = join(o.dataDir, 'sessions');
    this.#scratchDir = join(o.dataDir, 'scratch');
  }

  get #scratch(): WorkspaceStorage {
    return this.#o.scratchStorage ?? this.#o.storage;
  }

  /** The storage a workspace directory belongs to. */
  storageOf(ws: Workspace): WorkspaceStorage {
    return ws.dir.startsWith(this.#scratchDir + '/') ? this.#scratch : this.#o.storage;
  }

  async init(): Promise<void> {
    await mkdir(this.#sessionsDir, { recursive: true, mode: 0o711 });
    await chmod(this.#o.dataDir, 0o711); // the sandbox uid must be able to reach its workspace
    await chmod(this.#sessionsDir, 0o711);
    // Throwaway workspaces of a previous process are garbage now.
    await mkdir(this.#scratchDir, { recursive: true, mode: 0o711 });
    for (const name of await readdir(this.#scratchDir)) await this.#scratch.remove(join(this.#scratchDir, name));
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
    // One year in the browser; the workspace itself is kept for WORKSPACE_RETENTION_MS after last use.
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
    const n =
      createHash('sha256')
        .update('uid\0' + id)
        .digest()
        .readUInt32BE(0) % pool.count;
    return { uid: pool.base + n, gid: pool.base + n };
  }

  /**
   * The existing session with this id, its workspace opened and marked busy
   * (call the returned release when done with it), or null.
   */
  async get(id: string | null): Promise<{ session: Session; release: () => void } | null> {
    if (!id) return null;
    const dir = this.#dirOf(id);
    return this.#withLock(dir, async () => {
      if (!(await exists(join(dir, 'ready')))) return null;
      this.#assertOpen();
      const ws = await this.#o.storage.open(dir);
      // What the learner did to its mount points since (a symlink in place of
      // ~/.cache, say) is undone before any sandbox is set up on them.
      await ensureMountPoints(ws, this.#ownerOf(id));
      const session: Session = { id, dir, owner: this.#ownerOf(id), ...ws };
      // Busy before the lock is released: the reaper cannot close it under us.
      const release = this.busy(session);
      await this.#touch(dir);
      return { session, release };
    });
  }

  /** A new session with a fresh workspace, marked busy (call release when done). */
  async create(): Promise<{ session: Session; release: () => void }> {
    const id = randomBytes(SESSION_ID_BYTES).toString('base64url');
    const dir = this.#dirOf(id);
    const owner = this.#ownerOf(id);
    return this.#withLock(dir, async () => {
      let ws: Awaited<ReturnType<WorkspaceStorage['create']>>;
      try {
        ws = await this.#o.storage.create(dir, owner);
        // Written last: a session whose set-up was interrupted does not exist.
        await mkdir(join(dir, 'ready'));
      } catch (err) {
        // Nothing of a failed creation stays mounted (or on disk) until the reaper comes.
        await this.#o.storage.remove(dir).catch((e) => log.warn(`removing ${dir} failed`, { dir }, e));
        throw err;
      }
      const session: Session = { id, dir, owner, ...ws };
      const release = this.busy(session);
      await this.#touch(dir);
      return { session, release };
    });
  }

  /** A workspace for one Run without a session; dispose() deletes it. */
  async throwaway(): Promise<Workspace & { dispose(): Promise<void> }> {
    const name = randomBytes(12).toString('hex');
    const dir = join(this.#scratchDir, name);
    const owner = this.#ownerOf(name);
    this.#assertOpen();
    const making = (async () => {
      try {
        const ws = await this.#scratch.create(dir, owner);
        return { dir, owner, ...ws, dispose: () => this.#scratch.remove(dir) };
      } catch (err) {
        await this.#scratch.remove(dir).catch(() => {});
        throw err;
      }
    })();
    this.#making.add(making);
    try {
      return await making;
    } finally {
      this.#making.delete(making);
    }
  }

  /** Marks a command or terminal of the workspace as running (the reaper leaves it alone). */
  busy(ws: Workspace): () => void {
    const entry = this.#open.get(ws.dir) ?? { active: 0, lastUsed: Date.now(), persisted: 0 };
    entry.active++;
    this.#open.set(ws.dir, entry);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      entry.active--;
      entry.lastUsed = Date.now();
      void this.#touch(ws.dir);
    };
  }

  /**
   * Last use, in memory for the reaper, and as the mtime of <dir>/ready so it
   * survives restarts. The file is written at most once a minute while the
   * workspace is in use (not on every request), and exactly when it is closed.
   */
  async #touch(dir: string): Promise<void> {
    const entry = this.#open.get(dir) ?? { active: 0, lastUsed: 0, persisted: 0 };
    entry.lastUsed = Date.now();
    this.#open.set(dir, entry);
    if (entry.lastUsed - entry.persisted >= LAST_USE_WRITE_INTERVAL_MS) await this.#persist(dir, entry);
  }

  async #persist(dir: string, entry: { lastUsed: number; persisted: number }): Promise<void> {
    entry.persisted = entry.lastUsed;
    const t = new Date(entry.lastUsed);
    await utimes(join(dir, 'ready'), t, t).catch(() => {});
  }

  /**
   * The reaper's pass: workspaces idle for idleMs are closed (unmounted) and
   * their build cache trimmed to the std base; workspaces unused for
   * retentionMs are deleted. Returns what it did, for logs and tests.
   */
  async reap(
    idleMs: number,
    retentionMs: number,
    beforeClose: (dir: string) => void = () => {},
    now = Date.now(),
  ): Promise<{ closed: number; deleted: number }> {
    let closed = 0;
    let deleted = 0;
    const idle = (dir: string) => {
      const e = this.#open.get(dir);
      return !!e && e.active === 0 && now - e.lastUsed >= idleMs;
    };
    for (const dir of [...this.#open.keys()]) {
      if (!idle(dir)) continue;
      await this.#withLock(dir, async () => {
        if (!idle(dir)) return; // a learner came back while we waited for the lock
        await this.#persist(dir, this.#open.get(dir)!);
        this.#open.delete(dir);
        beforeClose(dir);
        await this.#o.storage.trimCache(dir).catch((err) => log.warn(`trimming ${dir} failed`, { dir }, err));
        await this.#o.storage.close(dir).catch((err) => log.warn(`closing ${dir} failed`, { dir }, err));
        closed++;
      });
    }
    for (const name of await readdir(this.#sessionsDir).catch(() => [] as string[])) {
      const dir = join(this.#sessionsDir, name);
      await this.#withLock(dir, async () => {
        const entry = this.#open.get(dir);
        if (entry?.active) return;
        const ready = await stat(join(dir, 'ready')).catch(() => null);
        // A directory without `ready` is a session whose creation was cut short.
        const lastUsed = Math.max(ready ? ready.mtimeMs : 0, entry?.lastUsed ?? 0);
        if (now - lastUsed < retentionMs) return;
        this.#open.delete(dir);
        beforeClose(dir);
        await this.#o.storage.remove(dir);
        deleted++;
      });
    }
    return { closed, deleted };
  }

  /**
   * Closes every workspace (at shutdown; kill the sandboxes first, so nothing
   * holds a mount): no workspace mount and no loop device outlives the
   * server, whichever path mounted it. Opening and making workspaces stops
   * here; those under way are waited for.
   */
  async closeAll(): Promise<void> {
    this.#closing = true;
    await Promise.allSettled([...this.#locks.values(), ...this.#making]);
    for (const [dir, entry] of this.#open) await this.#persist(dir, entry);
    this.#open.clear();
    // Throwaway workspaces whose Run was still ending (its dispose may be cut short by the exit).
    for (const name of await readdir(this.#scratchDir).catch(() => [] as string[])) {
      await this.#scratch.remove(join(this.#scratchDir, name)).catch(() => {});
    }
    // Every mount below the data directory, tracked or not: sessions' and what a failed removal left.
    for (const dir of [this.#sessionsDir, this.#scratchDir]) {
      for (const m of await unmountAllUnder(dir)) log.warn(`could not unmount ${m} at shutdown`, { mount: m });
    }
  }
}
