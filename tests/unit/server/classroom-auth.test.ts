/** The classroom's credentials: scrypt hashes with their parameters, tokens, cookies and codes (server/classroom/auth.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  hashPassword,
  KDF,
  needsRehash,
  newJoinCode,
  newRecoveryCode,
  normalizeJoinCode,
  normalizeRecoveryCode,
  newToken,
  tokenFromCookie,
  tokenHash,
  verifyPassword,
} from '../../../server/classroom/auth.ts';
import { CODE_ALPHABET } from '../../../server/classroom/limits.ts';

test('password hashes: verify the right password only; salted; parameters stored with the hash', async () => {
  const t0 = performance.now();
  const h = await hashPassword('correct horse battery');
  const ms = performance.now() - t0;
  assert.match(h, new RegExp(`^scrypt\\$${KDF.N}\\$${KDF.r}\\$${KDF.p}\\$[A-Za-z0-9_-]{22}\\$[A-Za-z0-9_-]{43}$`));
  assert.equal(await verifyPassword('correct horse battery', h), true);
  assert.equal(await verifyPassword('correct horse batterY', h), false);
  assert.equal(await verifyPassword('', h), false);
  assert.notEqual(await hashPassword('correct horse battery'), h, 'a new salt each time');
  console.log(`# scrypt N=${KDF.N} r=${KDF.r} p=${KDF.p}: ${ms.toFixed(0)} ms per hash`);
});

test('password hashes: old parameters still verify, and ask for a rehash', async () => {
  const weak = await hashPassword('correct horse battery', { N: 1024, r: 8, p: 1 });
  assert.equal(await verifyPassword('correct horse battery', weak), true);
  assert.equal(needsRehash(weak), true);
  assert.equal(needsRehash(await hashPassword('x'.repeat(10))), false);
});

test('password hashes: a malformed or hostile stored hash is an error, not a match', async () => {
  for (const bad of [
    '',
    'plain',
    'scrypt$16$8$1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5',
    `scrypt$${2 ** 30}$8$1$c2FsdHNhbHRzYWx0$${'A'.repeat(43)}`,
    `scrypt$1000$8$1$c2FsdHNhbHRzYWx0$${'A'.repeat(43)}`,
  ]) {
    await assert.rejects(verifyPassword('whatever', bad), /malformed/, bad);
  }
});

test('tokens: 256 bits, hashed for storage, read back from a Cookie header only when well formed', () => {
  const t = newToken();
  assert.match(t, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(newToken(), t);
  assert.match(tokenHash(t), /^[0-9a-f]{64}$/);
  assert.equal(tokenFromCookie(`a=1; lab_teacher=${t}; b=2`, 'lab_teacher'), t);
  assert.equal(tokenFromCookie(`lab_teacher=${t}`, 'lab_learner'), null);
  assert.equal(tokenFromCookie('lab_teacher=short', 'lab_teacher'), null);
  assert.equal(tokenFromCookie(undefined, 'lab_teacher'), null);
});

test('codes: unambiguous alphabet; typed codes are normalised or refused', () => {
  for (let i = 0; i < 200; i++) {
    assert.match(newJoinCode(), new RegExp(`^[${CODE_ALPHABET}]{8}$`));
    assert.match(newRecoveryCode(), new RegExp(`^[${CODE_ALPHABET}]{4}(-[${CODE_ALPHABET}]{4}){3}$`));
  }
  assert.doesNotMatch(CODE_ALPHABET, /[01OIL]/);
  assert.equal(normalizeJoinCode(' abc-dEf '), 'ABCDEF');
  assert.equal(normalizeJoinCode('ABCDE0'), null, 'a zero is not in the alphabet');
  assert.equal(normalizeJoinCode('ABCDEFG'), null);
  assert.equal(normalizeRecoveryCode('abcd efgh jkmn pqrs'), 'ABCD-EFGH-JKMN-PQRS');
  assert.equal(normalizeRecoveryCode('ABCD-EFGH-JKMN'), null);
});
