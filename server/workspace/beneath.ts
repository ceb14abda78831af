/**
 * File access inside a learner's workspace that no planted symlink can redirect.
 *
 * A learner controls everything below their workspace root: any directory
 * on a path may have been swapped for a symlink to /etc or to another
 * learner's files (Judge0's 2024 escapes came from exactly that). Node has
 * no openat(2), so each step opens the next component through the magic
 * link `/proc/self/fd/<dirfd>/<name>` of the directory already open, with
 * O_NOFOLLOW (+ O_DIRECTORY). The kernel resolves `<name>` inside that very
 * directory inode, so a rename or symlink swap of a parent after we opened it
 * cannot move us; a symlink anywhere on the path is refused (ELOOP/ENOTDIR).
 *
 * Paths given here are already validated relative names (see files.ts).
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, opendir, mkdir, lstat, readdir, rename, rmdir, statfs, unlink, type FileHandle } from 'node:fs/promises';
import { HttpError } from '../http/errors.ts';

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK } = constants;

/** Mode of directories the host makes or repairs in a workspace. */
const DIR_MODE = 0o755;
/** Mode of files the host writes when there is no earlier version to take it from. */
const FILE_MODE = 0o644;
/**
 * Prefix of the temporary file a save writes before renaming it over the real
 * name; random after it, so a learner cannot plant something under that name.
 */
const SAVE_TEMP_PREFIX = '.lab-save-';
/** Infix of the name the host moves something to (Reset, mount points) when it is in the way of a starting file or folder. */
const MOVED_INFIX = '.moved-by-lab-';
/** Deepest tree emptyDirBeneath descends into (the go command's cache is 2 levels deep). */
const MAX_EMPTY_DEPTH = 16;

/** Who should own what we create (the sandbox uid when running as root). */
export interface Owner {
  uid: number;
  gid: number;
}

export class UnsafePathError extends Error {
  constructor(path: string, why: string) {
    super(`refused to touch ${JSON.stringify(path)} in the workspace: ${why}`);
    this.name = 'UnsafePathError';
  }
}

/**
 * The workspace's file system has no room (bytes or inodes) for a save: the
 * API answers 507, and the file's previous version is still there.
 */
export class WorkspaceFullError extends HttpError {
  constructor(path: string, quotaBytes: number | null) {
    const quota = quotaBytes ? ` (its quota is ${Math.round(quotaBytes / 1024 / 1024)} MiB)` : '';
    super(
      507,
      `your workspace is full${quota}: ${JSON.stringify(path)} was not saved and its previous version is kept; delete some files (in the terminal: du -sh ~/* ~/.cache) and save again`,
    );
    this.name = 'WorkspaceFullError';
  }
}

/** ENOSPC/EDQUOT as WorkspaceFullError (with the file system's size), anything else as is. */
async function asFull(root: string, path: string, err: unknown): Promise<unknown> {
  if (code(err) !== 'ENOSPC' && code(err) !== 'EDQUOT') return err;
  const s = await statfs(root).catch(() => null);
  return new WorkspaceFullError(path, s ? s.blocks * s.bsize : null);
}

function viaFd(dir: FileHandle, name: string): string {
  return `/proc/self/fd/${dir.fd}/${name}`;
}

function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException)?.code;
}

/** Opens `root` itself (which the host created and the learner cannot rename). */
async function openRoot(root: string): Promise<FileHandle> {
  return open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
}

/**
 * Opens directory `parts` beneath root, one component at a time, creating missing
 * ones (owned by `owner`) when asked. Returns null when a component is missing
 * and create is false. Throws UnsafePathError on a symlink or non-directory,
 * unless `repair`: then whatever is in the way (a symlink, a file, a FIFO) is
 * renamed aside and a real directory made in its place, and directories whose
 * owner cannot enter them (chmod 000) get their mode back. Reset and the
 * sandbox's mount points use it, so nothing a learner plants bricks a workspace.
 */
