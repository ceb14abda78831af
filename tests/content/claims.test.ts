/**
 * The claims ledger (content/claims.json) stays answered: every claim names an
 * article of the ledger, a lesson that exists, a section heading of that
 * lesson, and runnable blocks of that lesson (```sh try id="..."), which
 * tests/content/lesson-blocks.test.ts runs. A lesson that answers claims links
 * to them (<ClaimLinks />). Block ids are unique across the site, so a ledger
 * entry always means one block.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import GithubSlugger from 'github-slugger';
import { extractTryBlocks } from './blocks.ts';

const CONTENT = join(import.meta.dirname, '..', '..', 'content');
const SEEDS = join(import.meta.dirname, '..', '..', '..', 'shared', 'seeds');

interface Article {
  id: string;
  file: string;
}
interface Claim {
  id: string;
  article: string;
  lesson: string;
  anchor: string;
  blocks: string[];
  answer: string;
  verdict: string;
}
const ledger = JSON.parse(readFileSync(join(CONTENT, 'claims.json'), 'utf8')) as { articles: Article[]; claims: Claim[] };

const lessonIds = readdirSync(CONTENT, { withFileTypes: true })
  .filter((c) => c.isDirectory())
  .flatMap((c) =>
    readdirSync(join(CONTENT, c.name), { withFileTypes: true })
      .filter((l) => l.isDirectory() && existsSync(join(CONTENT, c.name, l.name, 'index.mdx')))
      .map((l) => `${c.name}/${l.name}`),
  );
const mdx = (id: string) => readFileSync(join(CONTENT, id, 'index.mdx'), 'utf8');

/** The anchors Astro gives a lesson's headings (github-slugger over the text, without backticks). */
function headingAnchors(source: string): Set<string> {
  const slugger = new GithubSlugger();
  const anchors = new Set<string>();
  let fence = false;
  for (const line of source.split('\n')) {
    if (/^`{3,}/.test(line)) fence = !fence;
    const m = !fence && line.match(/^#{2,6} (.*)$/);
    if (m) anchors.add(slugger.slug(m[1].replaceAll('`', '')));
  }
  return anchors;
}

test('claim and article ids are unique, and every claim names an article of the ledger', () => {
  const dupes = (ids: string[]) => ids.filter((id, i) => ids.indexOf(id) !== i);
  assert.deepEqual(dupes(ledger.articles.map((a) => a.id)), [], 'article ids used twice');
  assert.deepEqual(dupes(ledger.claims.map((c) => c.id)), [], 'claim ids used twice');
  const articles = new Set(ledger.articles.map((a) => a.id));
  for (const c of ledger.claims) assert.ok(articles.has(c.article), `claim "${c.id}" names the article "${c.article}", which is not in the ledger`);
});

test('every article of the ledger is a source article', { skip: !existsSync(SEEDS) && 'shared/seeds is not here' }, () => {
  for (const a of ledger.articles) assert.ok(existsSync(join(SEEDS, a.file)), `article "${a.id}": ${a.file} is not in shared/seeds`);
});

test("block ids are unique across the site, and their anchors are not a heading's", () => {
  const seen = new Map<string, string>();
  for (const id of lessonIds) {
    for (const b of extractTryBlocks(mdx(id))) {
      if (!b.id) continue;
      assert.ok(!seen.has(b.id), `block id "${b.id}" is used in ${seen.get(b.id)} and in content/${id}/index.mdx:${b.line}`);
      seen.set(b.id, `content/${id}/index.mdx:${b.line}`);
      assert.ok(!headingAnchors(mdx(id)).has(`try-${b.id}`), `content/${id}/index.mdx:${b.line}: the anchor #try-${b.id} is a heading's anchor already`);
    }
  }
});

test('every claim has an answer: a lesson section and blocks that exist', () => {
  for (const c of ledger.claims) {
    const where = `claim "${c.id}" (content/claims.json)`;
    assert.ok(c.answer?.trim(), `${where} has no answer`);
    assert.ok(c.blocks?.length > 0, `${where} names no block`);
    assert.ok(lessonIds.includes(c.lesson), `${where}: the lesson "${c.lesson}" does not exist`);
    const source = mdx(c.lesson);
    assert.ok(headingAnchors(source).has(c.anchor), `${where}: content/${c.lesson}/index.mdx has no heading with the anchor #${c.anchor}`);
    const ids = new Set(
      extractTryBlocks(source)
        .map((b) => b.id)
        .filter(Boolean),
    );
    for (const block of c.blocks) assert.ok(ids.has(block), `${where}: content/${c.lesson}/index.mdx has no block with id="${block}"`);
  }
});

test('a lesson that answers claims links to them', () => {
  for (const lesson of new Set(ledger.claims.map((c) => c.lesson))) {
    assert.match(
      mdx(lesson),
      /^<ClaimLinks lesson="[^"]+" \/>$/m,
      `content/${lesson}/index.mdx answers claims of the ledger but has no <ClaimLinks lesson="${lesson}" />`,
    );
    assert.ok(mdx(lesson).includes(`<ClaimLinks lesson="${lesson}" />`), `content/${lesson}/index.mdx: <ClaimLinks> must name this lesson, "${lesson}"`);
  }
});
