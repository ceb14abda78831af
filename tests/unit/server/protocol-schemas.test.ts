/**
 * The wire schemas of src/lib/protocol.ts against inputs an attacker varies:
 * terminal messages (the socket has no 400, a bad frame is dropped with an
 * error message), and the files object every body shares. Accepted values
 * come back with nothing but the schema's fields.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseClientMessage } from '../../../server/api/terminal-shell.ts';
import { FilesSchema, MAX_FILES, MAX_TERMINAL_COLS, MAX_TERMINAL_ROWS, RunEventSchema } from '../../../src/lib/protocol.ts';

test('terminal messages: wrong types, out-of-range sizes and prototype keys are refused', () => {
  const bad = [
    '{"type":"input","data":["ls"]}',
    '{"type":"input","data":null}',
    '{"type":"input"}',
    '{"data":"ls\\n"}',
    '{"type":"INPUT","data":"ls"}',
    '{"type":["input"],"data":"ls"}',
    '{"__proto__":{"type":"input"},"data":"ls"}',
    '{"type":"resize","cols":"80","rows":24}',
    '{"type":"resize","cols":80}',
    '{"type":"resize","cols":0,"rows":24}',
    `{"type":"resize","cols":80,"rows":${MAX_TERMINAL_ROWS + 1}}`,
    `{"type":"resize","cols":${MAX_TERMINAL_COLS},"rows":1e400}`,
    '{"type":"resize","cols":-0.5,"rows":24}',
    '[{"type":"input","data":"ls"}]',
    '"input"',
    'null',
    '{"type":"input","data":"x"',
  ];
  for (const text of bad) assert.equal(parseClientMessage(text), null, text);
});

test('terminal messages: extra fields are dropped, not passed on', () => {
  assert.deepEqual(parseClientMessage('{"type":"input","data":"ls\\n","cols":5,"__proto__":{"x":1}}'), { type: 'input', data: 'ls\n' });
  assert.deepEqual(parseClientMessage(`{"type":"resize","cols":${MAX_TERMINAL_COLS},"rows":${MAX_TERMINAL_ROWS},"data":"rm -rf ~"}`), {
    type: 'resize',
    cols: MAX_TERMINAL_COLS,
    rows: MAX_TERMINAL_ROWS,
  });
});

test('files: names are checked as keys, contents as strings, at most MAX_FILES', () => {
  const problem = (value: unknown) => FilesSchema.safeParse(value).error?.issues[0]?.message;
  assert.equal(problem({ 'main.go': 'package main\n', 'a/b.go': '' }), undefined);
  assert.match(problem({ '../../etc/passwd': 'x' }) ?? '', /contains "\.\."/);
  assert.match(problem({ 'main.go': 7 }) ?? '', /contents of "main\.go" must be a string/);
  // A "__proto__" key (JSON.parse makes it an own key) neither becomes a file nor reaches a prototype.
  const parsed = FilesSchema.parse(JSON.parse('{"__proto__": {"polluted": "yes"}, "a.go": "y"}'));
  assert.deepEqual(Object.keys(parsed), ['a.go']);
  assert.equal(Object.getPrototypeOf(parsed), Object.prototype);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.match(problem(Object.fromEntries(Array.from({ length: MAX_FILES + 1 }, (_, i) => [`f${i}.go`, '']))) ?? '', /too many files/);
  const huge = problem({ ['x'.repeat(100_000)]: 1 }) ?? '';
  assert.ok(huge.length < 300, `a huge name is not echoed back (${huge.length} characters)`);
});

test('run events: what the server sends parses; a forged event type does not', () => {
  for (const e of [
    { type: 'stdout', data: 'hi\n' },
    { type: 'queued', position: 1 },
    { type: 'exit', code: 0, reason: 'exited', durationMs: 12 },
    { type: 'phase', cmd: 1, phase: 'compile', state: 'start', package: 'example.com/m', t: 1.5 },
    { type: 'graph', cmd: 1, final: true, actions: [{ id: 0, mode: 'build', package: 'm', deps: [], cached: null, ms: null }] },
  ])
    assert.ok(RunEventSchema.safeParse(e).success, JSON.stringify(e));
  assert.equal(RunEventSchema.safeParse({ type: 'exit', code: 0, reason: 'exited' }).success, false, 'durationMs is required');
  assert.equal(RunEventSchema.safeParse({ type: 'phase', phase: 'deploy', state: 'start', t: 0 }).success, false);
});
