/** Input read off the wire by hand-written parsers: terminal client messages, session cookies, NDJSON event lines. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseClientMessage } from '../../../server/api/terminal-shell.ts';
import { SessionStore } from '../../../server/sessions.ts';
import { MAX_TERMINAL_COLS, parseEventLine } from '../../../src/lib/protocol.ts';

test('terminal client messages are validated', () => {
  assert.deepEqual(parseClientMessage('{"type":"input","data":"ls\\n"}'), { type: 'input', data: 'ls\n' });
  assert.deepEqual(parseClientMessage('{"type":"resize","cols":80,"rows":24}'), { type: 'resize', cols: 80, rows: 24 });
  for (const bad of [
    null,
    'x',
    '1',
    'null',
    '{"type":"input","data":1}',
    '{"type":"resize","cols":0,"rows":24}',
    `{"type":"resize","cols":${MAX_TERMINAL_COLS + 1},"rows":24}`,
    '{"type":"resize","cols":1.5,"rows":2}',
    '{"type":"exec","cmd":"rm"}',
  ]) {
    assert.equal(parseClientMessage(bad), null, String(bad));
  }
});

test('session ids are read only from a well-formed cookie', () => {
  const id = 'a'.repeat(43);
  assert.equal(SessionStore.idFromCookie(`other=1; lab_session=${id}; x=y`), id);
  assert.equal(SessionStore.idFromCookie(`lab_session=${id}x`), null);
  assert.equal(SessionStore.idFromCookie('lab_session=../../etc'), null);
  assert.equal(SessionStore.idFromCookie(undefined), null);
  assert.match(SessionStore.cookieFor(id, true), /HttpOnly; SameSite=Lax; .*Secure$/);
});

test('parseEventLine keeps typed objects and drops the rest', () => {
  assert.deepEqual(parseEventLine('{"type":"stdout","data":"x"}'), { type: 'stdout', data: 'x' });
  assert.deepEqual(parseEventLine('{"type":"future-kind","x":1}'), { type: 'future-kind', x: 1 });
  for (const bad of ['', '  ', '{', '[]', '{"data":1}', '"stdout"']) assert.equal(parseEventLine(bad), null, bad);
});
