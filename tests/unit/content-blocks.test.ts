/** The Try it block syntax of the lessons (tests/content/blocks.ts): blocks and their meta are found, mistakes are errors with a line, every lesson parses. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractTryBlocks, parseMeta } from '../content/blocks.ts';

test('try blocks are found with their meta; other fences are ignored', () => {
  const mdx = [
    '# Title',
    '```go',
    'package main',
    '```',
    '```sh try expect="^ok \\"quoted\\"$" exit=3',
    'echo ok',
    'exit 3',
    '```',
    '```sh',
    'not a try block',
    '```',
    '````sh try',
    '```',
    'nested fence',
    '````',
  ].join('\n');
  const blocks = extractTryBlocks(mdx);
  assert.equal(blocks.length, 2);
  assert.deepEqual({ ...blocks[0], expect: blocks[0].expect?.source }, { line: 5, command: 'echo ok\nexit 3', expect: '^ok "quoted"$', exit: 3 });
  assert.equal(blocks[0].expect?.flags, 'm');
  assert.deepEqual({ ...blocks[1] }, { line: 12, command: '```\nnested fence', expect: undefined, exit: 0 });
});

test('mistakes in blocks are errors with a line number', () => {
  assert.throws(() => extractTryBlocks('```sh try expect="("\nx\n```'), /line 1: bad expect regex/);
  assert.throws(() => extractTryBlocks('\n```sh try expct="x"\nx\n```'), /line 2: unknown key "expct"/);
  assert.throws(() => extractTryBlocks('```sh try exit=x\nx\n```'), /exit must be an integer/);
  assert.throws(() => extractTryBlocks('```sh try\n\n```'), /empty try block/);
  assert.throws(() => extractTryBlocks('```sh try\nx'), /never closed/);
  assert.throws(() => parseMeta('expect="x" junk'), /unreadable block meta/);
});

test('every lesson in content/ parses, with at least one try block', async () => {
  const { readdirSync, readFileSync, existsSync } = await import('node:fs');
  const { join } = await import('node:path');
  const content = join(import.meta.dirname, '..', '..', 'content');
  let lessons = 0;
  for (const chapter of readdirSync(content, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const lesson of readdirSync(join(content, chapter.name), { withFileTypes: true }).filter((d) => d.isDirectory())) {
      const mdx = join(content, chapter.name, lesson.name, 'index.mdx');
      if (!existsSync(mdx)) continue;
      lessons++;
      assert.ok(extractTryBlocks(readFileSync(mdx, 'utf8')).length > 0, `${chapter.name}/${lesson.name} has no try blocks`);
    }
  }
  assert.ok(lessons > 0);
});
