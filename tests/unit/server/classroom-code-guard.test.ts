/**
 * The guard on join and recovery codes (server/classroom/code-guard.ts):
 * only wrong codes count, per address and server-wide; when many addresses
 * guess at once, each gets one guess per penalty while addresses that typed
 * right codes are not slowed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressKey, CodeGuard } from '../../../server/classroom/code-guard.ts';
import { Busy } from '../../../server/fairness/admission.ts';
import { CODE_ALPHABET, JOIN_CODE_LENGTH } from '../../../server/classroom/limits.ts';
import { newJoinCode, normalizeJoinCode } from '../../../server/classroom/auth.ts';

const T0 = 1_000_000;
const busy = (fn: () => void): Busy | null => {
  try {
    fn();
    return null;
  } catch (err) {
    if (err instanceof Busy) return err;
    throw err;
  }
};
/** One try of a wrong code: 'refused' before the lookup, '429' after it, or '404'. */
const wrong = (g: CodeGuard, address: string, now: number) =>
  busy(() => g.admit(address, now)) ? 'refused' : busy(() => g.failed(address, now)) ? '429' : '404';

test('right codes spend nothing: 40 joins from one address pass, however many', () => {
  const g = new CodeGuard({ perAddressBurst: 3, perAddressPerMinute: 1 }, T0);
  for (let i = 0; i < 1000; i++)
    assert.equal(
      busy(() => g.admit('203.0.113.7', T0)),
      null,
    );
});

test('per address: a burst of wrong codes, then the address is refused any code until it has one again', () => {
  const g = new CodeGuard({ perAddressBurst: 3, perAddressPerMinute: 6 }, T0);
  assert.deepEqual(
    [0, 1, 2, 3].map(() => wrong(g, '203.0.113.7', T0)),
    ['404', '404', '404', 'refused'],
  );
  const refused = busy(() => g.admit('203.0.113.7', T0))!;
  assert.match(refused.message, /too many wrong codes from your address/);
  assert.equal(refused.retryAfterSeconds, 10, 'one failure back in 60/6 s');
  assert.equal(
    busy(() => g.admit('203.0.113.8', T0)),
    null,
    'another address is not affected',
  );
  assert.equal(
    busy(() => g.admit('203.0.113.7', T0 + 10_000)),
    null,
  );
});

test('server-wide: many addresses guessing spend the budget; then each wrong code shuts its address out, right codes elsewhere pass', () => {
  const g = new CodeGuard({ perAddressBurst: 20, perAddressPerMinute: 10, globalBurst: 100, globalPerMinute: 30, penaltyMs: 120_000 }, T0);
  const counts = { '404': 0, '429': 0, refused: 0 };
  // 50 addresses, 40 tries each within the same second (the issue: 1000 tries in 4 s from 50 addresses).
  for (let round = 0; round < 40; round++) for (let a = 0; a < 50; a++) counts[wrong(g, `198.51.100.${a}`, T0 + round)]++;
  assert.equal(counts['404'], 100, 'only the server-wide burst of guesses is answered');
  assert.equal(counts['429'], 50, 'then one more per address, which shuts it out');
  assert.equal(counts.refused, 2000 - 150);
  const shut = busy(() => g.admit('198.51.100.1', T0 + 1000))!;
  assert.match(shut.message, /one came from your address/);
  assert.ok(shut.retryAfterSeconds > 100 && shut.retryAfterSeconds <= 120);
  // A school whose learners type the right code joins meanwhile: its address has no failures.
  for (let i = 0; i < 40; i++)
    assert.equal(
      busy(() => g.admit('203.0.113.50', T0 + 1000)),
      null,
    );
  // After the penalty, each address has one more guess, and the budget has refilled a little.
  assert.equal(wrong(g, '198.51.100.1', T0 + 121_000), '404');
});

test('addresses: IPv6 counted by /64, IPv4-mapped as IPv4', () => {
  assert.equal(addressKey('2001:db8:1:2:aaaa::1'), addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee'));
  assert.notEqual(addressKey('2001:db8:1:2::1'), addressKey('2001:db8:1:3::1'));
  assert.equal(addressKey('::ffff:192.0.2.1'), '192.0.2.1');
  assert.equal(addressKey('2001:db8::1'), '2001:db8:0:0::/64');
  const g = new CodeGuard({ perAddressBurst: 1, perAddressPerMinute: 1 }, T0);
  assert.equal(wrong(g, '2001:db8:1:2::1', T0), '404');
  assert.equal(wrong(g, '2001:db8:1:2::ffff', T0), 'refused', 'another address of the same /64 is the same subscriber');
});

test('join codes: 8 characters of the alphabet (about 39 bits); the 6-character ones given out before still parse', () => {
  assert.ok(JOIN_CODE_LENGTH >= 8);
  assert.ok(Math.log2(CODE_ALPHABET.length ** JOIN_CODE_LENGTH) > 39);
  const code = newJoinCode();
  assert.match(code, new RegExp(`^[${CODE_ALPHABET}]{${JOIN_CODE_LENGTH}}$`));
  assert.equal(normalizeJoinCode(`${code.slice(0, 4).toLowerCase()}-${code.slice(4)}`), code);
  assert.equal(normalizeJoinCode('abc-def'), 'ABCDEF');
  assert.equal(normalizeJoinCode('ABCDEFG'), null);
});
