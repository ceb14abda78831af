/** The grade cache: exact files only, clean verdicts only, bounded in age and size. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GRADE_CACHE_ENTRIES, GRADE_CACHE_TTL_MS, GradeCache, gradingKey } from '../../../server/grading/result-cache.ts';
import type { CheckResult } from '../../../src/lib/protocol.ts';

const pass: CheckResult = { status: 'pass', tests: [{ name: 'a', status: 'pass' }] };

test('the key is the lesson and every file exactly, in any order', () => {
  const k = gradingKey('l', { 'a.go': 'x', 'b.go': 'y' });
  assert.equal(gradingKey('l', { 'b.go': 'y', 'a.go': 'x' }), k);
  assert.notEqual(gradingKey('l', { 'a.go': 'x', 'b.go': 'y ' }), k, 'one byte more is another grading');
  assert.notEqual(gradingKey('m', { 'a.go': 'x', 'b.go': 'y' }), k);
  assert.notEqual(
    gradingKey('l', { 'a.go': 'x\0b.go', '': 'y' }),
    gradingKey('l', { 'a.go': 'x', 'b.go': 'y' }),
    'names and contents cannot be shifted into each other',
  );
});

test('clean verdicts are kept, errors are graded again, copies are handed out', () => {
  const c = new GradeCache();
  c.set('p', pass);
  const got = c.get('p')!;
  assert.deepEqual(got, pass);
  got.tests[0].status = 'fail';
  assert.equal(c.get('p')!.tests[0].status, 'pass', 'a caller changing its copy changes nothing');
  c.set('e', { status: 'error', message: 'busy', tests: [] });
  c.set('t', { status: 'fail', tests: [{ name: 'a', status: 'error', message: 'time limit' }] });
  assert.equal(c.get('e'), undefined);
  assert.equal(c.get('t'), undefined);
});

test('entries expire, and the oldest go first beyond the bound', () => {
  const c = new GradeCache();
  c.set('old', pass, 0);
  assert.equal(c.get('old', GRADE_CACHE_TTL_MS + 1), undefined);
  for (let i = 0; i <= GRADE_CACHE_ENTRIES; i++) c.set(`k${i}`, pass, 1000);
  assert.equal(c.get('k0', 1000), undefined, 'the least recently used went');
  assert.ok(c.get(`k${GRADE_CACHE_ENTRIES}`, 1000));
});
