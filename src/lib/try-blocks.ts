/**
 * The syntax of a lesson's runnable blocks, in one home: a fenced block whose
 * info string is `sh try key=value key="quoted value" ...`. The site build
 * (astro.config.mjs) marks them for the "Try it" button and gives `id=NAME`
 * its anchor; the content tests (tests/content/blocks.ts) run them.
 */

/** The meta string (what follows the language) of a runnable block starts with this word. */
export const TRY_META = /^try(\s|$)/;

/** What a block id may look like (also the anchor's suffix: #try-<id>). */
export const BLOCK_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** One `key="value with spaces"` or `key=value` pair (backslash escapes inside quotes). */
const PAIR = /(\w+)=(?:"((?:[^"\\]|\\.)*)"|(\S+))/g;

/** The key=value pairs of a meta string, in order, and what is left that is not a pair. */
export function metaPairs(meta: string): { pairs: Array<[string, string]>; rest: string } {
  const pairs: Array<[string, string]> = [];
  let rest = meta;
  for (const m of meta.matchAll(PAIR)) {
    pairs.push([m[1], m[2] !== undefined ? m[2].replace(/\\(["\\])/g, '$1') : m[3]]);
    rest = rest.replace(m[0], '');
  }
  return { pairs, rest: rest.trim() };
}
