/**
 * Display texts of the classroom (src/lib/protocol-classroom.ts's displayText,
 * server/classroom/validate.ts's nameKey, views.ts):
 * what a learner's, teacher's, class's or assignment's name may hold, how it
 * is stored, when two learner names are the same, and how duplicates stored
 * before that rule are shown.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STORE_ENGINES } from '../../helpers/stores.ts';
import { displayText } from '../../../src/lib/protocol-classroom.ts';
import { nameKey } from '../../../server/classroom/validate.ts';
import { withDistinctNames } from '../../../server/classroom/views.ts';

/** The words a name field (of up to `max` characters) is refused with, or null when it is taken; `shown`: its stored form. */
const checked = (value: string, max = 1000) => {
  const r = displayText('name', max).safeParse(value);
  return r.success ? { refusal: null, shown: r.data } : { refusal: r.error.issues[0].message, shown: null };
};
const refusal = (value: string) => checked(value).refusal;

test('displayText refuses every control, bidi and invisible character, naming it', () => {
  const cases: Array<[number, RegExp]> = [];
  for (let cp = 0; cp <= 0x1f; cp++) cases.push([cp, /control/]);
  for (let cp = 0x7f; cp <= 0x9f; cp++) cases.push([cp, /control/]);
  for (const cp of [0x2028, 0x2029]) cases.push([cp, /control/]);
  for (const cp of [0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069]) cases.push([cp, /bidi/]);
  for (const cp of [0x200b, 0x200c, 0x200d, 0x2060, 0xfeff, 0x00ad, 0x180e, 0x2061, 0x206a, 0x115f, 0x1160, 0x3164, 0xffa0, 0xe0041])
    cases.push([cp, /invisible/]);
  for (const [cp, kind] of cases) {
    const ch = String.fromCodePoint(cp);
    const message = refusal(`a${ch}b`);
    assert.ok(message, `U+${cp.toString(16)} is refused`);
    assert.match(message, kind, `U+${cp.toString(16)}`);
    assert.match(message, new RegExp(`U\\+${cp.toString(16).toUpperCase().padStart(4, '0')}`));
  }
  assert.match(refusal('a\ud800b')!, /lone UTF-16 surrogate/);
});

test('displayText keeps letters of every script, combining marks and emoji; collapses spaces; NFC', () => {
  for (const ok of ['Zoë', 'Þórr', 'محمد', 'אורי', '李小龍', 'Nguyễn', '❤️ Kim', 'O’Brien-Smith']) assert.equal(refusal(ok), null, ok);
  assert.equal(checked('  a \u00a0\u2003\u3000 b  ').shown, 'a b');
  assert.equal(checked('e\u0301').shown, '\u00e9');
  assert.match(checked(' \u00a0 ', 40).refusal ?? '', /must not be empty/);
  assert.match(checked('x'.repeat(41), 40).refusal ?? '', /longer than 40 characters/);
  assert.equal(checked('é'.repeat(40), 40).shown?.length, 40, 'characters, not bytes');
});

test('nameKey: case, width and spacing do not make a different name; other scripts do', () => {
  assert.equal(nameKey('Ada  Lovelace'), nameKey('ada lovelace'));
  assert.equal(nameKey('\uff21da'), nameKey('Ada'));
  assert.equal(nameKey('\u0041\u030a'.normalize('NFC')), nameKey('\u00c5'));
  assert.notEqual(nameKey('\u0430da'), nameKey('ada'), 'Cyrillic а is another letter');
});

for (const engine of STORE_ENGINES) {
  test(`the store (${engine.name}) refuses a second learner with the same name in a class, not in another class`, async () => {
    const { store } = await engine.open();
    await store.createTeacher({ id: 't', email: 'e', name: 'n', passwordHash: 'h', createdAt: 0 });
    await store.createClass({ id: 'c1', teacherId: 't', name: 'A', joinCode: 'AAAAAAAA', createdAt: 0 });
    await store.createClass({ id: 'c2', teacherId: 't', name: 'B', joinCode: 'BBBBBBBB', createdAt: 0 });
    const add = (id: string, classId: string, name: string) => store.addLearner({ id, classId, name, recoveryCode: `R-${id}`, joinedAt: 1 }, 10);
    assert.equal(await add('l1', 'c1', 'Alex'), 'ok');
    assert.equal(await add('l2', 'c1', 'ALEX'), 'name-taken');
    assert.equal(await add('l3', 'c2', 'Alex'), 'ok');
    assert.equal(await add('l4', 'c1', 'Alex K.'), 'ok');
    await store.close();
  });
}

test('duplicates stored before the rule are shown as "Alex (2)", in joining order, whatever their case', () => {
  const shown = withDistinctNames([
    { id: 'a', name: 'Alex' },
    { id: 'b', name: 'Sam' },
    { id: 'c', name: 'alex' },
    { id: 'd', name: 'Alex' },
  ]);
  assert.deepEqual(
    shown.map((l) => [l.id, l.name]),
    [
      ['a', 'Alex'],
      ['b', 'Sam'],
      ['c', 'alex (2)'],
      ['d', 'Alex (3)'],
    ],
  );
});
