/**
 * Lessons are short pages of one idea each: no page over
 * MAX_PROSE_WORDS words of prose (code blocks, frontmatter, imports and
 * component tags left out), and the course has at least MIN_PAGES pages.
 * A lesson not yet split is named in NOT_YET_SPLIT, with its owner's reason,
 * so the list can only shrink: a listed lesson that fits fails the test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const CONTENT = join(import.meta.dirname, '..', '..', 'content');
/** The longest page, in prose words. */
const MAX_PROSE_WORDS = 1000;
/** The fewest pages the course may have. */
const MIN_PAGES = 30;
/** Lessons over the limit for now, and why. */
const NOT_YET_SPLIT: Record<string, string> = {};

const lessonIds = readdirSync(CONTENT, { withFileTypes: true })
  .filter((c) => c.isDirectory())
  .flatMap((c) =>
    readdirSync(join(CONTENT, c.name), { withFileTypes: true })
      .filter((l) => l.isDirectory() && existsSync(join(CONTENT, c.name, l.name, 'index.mdx')))
      .map((l) => `${c.name}/${l.name}`),
  );

/** Words of prose in a lesson's MDX: without frontmatter, fenced blocks, imports and tags. */
export function proseWords(mdx: string): number {
  const text = mdx
    .replace(/^---\n[\s\S]*?\n---\n/, '')
    .replace(/^(`{3,})[^\n]*\n[\s\S]*?^\1\s*$/gm, '')
    .replace(/^import .*$/gm, '')
    .replace(/<[^>]+>/g, ' ');
  return text.split(/\s+/).filter(Boolean).length;
}

test('proseWords counts prose only', () => {
  assert.equal(proseWords('---\ntitle: "a b c"\n---\n\nOne two.\n\n```sh try\nnot counted here\n```\n\n<MythCheck claim="x y">\n\nthree\n'), 3);
});

test(`the course has at least ${MIN_PAGES} pages`, () => {
  assert.ok(lessonIds.length >= MIN_PAGES, `${lessonIds.length} pages`);
});

test(`no page has more than ${MAX_PROSE_WORDS} words of prose`, () => {
  for (const id of lessonIds) {
    const words = proseWords(readFileSync(join(CONTENT, id, 'index.mdx'), 'utf8'));
    if (id in NOT_YET_SPLIT) {
      assert.ok(words > MAX_PROSE_WORDS, `${id} fits now (${words} words): take it off NOT_YET_SPLIT`);
      continue;
    }
    assert.ok(words <= MAX_PROSE_WORDS, `content/${id}/index.mdx has ${words} words of prose (limit ${MAX_PROSE_WORDS}): split it into pages`);
  }
});
