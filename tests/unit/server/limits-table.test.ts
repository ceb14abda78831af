/**
 * docs/security.md and server/config.ts say the same limits: the generated
 * "Every limit" table is exactly what LIMIT_GROUPS makes of it, and every
 * limit the hand-written "Limits" table names shows the code's default in
 * its row. Changing a default (or a doc) without the other fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { LIMIT_GROUPS, limitsTable, loadConfig } from '../../../server/config.ts';
import { SECURITY_DOC, TABLE_END, TABLE_START, withTable } from '../../../scripts/limits-table.ts';

const doc = readFileSync(SECURITY_DOC, 'utf8');
const limits = new Map(LIMIT_GROUPS.flatMap((g) => Object.entries(g.limits)));

/** The default as the docs write it, from the generated table's own rendering. */
function shown(name: string): string {
  const m = limitsTable().match(new RegExp(`\`${name}\` = ([^|<]+?)(?:<br>| \\|)`));
  assert.ok(m, `${name} is in the generated table`);
  return m[1];
}

test('the generated "Every limit" table is up to date (node scripts/limits-table.ts rewrites it)', () => {
  assert.ok(doc.includes(TABLE_START) && doc.includes(TABLE_END), 'the markers are in docs/security.md');
  assert.equal(doc, withTable(doc, limitsTable()));
});

test('every limit the "Limits" table names shows the code\'s default in its row', () => {
  const section = doc.slice(doc.indexOf('## Limits'), doc.indexOf('### Every limit'));
  const rows = section.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| limit |'));
  let checked = 0;
  for (const row of rows) {
    const defaults = row.split(' | ')[1] ?? '';
    for (const [, pattern] of defaults.matchAll(/`([A-Z_]+\*?)`/g)) {
      const names = pattern.endsWith('*') ? [...limits.keys()].filter((n) => n.startsWith(pattern.slice(0, -1))) : [pattern];
      assert.ok(names.length > 0 && names.every((n) => limits.has(n)), `${pattern} in docs/security.md is a limit of server/config.ts`);
      for (const name of names) {
        const value = shown(name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        assert.match(defaults, new RegExp(`(^|[^\\d.])${value}($|[^\\d])`), `docs/security.md says ${name} is not ${shown(name)}: ${defaults}`);
        checked++;
      }
    }
  }
  assert.ok(checked >= 15, `the Limits table names the limits (${checked} checked)`);
});

test('each limit is read from the environment variable of its name', () => {
  const saved = { ...process.env };
  try {
    for (const name of limits.keys()) process.env[name] = '7';
    const config = loadConfig() as unknown as Record<string, number>;
    for (const name of limits.keys()) assert.equal(config[name], 7, name);
    process.env.RUN_TIMEOUT_MS = 'soon';
    assert.throws(() => loadConfig(), /RUN_TIMEOUT_MS must be a non-negative integer/);
  } finally {
    for (const name of limits.keys()) delete process.env[name];
    Object.assign(process.env, saved);
  }
});
