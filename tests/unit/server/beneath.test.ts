/** Symlink-proof workspace file access, on a real temporary directory. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, linkSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ensureDirBeneath,
  FileTooLargeError,
  readBytesBeneath,
  readFileBeneath,
  writeFileBeneath,
  UnsafePathError,
} from '../../../server/workspace/beneath.ts';

const base = mkdtempSync(join(tmpdir(), 'beneath-'));
const root = join(base, 'home');
const outside = join(base, 'outside');
mkdirSync(root);
mkdirSync(outside);
writeFileSync(join(outside, 'secret.txt'), 'secret\n');
after(() => rmSync(base, { recursive: true, force: true }));

test('writes and reads files, creating parent directories', async () => {
  await writeFileBeneath(root, 'a/b/c.txt', 'hello', null);
  assert.equal(readFileSync(join(root, 'a/b/c.txt'), 'utf8'), 'hello');
  assert.equal(await readFileBeneath(root, 'a/b/c.txt', 100), 'hello');
  assert.equal(await readFileBeneath(root, 'a/b/missing.txt', 100), null);
  assert.equal(await readFileBeneath(root, 'no/such/dir.txt', 100), null);
});

test('a symlinked file is neither written nor read through', async () => {
  symlinkSync(join(outside, 'secret.txt'), join(root, 'link.txt'));
  await assert.rejects(writeFileBeneath(root, 'link.txt', 'pwned', null), UnsafePathError);
  await assert.rejects(readFileBeneath(root, 'link.txt', 100), UnsafePathError);
  assert.equal(readFileSync(join(outside, 'secret.txt'), 'utf8'), 'secret\n');
});

test('a symlinked directory anywhere on the path is refused', async () => {
  mkdirSync(join(root, 'real'));
  symlinkSync(outside, join(root, 'real', 'dir'));
  await assert.rejects(writeFileBeneath(root, 'real/dir/new.txt', 'pwned', null), /symlink or not a directory/);
  await assert.rejects(readFileBeneath(root, 'real/dir/secret.txt', 100), /symlink or not a directory/);
  await assert.rejects(ensureDirBeneath(root, 'real/dir/deeper', null), UnsafePathError);
  assert.equal(existsSync(join(outside, 'new.txt')), false);
  assert.equal(existsSync(join(outside, 'deeper')), false);
});

test('hard links, FIFOs, directories and oversized files are refused', async () => {
  writeFileSync(join(root, 'orig.txt'), 'x');
  linkSync(join(root, 'orig.txt'), join(root, 'hard.txt'));
  await assert.rejects(writeFileBeneath(root, 'hard.txt', 'y', null), /other hard links/);
  execFileSync('mkfifo', [join(root, 'fifo')]);
  await assert.rejects(readFileBeneath(root, 'fifo', 100), /not a regular file/);
  await assert.rejects(writeFileBeneath(root, 'fifo', 'y', null), /not a regular file/);
  mkdirSync(join(root, 'adir'));
  await assert.rejects(writeFileBeneath(root, 'adir', 'y', null), /directory/);
  writeFileSync(join(root, 'big.txt'), 'x'.repeat(101));
  await assert.rejects(readFileBeneath(root, 'big.txt', 100), /larger than 100 bytes/);
});

test('bytes: exactly the limit is read, one more is FileTooLargeError; singleLink refuses hard links', async () => {
  mkdirSync(join(root, 'art'));
  const bytes = Buffer.from([0, 1, 2, 255, 0x3c]);
  writeFileSync(join(root, 'art', 'five.bin'), bytes);
  assert.deepEqual(await readBytesBeneath(root, 'art/five.bin', 5), bytes);
  await assert.rejects(readBytesBeneath(root, 'art/five.bin', 4), FileTooLargeError);
  assert.equal(await readBytesBeneath(root, 'art/none.bin', 5), null);
  writeFileSync(join(root, 'art', 'empty.bin'), '');
  assert.deepEqual(await readBytesBeneath(root, 'art/empty.bin', 5), Buffer.alloc(0));
  linkSync(join(root, 'art', 'five.bin'), join(root, 'art', 'linked.bin'));
  assert.deepEqual(await readBytesBeneath(root, 'art/linked.bin', 5), bytes, 'allowed unless asked');
  await assert.rejects(readBytesBeneath(root, 'art/linked.bin', 5, true), /other hard links/);
  symlinkSync(join(outside, 'secret.txt'), join(root, 'art', 'sym.bin'));
  await assert.rejects(readBytesBeneath(root, 'art/sym.bin', 100), UnsafePathError);
  // Text reads keep answering an oversized file with UnsafePathError (the workspace API's 409).
  await assert.rejects(readFileBeneath(root, 'art/five.bin', 4), UnsafePathError);
});
