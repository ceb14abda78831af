/**
 * The workbench's three-way rule between the editor and the workspace
 * (src/client/file-sync.ts): who changed a file since both last agreed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changedSpan, decideFile, planSync } from '../../../src/client/file-sync.ts';

const BASE = 'module example.com/hello\n\ngo 1.26\n';
const TERMINAL = 'module example.com/renamed\n\ngo 1.26\n';
const EDITOR = 'module example.com/hello\n\ngo 1.26\n\nrequire golab.example/greet v1.1.0\n';

test('a file nobody changed is kept', () => {
  assert.deepEqual(decideFile(BASE, BASE, BASE), { action: 'keep' });
});

test('a file only the editor changed is kept (its autosave writes it)', () => {
  assert.deepEqual(decideFile(BASE, EDITOR, BASE), { action: 'keep' });
});

test('a file only the terminal changed is loaded into the editor', () => {
  assert.deepEqual(decideFile(BASE, BASE, TERMINAL), { action: 'load', content: TERMINAL });
});

test('a file both changed to the same text needs no note, only a new base', () => {
  assert.deepEqual(decideFile(BASE, TERMINAL, TERMINAL), { action: 'agree', content: TERMINAL });
});

test('a file both changed differently is a conflict', () => {
  assert.deepEqual(decideFile(BASE, EDITOR, TERMINAL), { action: 'conflict' });
});

test('the terminal emptying a file is a change like any other', () => {
  assert.deepEqual(decideFile(BASE, BASE, ''), { action: 'load', content: '' });
  assert.deepEqual(decideFile('', '', BASE), { action: 'load', content: BASE });
});

test('planSync sorts every file and skips those without a base or an editor copy', () => {
  const base = new Map([
    ['main.go', 'package main\n'],
    ['go.mod', BASE],
    ['util.go', 'package main // util\n'],
    ['same.go', 'package main // same\n'],
  ]);
  const editor = {
    'main.go': 'package main\n', // untouched in the editor
    'go.mod': EDITOR, // edited in the editor
    'util.go': 'package main // util, edited\n',
    'same.go': 'package main // same, fixed\n',
    'nobase.go': 'y',
  };
  const workspace = [
    { name: 'main.go', content: 'package main\n\n// gofmt\n' }, // terminal changed it
    { name: 'go.mod', content: TERMINAL }, // and this too: conflict with the editor
    { name: 'util.go', content: 'package main // util\n' }, // terminal left it
    { name: 'same.go', content: 'package main // same, fixed\n' }, // both made the same fix
    { name: 'nobase.go', content: 'z' }, // no base: left alone
    { name: 'extra.go', content: 'package main\n' }, // not in the editor: left alone
  ];
  assert.deepEqual(planSync(base, editor, workspace), {
    load: { 'main.go': 'package main\n\n// gofmt\n' },
    agree: { 'same.go': 'package main // same, fixed\n' },
    conflicts: ['go.mod'],
  });
});

test('planSync of an unchanged workspace does nothing', () => {
  const files = { 'main.go': 'package main\n', 'go.mod': BASE };
  const plan = planSync(
    new Map(Object.entries(files)),
    files,
    Object.entries(files).map(([name, content]) => ({ name, content })),
  );
  assert.deepEqual(plan, { load: {}, agree: {}, conflicts: [] });
});

/** Applies a span to `from` (what the editor does with it). */
const apply = (from: string, s: { start: number; end: number; text: string }) => from.slice(0, s.start) + s.text + from.slice(s.end);

test('changedSpan replaces only the changed middle', () => {
  const span = changedSpan(BASE, TERMINAL);
  assert.equal(apply(BASE, span), TERMINAL);
  assert.equal(span.start, 'module example.com/'.length);
  assert.equal(span.text, 'renamed');
  assert.equal(BASE.slice(span.start, span.end), 'hello');
});

test('changedSpan handles appends, deletions, identical and empty texts', () => {
  const cases: Array<[string, string]> = [
    [BASE, EDITOR],
    [EDITOR, BASE],
    [BASE, BASE],
    ['', BASE],
    [BASE, ''],
    ['aaa', 'aaaa'], // repeated characters: prefix and suffix must not overlap
    ['aaaa', 'aa'],
  ];
  for (const [from, to] of cases) {
    const span = changedSpan(from, to);
    assert.equal(apply(from, span), to, `${JSON.stringify(from)} -> ${JSON.stringify(to)}`);
    assert.ok(span.start <= span.end, 'start before end');
  }
  assert.deepEqual(changedSpan(BASE, BASE), { start: BASE.length, end: BASE.length, text: '' });
});

test('changedSpan never splits a surrogate pair', () => {
  // U+1F600 and U+1F601 share their high surrogate; only the low one differs.
  const from = 'say 😀!';
  const to = 'say 😁!';
  const span = changedSpan(from, to);
  assert.equal(apply(from, span), to);
  assert.equal(from.slice(span.start, span.end), '😀');
  assert.equal(span.text, '😁');
});
