/** Symlink-proof workspace file access, on a real temporary directory. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, linkSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDirBeneath, readFileBeneath, writeFileBeneath, UnsafePathError } from '../../../server/workspace/beneath.ts';

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
