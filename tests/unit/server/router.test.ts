/** The parameterised router of server/http/router.ts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Router } from '../../../server/http/router.ts';

test('router: literal and :param segments, 405 information, no partial matches', () => {
  const r = new Router<string>()
    .add('GET', '/api/classes', 'list')
    .add('POST', '/api/classes', 'create')
    .add('GET', '/api/classes/:id', 'one')
    .add('GET', '/api/classes/:id/results.csv', 'csv')
    .add('POST', '/api/classes/:id/learners/:learnerId/recovery-code', 'reset');
  assert.deepEqual(r.match('GET', '/api/classes'), { handler: 'list', params: {} });
  assert.deepEqual(r.match('GET', '/api/classes/a%20b'), { handler: 'one', params: { id: 'a b' } });
  assert.deepEqual(r.match('GET', '/api/classes/x/results.csv'), { handler: 'csv', params: { id: 'x' } });
  assert.deepEqual(r.match('POST', '/api/classes/x/learners/y/recovery-code'), { handler: 'reset', params: { id: 'x', learnerId: 'y' } });
  assert.deepEqual(r.match('DELETE', '/api/classes'), { allowed: ['GET', 'POST'] });
  assert.equal(r.match('GET', '/api/classes/'), null, 'an empty segment is no id');
  assert.equal(r.match('GET', '/api/classes/x/results'), null);
  assert.equal(r.match('GET', '/api/classes/%E0%A4%A'), null, 'malformed escapes match nothing');
});
