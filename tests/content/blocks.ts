/**
 * Runnable blocks in lesson MDX: fenced code whose info string starts with
 * `sh try`. Meta keys:
 *   expect="REGEX"   the combined stdout+stderr must match (JavaScript, flag m)
 *   exit=N           the expected exit status (default 0)
 *   id=NAME          a name for the block (lowercase letters, digits, '-'),
 *                    unique across the site: the claims ledger
 *                    (content/claims.yaml) cites it, and the page gives the
 *                    block the anchor #try-NAME (astro.config.mjs)
 * Each block runs with `bash -c` in the lesson's folder of a session, with the
 * lesson's starting files, in the lab's sandbox (tests/content/lesson-blocks.test.ts).
 */
import { BLOCK_ID, metaPairs, TRY_META } from '../../src/lib/try-blocks.ts';

export interface TryBlock {
  /** 1-based line of the opening fence. */
  line: number;
  command: string;
  expect?: RegExp;
  exit: number;
  /** The block's `id`, when it has one. */
  id?: string;
}

const KNOWN_KEYS = new Set(['expect', 'exit', 'id']);

/** Parses `key="value with spaces"` and `key=value` pairs (src/lib/try-blocks.ts); anything else is an error. */
export function parseMeta(meta: string): Record<string, string> {
  const { pairs, rest } = metaPairs(meta);
  if (rest) throw new Error(`unreadable block meta: ${JSON.stringify(rest)}`);
  return Object.fromEntries(pairs);
}

export function extractTryBlocks(mdx: string): TryBlock[] {
  const lines = mdx.split('\n');
  const blocks: TryBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = lines[i].match(/^(`{3,})(.*)$/);
    if (!open) continue;
    const fence = open[1];
    const end = lines.findIndex((l, j) => j > i && l.startsWith(fence) && l.trim() === fence);
    if (end < 0) throw new Error(`line ${i + 1}: code fence is never closed`);
    const info = open[2].trim();
    const afterLang = info.replace(/^sh\s+/, '');
    if (afterLang !== info && TRY_META.test(afterLang)) {
      const meta = parseMeta(afterLang.replace(TRY_META, ' '));
      for (const key of Object.keys(meta)) {
        if (!KNOWN_KEYS.has(key)) throw new Error(`line ${i + 1}: unknown key "${key}" in a try block (known: ${[...KNOWN_KEYS].join(', ')})`);
      }
      let expect: RegExp | undefined;
      if (meta.expect !== undefined) {
        try {
          expect = new RegExp(meta.expect, 'm');
        } catch (err) {
          throw new Error(`line ${i + 1}: bad expect regex: ${(err as Error).message}`);
        }
      }
      const exit = meta.exit === undefined ? 0 : Number(meta.exit);
      if (!Number.isInteger(exit)) throw new Error(`line ${i + 1}: exit must be an integer, got ${meta.exit}`);
      const command = lines.slice(i + 1, end).join('\n');
      if (!command.trim()) throw new Error(`line ${i + 1}: empty try block`);
      if (meta.id !== undefined && !BLOCK_ID.test(meta.id))
        throw new Error(`line ${i + 1}: block id "${meta.id}" must be lowercase letters, digits and single dashes`);
      if (meta.id !== undefined && blocks.some((b) => b.id === meta.id)) throw new Error(`line ${i + 1}: block id "${meta.id}" is used twice in this file`);
      blocks.push({ line: i + 1, command, expect, exit, ...(meta.id !== undefined ? { id: meta.id } : {}) });
    }
    i = end;
  }
  return blocks;
}
