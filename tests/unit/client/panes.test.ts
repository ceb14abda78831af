/** The workbench panes' sizes (src/client/panes.ts): stored state read defensively, splitter moves within limits. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PANES, moveBoundary, parsePaneState } from '../../../src/client/panes.ts';

test('a stored layout is read back; anything missing or malformed is the default', () => {
  const stored = { sizes: { editor: 400, output: 100, terminal: 200 }, hidden: { editor: false, output: true, terminal: false } };
  assert.deepEqual(parsePaneState(JSON.stringify(stored)), stored);
  assert.deepEqual(parsePaneState(null), DEFAULT_PANES);
  assert.deepEqual(parsePaneState('{not json'), DEFAULT_PANES);
  const odd = parsePaneState(JSON.stringify({ sizes: { editor: -1, output: 'x', terminal: 1e9 }, hidden: { output: 'yes' } }));
  assert.deepEqual(odd, DEFAULT_PANES);
});

test('moving a splitter trades px between its two panes, each kept above its minimum', () => {
  const h = { editor: 400, output: 150, terminal: 200 };
  const min = { editor: 120, output: 64, terminal: 96 };
  assert.deepEqual(moveBoundary(h, 'editor', 'output', 50, min), { editor: 450, output: 100, terminal: 200 });
  assert.deepEqual(moveBoundary(h, 'editor', 'output', 1e6, min), { editor: 486, output: 64, terminal: 200 });
  assert.deepEqual(moveBoundary(h, 'output', 'terminal', -1e6, min), { editor: 400, output: 64, terminal: 286 });
  // Too little room for both minimums: the boundary stays in the middle range, never negative.
  const tight = moveBoundary({ editor: 100, output: 50, terminal: 100 }, 'editor', 'output', -500, min);
  assert.ok(tight.editor >= 0 && tight.output >= 0 && tight.editor + tight.output === 150);
});
