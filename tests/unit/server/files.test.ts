/** The file-name rule (src/lib/file-names.ts) and a request's files: shape, count and sizes (server/workspace/files.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateFiles } from '../../../server/workspace/files.ts';
import { fileNameProblem, MAX_FILE_DEPTH } from '../../../src/lib/file-names.ts';
import { HttpError } from '../../../server/http/errors.ts';
import { MAX_FILES } from '../../../src/lib/protocol.ts';

test('fileNameProblem accepts ordinary relative names', () => {
  for (const name of ['main.go', 'go.mod', 'internal/greet/greet.go', '.gitignore', 'a-b_c.1.txt', 'héllo.go']) {
    assert.equal(fileNameProblem(name), null, name);
  }
});

test('fileNameProblem names what is wrong with each bad name', () => {
  const cases: Array<[string, RegExp]> = [
    ['', /empty/],
    ['/etc/passwd', /absolute/],
    ['..', /"\.\."/],
    ['a/../../b', /"\.\."/],
    ['a\\b', /backslash/],
    ['a\0b', /NUL/],
    ['a//b', /empty or "\."/],
    ['./a', /empty or "\."/],
    ['a/', /empty or "\."/],
    ['x\ny.go', /control character/],
    ['x'.repeat(256), /longer than 255/],
    [
      Array(MAX_FILE_DEPTH + 1)
        .fill('d')
        .join('/'),
      /nested deeper/,
    ],
  ];
  for (const [name, problem] of cases) assert.match(fileNameProblem(name) ?? 'accepted', problem, JSON.stringify(name));
});

test('validateFiles checks the shape, count and sizes', () => {
  assert.deepEqual(validateFiles({ 'main.go': 'package main' }, 100), { 'main.go': 'package main' });
  assert.throws(() => validateFiles(undefined, 100), /missing field "files"/);
  assert.throws(() => validateFiles(null, 100), /must be an object/);
  assert.throws(() => validateFiles(['a'], 100), /must be an object/);
  assert.throws(() => validateFiles({ a: 1 }, 100), /must be a string/);
  assert.throws(() => validateFiles(Object.fromEntries(Array.from({ length: MAX_FILES + 1 }, (_, i) => [`f${i}`, ''])), 100), /too many files/);
  const tooBig = (() => {
    try {
      validateFiles({ a: 'x'.repeat(101) }, 100);
    } catch (e) {
      return e;
    }
  })();
  assert.ok(tooBig instanceof HttpError);
  assert.equal(tooBig.status, 413);
});
