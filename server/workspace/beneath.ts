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
import { constants } from 'node:fs';
import { open, mkdir, type FileHandle } from 'node:fs/promises';

const { O_RDONLY, O_WRONLY, O_CREAT, O_TRUNC, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK } = constants;

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
 * and create is false. Throws UnsafePathError on a symlink or non-directory.
 */
async function openDirBeneath(root: string, parts: string[], create: Owner | null | false): Promise<FileHandle | null> {
  let dir = await openRoot(root);
  try {
    for (const part of parts) {
      let next: FileHandle;
      try {
        next = await open(viaFd(dir, part), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      } catch (err) {
        if (code(err) === 'ENOENT' && create !== false) {
          try {
            await mkdir(viaFd(dir, part), 0o755);
          } catch (mkErr) {
            if (code(mkErr) !== 'EEXIST') throw mkErr;
          }
          next = await open(viaFd(dir, part), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
          if (create) await next.chown(create.uid, create.gid);
        } else if (code(err) === 'ENOENT') {
          await dir.close();
          return null;
        } else if (code(err) === 'ELOOP' || code(err) === 'ENOTDIR') {
          throw new UnsafePathError(parts.join('/'), `${part} is a symlink or not a directory`);
        } else {
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

function split(relPath: string): { dirs: string[]; name: string } {
  const parts = relPath.split('/');
  const name = parts.pop()!;
  return { dirs: parts, name };
}

/**
 * Writes `content` to `relPath` beneath root, creating parent directories.
 * The file is replaced in place (truncated), never followed if it is a symlink.
 * `owner` (or null to keep the server's uid) owns created files and directories.
 */
export async function writeFileBeneath(root: string, relPath: string, content: string | Uint8Array, owner: Owner | null): Promise<void> {
  const { dirs, name } = split(relPath);
  const dir = (await openDirBeneath(root, dirs, owner))!;
  try {
    let file: FileHandle;
    try {
      // O_NONBLOCK: a FIFO planted under this name must not hang the server.
      file = await open(viaFd(dir, name), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NONBLOCK, 0o644);
    } catch (err) {
      if (code(err) === 'ELOOP') throw new UnsafePathError(relPath, 'it is a symlink');
      if (code(err) === 'EISDIR') throw new UnsafePathError(relPath, 'it is a directory');
      if (code(err) === 'ENXIO') throw new UnsafePathError(relPath, 'it is not a regular file');
      throw err;
    }
    try {
      const stat = await file.stat();
      if (!stat.isFile()) throw new UnsafePathError(relPath, 'it is not a regular file');
      if (stat.nlink > 1) throw new UnsafePathError(relPath, 'it has other hard links');
      await file.writeFile(content);
      if (owner) await file.chown(owner.uid, owner.gid);
    } finally {
      await file.close();
    }
  } finally {
    await dir.close();
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

/** Makes sure directory `relPath` exists beneath root (no symlinks on the way). */
export async function ensureDirBeneath(root: string, relPath: string, owner: Owner | null): Promise<void> {
  const parts = relPath.split('/').filter(Boolean);
  const dir = await openDirBeneath(root, parts, owner);
  await dir?.close();
}