async function openDirBeneath(root: string, parts: string[], create: Owner | null | false, repair = false): Promise<FileHandle | null> {
  let dir = await openRoot(root);
  try {
    if (repair) await repairDir(dir, create || null);
    for (const part of parts) {
      let next: FileHandle | null = null;
      try {
        next = await open(viaFd(dir, part), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      } catch (err) {
        const c = code(err);
        if (repair && (c === 'ELOOP' || c === 'ENOTDIR' || c === 'EACCES')) {
          await moveAside(dir, part);
        } else if (c === 'ENOENT' && create === false) {
          await dir.close();
          return null;
        } else if (c === 'ELOOP' || c === 'ENOTDIR') {
          throw new UnsafePathError(parts.join('/'), `${part} is a symlink or not a directory`);
        } else if (c !== 'ENOENT') {
          throw err;
        }
      }
      if (!next) {
        if (create === false) throw new UnsafePathError(parts.join('/'), `${part} is in the way`);
        try {
          await mkdir(viaFd(dir, part), DIR_MODE);
        } catch (mkErr) {
          if (code(mkErr) !== 'EEXIST') throw await asFull(root, parts.join('/'), mkErr);
        }
        try {
          next = await open(viaFd(dir, part), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
        } catch (err) {
          // Swapped for a symlink between our mkdir and open: a learner racing us.
          if (code(err) === 'ELOOP' || code(err) === 'ENOTDIR') throw new UnsafePathError(parts.join('/'), `${part} is a symlink or not a directory`);
          throw err;
        }
        try {
          if (create) await next.chown(create.uid, create.gid);
        } catch (err) {
          await next.close();
          throw err;
        }
      } else if (repair) {
        try {
          await repairDir(next, create || null);
        } catch (err) {
          await next.close();
          throw err;
        }
      }
      await dir.close();
      dir = next;
    }
    return dir;
  } catch (err) {
    await dir.close().catch(() => {});
    throw err;
  }
}

/** Gives an open directory of the workspace its owner back, and a mode its owner can use. */
async function repairDir(dir: FileHandle, owner: Owner | null): Promise<void> {
  const st = await dir.stat();
  if (owner && (st.uid !== owner.uid || st.gid !== owner.gid)) await dir.chown(owner.uid, owner.gid);
  if ((st.mode & 0o700) !== 0o700) await dir.chmod((st.mode & 0o7777) | 0o700);
}

/**
 * Renames `name` (whatever it is: rename never follows it) to a fresh name
 * beside it, so nothing of the learner's is lost and the name is free.
 */
async function moveAside(dir: FileHandle, name: string): Promise<void> {
  await rename(viaFd(dir, name), viaFd(dir, `${name}${MOVED_INFIX}${randomBytes(4).toString('hex')}`));
}

function split(relPath: string): { dirs: string[]; name: string } {
  const parts = relPath.split('/');
  const name = parts.pop()!;
  return { dirs: parts, name };
}

export interface WriteOptions {
  /**
   * Replace whatever is at the name (Reset): a symlink, FIFO or hard link is
   * replaced by a regular file, a directory is moved aside, and directories on
   * the way are repaired (see openDirBeneath). Without it (a save), anything
   * but a regular file of its own is refused with UnsafePathError.
   */
  replace?: boolean;
}

/**
 * Writes `content` to `relPath` beneath root, creating parent directories,
 * never following a symlink. The new version goes to a temporary file in the
 * same directory, is flushed to disk, and then renamed over the name: a write
 * that fails (a full disk, a crash) leaves the previous version whole, and a
 * FIFO, symlink or hard link at the name is never opened. A failure for lack
 * of space is WorkspaceFullError. `owner` (or null to keep the server's uid)
 * owns created files and directories. An unchanged file is not rewritten.
 */
export async function writeFileBeneath(root: string, relPath: string, content: string | Uint8Array, owner: Owner | null, o: WriteOptions = {}): Promise<void> {
  const { dirs, name } = split(relPath);
  const dir = (await openDirBeneath(root, dirs, owner, o.replace))!;
  try {
    const bytes = typeof content === 'string' ? Buffer.from(content) : content;
    let mode = FILE_MODE;
    const old = await lstat(viaFd(dir, name)).catch((err) => {
      if (code(err) === 'ENOENT') return null;
      throw err;
    });
    if (old && !o.replace) {
      if (old.isSymbolicLink()) throw new UnsafePathError(relPath, 'it is a symlink');
      if (old.isDirectory()) throw new UnsafePathError(relPath, 'it is a directory');
      if (!old.isFile()) throw new UnsafePathError(relPath, 'it is not a regular file');
      if (old.nlink > 1) throw new UnsafePathError(relPath, 'it has other hard links');
      // A save keeps the learner's own mode (an executable script stays executable).
      mode = old.mode & 0o777;
    } else if (old?.isDirectory()) {
      await moveAside(dir, name);
    }
    if (
      old?.isFile() &&
      old.nlink === 1 &&
      old.size === bytes.length &&
      (o.replace ? (old.mode & 0o777) === FILE_MODE : true) &&
      (!owner || old.uid === owner.uid) &&
      (await sameContent(dir, name, bytes))
    )
      return;
    try {
      await replaceFile(root, dir, relPath, name, bytes, mode, owner);
    } catch (err) {
      // Reset with no inode left for a temporary file: the version being
      // replaced is being thrown away anyway, so it is overwritten in place.
      if (!(err instanceof WorkspaceFullError) || !o.replace || !old?.isFile() || old.nlink !== 1) throw err;
      await overwriteInPlace(root, dir, relPath, name, bytes, owner);
    }
  } finally {
    await dir.close();
  }
}

/** Truncates and rewrites the regular file `name` (no symlink, FIFO or hard link is opened or written). */
async function overwriteInPlace(root: string, dir: FileHandle, relPath: string, name: string, bytes: Uint8Array, owner: Owner | null): Promise<void> {
  let file: FileHandle;
  try {
    file = await open(viaFd(dir, name), O_WRONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (err) {
    throw code(err) === 'ELOOP' || code(err) === 'ENXIO' ? new UnsafePathError(relPath, 'it is not a regular file') : err;
  }
  try {
    const st = await file.stat();
    if (!st.isFile() || st.nlink !== 1) throw new UnsafePathError(relPath, 'it is not a regular file of its own');
    await file.truncate(0);
    await file.writeFile(bytes);
    await file.chmod(FILE_MODE);
    if (owner) await file.chown(owner.uid, owner.gid);
  } catch (err) {
    throw await asFull(root, relPath, err);
  } finally {
    await file.close();
  }
}

/** True when `name` in dir is a regular file holding exactly `bytes` (read without following anything). */
async function sameContent(dir: FileHandle, name: string, bytes: Uint8Array): Promise<boolean> {
  let file: FileHandle;
  try {
    file = await open(viaFd(dir, name), O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch {
    return false;
  }
  try {
    const st = await file.stat();
    if (!st.isFile() || st.size !== bytes.length || st.nlink !== 1) return false;
    const buf = Buffer.alloc(bytes.length + 1);
    let n = 0;
    for (let r = -1; r !== 0 && n < buf.length; n += r) ({ bytesRead: r } = await file.read(buf, n, buf.length - n, n));
    return n === bytes.length && Buffer.compare(buf.subarray(0, n), bytes) === 0;
  } finally {
    await file.close();
  }
}

/** Temporary file, flush, rename over `name`; the temporary file is gone whatever happens. */
async function replaceFile(root: string, dir: FileHandle, relPath: string, name: string, bytes: Uint8Array, mode: number, owner: Owner | null): Promise<void> {
  const tmp = `${SAVE_TEMP_PREFIX}${randomBytes(8).toString('hex')}`;
  let renamed = false;
  try {
    // O_EXCL + O_NOFOLLOW: a file of ours, never something planted under the name.
    const file = await open(viaFd(dir, tmp), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
    try {
      await file.writeFile(bytes);
      // Explicitly: a default ACL on the directory must not decide the mode.
      await file.chmod(mode);
      if (owner) await file.chown(owner.uid, owner.gid);
      await file.datasync();
    } finally {
      await file.close();
    }
    await rename(viaFd(dir, tmp), viaFd(dir, name));
    renamed = true;
    // The rename itself on disk (after a crash, the name has one version or the other).
    await dir.sync().catch(() => {});
  } catch (err) {
    if (!renamed) await unlink(viaFd(dir, tmp)).catch(() => {});
    if (code(err) === 'EISDIR' || code(err) === 'ENOTEMPTY') throw new UnsafePathError(relPath, 'it is a directory');
    throw await asFull(root, relPath, err);
  }
}

/** A file beneath the root is larger than the caller allows (its own class: the API answers 413). */
export class FileTooLargeError extends Error {
  readonly maxBytes: number;
  constructor(path: string, maxBytes: number) {
    super(`${JSON.stringify(path)} is larger than ${maxBytes} bytes`);
    this.name = 'FileTooLargeError';
    this.maxBytes = maxBytes;
  }
}

/**
 * Reads `relPath` beneath root; null when it does not exist. Refuses symlinks
 * and non-regular files (UnsafePathError); throws FileTooLargeError when it
 * is larger than maxBytes (checked on the size, and again on what was read).
 * `singleLink` also refuses a file with other hard links (a file the toolchain
 * just wrote has none; a learner's link could name a file they cannot read).
 */
export async function readBytesBeneath(root: string, relPath: string, maxBytes: number, singleLink = false): Promise<Buffer | null> {
  const { dirs, name } = split(relPath);
  const dir = await openDirBeneath(root, dirs, false);
  if (!dir) return null;
  try {
    let file: FileHandle;
    try {
      file = await open(viaFd(dir, name), O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    } catch (err) {
      if (code(err) === 'ENOENT') return null;
      if (code(err) === 'ELOOP') throw new UnsafePathError(relPath, 'it is a symlink');
      throw err;
    }
    try {
      const stat = await file.stat();
      if (!stat.isFile()) throw new UnsafePathError(relPath, 'it is not a regular file');
      if (singleLink && stat.nlink > 1) throw new UnsafePathError(relPath, 'it has other hard links');
      if (stat.size > maxBytes) throw new FileTooLargeError(relPath, maxBytes);
      // One byte more than stat() said: a file that grows while we read is caught, not cut short.
      const buf = Buffer.alloc(Math.min(stat.size, maxBytes) + 1);
      let bytesRead = 0;
      for (let n = -1; n !== 0 && bytesRead < buf.length; bytesRead += n) {
        ({ bytesRead: n } = await file.read(buf, bytesRead, buf.length - bytesRead, bytesRead));
      }
      if (bytesRead > maxBytes) throw new FileTooLargeError(relPath, maxBytes);
      if (bytesRead === buf.length) throw new UnsafePathError(relPath, 'it changed while it was read');
      return buf.subarray(0, bytesRead);
    } finally {
      await file.close();
    }
  } finally {
    await dir.close();
  }
}

/**
 * Reads `relPath` beneath root as UTF-8; null when it does not exist.
 * Refuses symlinks and non-regular files; throws when larger than maxBytes.
 */
export async function readFileBeneath(root: string, relPath: string, maxBytes: number): Promise<string | null> {
  try {
    return (await readBytesBeneath(root, relPath, maxBytes))?.toString('utf8') ?? null;
  } catch (err) {
    // The workspace API has always answered an oversized lesson file with 409 (an unusable file).
    if (err instanceof FileTooLargeError) throw new UnsafePathError(relPath, `it is larger than ${maxBytes} bytes`);
    throw err;
  }
}

/**
 * Makes sure directory `relPath` exists beneath root (no symlinks on the way).
 * With `repair`, whatever is in its way is moved aside (see openDirBeneath).
 */
export async function ensureDirBeneath(root: string, relPath: string, owner: Owner | null, repair = false): Promise<void> {
  const parts = relPath.split('/').filter(Boolean);
  try {
    const dir = await openDirBeneath(root, parts, owner, repair);
    await dir?.close();
  } catch (err) {
    throw await asFull(root, relPath, err);
  }
}

/**
 * Deletes everything inside directory `relPath` beneath root (the directory
 * stays), descending only through directories opened with O_NOFOLLOW: a
 * symlink in the tree is unlinked, never followed, even if swapped in while
 * we work. Missing: nothing to do.
 */
export async function emptyDirBeneath(root: string, relPath: string): Promise<void> {
  const dir = await openDirBeneath(root, relPath.split('/').filter(Boolean), false);
  if (!dir) return;
  try {
    await emptyOpenDir(dir, 0);
  } finally {
    await dir.close();
  }
}

async function emptyOpenDir(dir: FileHandle, depth: number): Promise<void> {
  if (depth > MAX_EMPTY_DEPTH) throw new UnsafePathError('(tree)', `it is nested deeper than ${MAX_EMPTY_DEPTH} levels`);
  for (const name of await readdir(viaFd(dir, '.'))) {
    let sub: FileHandle | null = null;
    try {
      sub = await open(viaFd(dir, name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    } catch (err) {
      if (code(err) !== 'ENOTDIR' && code(err) !== 'ELOOP' && code(err) !== 'ENOENT') throw err;
    }
    if (!sub) {
      await unlink(viaFd(dir, name)).catch((err) => {
        if (code(err) !== 'ENOENT') throw err;
      });
      continue;
    }
    try {
      await emptyOpenDir(sub, depth + 1);
    } finally {
      await sub.close();
    }
    await rmdir(viaFd(dir, name)).catch((err) => {
      if (code(err) !== 'ENOENT') throw err;
    });
  }
}

// ------------------------------------------------------------ listing and pruning a folder

/** One thing found by listTreeBeneath. */
export interface TreeEntry {
  /** Relative to the listed folder, '/'-separated; a directory's ends in '/'. */
  path: string;
  /** 'dir' only for a directory listed as such (empty, or deeper than the walk goes). */
  kind: 'file' | 'dir' | 'symlink' | 'other';
  /** A regular file's size (0 for the rest). */
  bytes: number;
  /** A regular file's bytes, when it was at most readUpTo bytes and the read budget allowed it. */
  content?: Buffer;
  /** A larger regular file's first SNIFF_BYTES (enough to tell a binary from text). */
  head?: Buffer;
}

/** Bytes read from the start of a file too large to list whole. */
const SNIFF_BYTES = 512;

export interface ListOptions {
  /** Entries reported at most (more: `truncated`). */
  maxEntries: number;
  /** Directory entries looked at at most, over the whole walk (a folder of 100,000 files costs no more). */
  maxScanned: number;
  /** Deepest directory descended into (1: the folder's own entries only). */
  maxDepth: number;
  /** Files larger than this are listed without their content. */
  readUpTo: number;
  /** Bytes of content read at most, over the whole walk. */
  readBudget: number;
  /** Names (at any level) left out entirely. */
  skip?: (name: string) => boolean;
  /** Paths looked at first in their directory and always reported (a lesson's starting files). */
  priority?: ReadonlySet<string>;
}

/**
 * Lists the folder `relPath` beneath root, for a learner to see what is in it.
 * Everything in it is the learner's: directories are entered only through
 * O_NOFOLLOW|O_DIRECTORY opens of the one already open, a symlink is listed as
 * one (never followed), a FIFO or device is listed and never opened for
 * reading (O_NONBLOCK open, fstat, only regular files are read), and every
 * count (entries, depth, bytes) is bounded. Null when the folder is missing.
 * Entries come sorted by path.
 */
export async function listTreeBeneath(root: string, relPath: string, o: ListOptions): Promise<{ entries: TreeEntry[]; truncated: boolean } | null> {
  const top = await openDirBeneath(root, relPath.split('/').filter(Boolean), false);
  if (!top) return null;
  const entries: TreeEntry[] = [];
  let truncated = false;
  let scanned = 0;
  let budget = o.readBudget;
  const priority = new Set<string>();
  for (const p of o.priority ?? []) {
    const parts = p.split('/');
    for (let i = 1; i <= parts.length; i++) priority.add(parts.slice(0, i).join('/'));
  }
  const add = (e: TreeEntry) => {
    if (entries.length < o.maxEntries || priority.has(e.path)) entries.push(e);
    else truncated = true;
  };
  /** True when the directory had anything in it. */
  const walk = async (dir: FileHandle, prefix: string, depth: number): Promise<boolean> => {
    const names: string[] = [];
    const it = await opendir(viaFd(dir, '.'));
    try {
      for await (const d of it) {
        if (++scanned > o.maxScanned) {
          truncated = true;
          break; // the rest is not even read (breaking out closes the directory)
        }
        if (!o.skip?.(d.name)) names.push(d.name);
      }
    } catch (err) {
      if (code(err) !== 'ERR_DIR_CLOSED') throw err;
    }
    // Priority paths first, so a crowd of other names cannot push them out.
    const rank = (name: string) => (priority.has(prefix + name) ? 0 : 1);
    names.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
    let any = false;
    for (const name of names) {
      const path = prefix + name;
      let sub: FileHandle | null = null;
      try {
        sub = await open(viaFd(dir, name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      } catch (err) {
        if (code(err) === 'ENOENT') {
          // A name that is not UTF-8 cannot be opened by its decoded string: listed, never opened.
          if (name.includes('\uFFFD')) {
            any = true;
            add({ path, kind: 'other', bytes: 0 });
          }
          continue; // else: gone meanwhile
        }
        if (code(err) !== 'ENOTDIR' && code(err) !== 'ELOOP' && code(err) !== 'EACCES') throw err;
      }
      any = true;
      if (sub) {
        try {
          if (depth >= o.maxDepth) add({ path: `${path}/`, kind: 'dir', bytes: 0 });
          else if (!(await walk(sub, `${path}/`, depth + 1))) add({ path: `${path}/`, kind: 'dir', bytes: 0 });
        } finally {
          await sub.close();
        }
        continue;
      }
      add(await statEntry(dir, name, path));
    }
    return any;
  };
  const statEntry = async (dir: FileHandle, name: string, path: string): Promise<TreeEntry> => {
    const st = await lstat(viaFd(dir, name)).catch(() => null);
    if (!st) return { path, kind: 'other', bytes: 0 };
    if (st.isSymbolicLink()) return { path, kind: 'symlink', bytes: 0 };
    if (!st.isFile()) return { path, kind: 'other', bytes: 0 };
    if (entries.length >= o.maxEntries && !priority.has(path)) return { path, kind: 'file', bytes: st.size };
    let file: FileHandle;
    try {
      // O_NONBLOCK: swapped for a FIFO since the lstat, the open does not wait for a writer.
      file = await open(viaFd(dir, name), O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    } catch {
      return { path, kind: 'other', bytes: 0 };
    }
    try {
      const fst = await file.stat();
      if (!fst.isFile()) return { path, kind: 'other', bytes: 0 };
      if (fst.size > o.readUpTo || fst.size > budget) {
        const head = Buffer.alloc(Math.min(SNIFF_BYTES, fst.size));
        const { bytesRead } = await file.read(head, 0, head.length, 0);
        return { path, kind: 'file', bytes: fst.size, head: head.subarray(0, bytesRead) };
      }
      // One byte more than the size: a file that grows meanwhile is listed without content, not cut short.
      const buf = Buffer.alloc(fst.size + 1);
      let n = 0;
      for (let r = -1; r !== 0 && n < buf.length; n += r) ({ bytesRead: r } = await file.read(buf, n, buf.length - n, n));
      if (n > fst.size) return { path, kind: 'file', bytes: n };
      budget -= n;
      return { path, kind: 'file', bytes: n, content: buf.subarray(0, n) };
    } finally {
      await file.close();
    }
  };
  try {
    await walk(top, '', 1);
  } finally {
    await top.close();
  }
  return { entries, truncated };
}

/** Passes pruneBeneath makes at most: each one takes MAX_EMPTY_DEPTH levels off a deeper tree. */
const MAX_PRUNE_PASSES = 1 + Math.ceil(65536 / MAX_EMPTY_DEPTH);

/**
 * Removes everything in folder `relPath` beneath root except the files named
 * in `keep` (relative to the folder) and the directories leading to them:
 * what Reset does to bring a lesson back to exactly its starting files. Works
 * on names as bytes (a name that is not UTF-8 goes too), never follows a
 * symlink (it is unlinked), and a tree deeper than MAX_EMPTY_DEPTH is taken
 * apart from the top in several passes (its deep part is moved up to the
 * folder and removed in the next pass), so no depth the learner made stops it.
 * A kept name that is not a directory is left for the caller to replace; a
 * directory at a kept file's name is removed like the rest.
 */
export async function pruneBeneath(root: string, relPath: string, keep: ReadonlySet<string>): Promise<void> {
  const keepDirs = new Set<string>();
  for (const k of keep) {
    const parts = k.split('/');
    for (let i = 1; i < parts.length; i++) keepDirs.add(parts.slice(0, i).join('/'));
  }
  for (let pass = 0; pass < MAX_PRUNE_PASSES; pass++) {
    const top = await openDirBeneath(root, relPath.split('/').filter(Boolean), false);
    if (!top) return;
    try {
      if (!(await pruneDir(top, top, '', keep, keepDirs, 0))) return;
    } finally {
      await top.close();
    }
  }
  throw new UnsafePathError(relPath, 'it holds a tree too deep to remove');
}

const bufPath = (dir: FileHandle, name: Buffer): Buffer => Buffer.concat([Buffer.from(`/proc/self/fd/${dir.fd}/`), name]);

/** One pass of pruneBeneath over `dir`; true when something was moved up to `top` for the next pass. */
async function pruneDir(
  top: FileHandle,
  dir: FileHandle,
  prefix: string,
  keep: ReadonlySet<string>,
  keepDirs: ReadonlySet<string>,
  depth: number,
): Promise<boolean> {
  let again = false;
  for (const name of await readdir(bufPath(dir, Buffer.from('.')), { encoding: 'buffer' })) {
    const text = name.toString('utf8');
    const rel = prefix + text;
    // Only a name that round-trips as UTF-8 can be one of the lesson's own.
    const exact = Buffer.from(text).equals(name);
    let sub: FileHandle | null = null;
    try {
      sub = await open(bufPath(dir, name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    } catch (err) {
      if (code(err) !== 'ENOTDIR' && code(err) !== 'ELOOP' && code(err) !== 'ENOENT') throw err;
    }
    // A kept file's name: left for the caller to replace (a symlink or FIFO there too); a directory there goes.
    if (!sub && exact && keep.has(rel)) continue;
    if (!sub) {
      await unlink(bufPath(dir, name)).catch((err) => {
        if (code(err) !== 'ENOENT') throw err;
      });
      continue;
    }
    try {
      if (depth >= MAX_EMPTY_DEPTH) {
        // Too deep for this pass: up to the folder, under a fresh name, for the next one.
        await rename(bufPath(dir, name), viaFd(top, `${SAVE_TEMP_PREFIX}deep-${randomBytes(8).toString('hex')}`));
        again = true;
        continue;
      }
      const keepInside = exact && keepDirs.has(rel);
      again = (await pruneDir(top, sub, `${rel}/`, keepInside ? keep : new Set(), keepInside ? keepDirs : new Set(), depth + 1)) || again;
    } finally {
      await sub.close();
    }
    if (!(exact && keepDirs.has(rel))) {
      await rmdir(bufPath(dir, name)).catch((err) => {
        if (code(err) !== 'ENOENT' && code(err) !== 'ENOTEMPTY') throw err;
      });
    }
  }
  return again;
}
