/**
 * The classroom pages' pure helpers (src/client/classroom/format.ts): a
 * datetime-local value is local time and goes on the wire as ISO UTC; status
 * words carry a symbol and the late/override marks; due lines in local time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dueText, localInputToIso, localTime, statusText } from '../../../src/client/classroom/format.ts';
import { assignmentsWith } from '../../../src/client/classroom/submit.ts';
import type { MyAssignments } from '../../../src/lib/protocol-classroom.ts';

/** Runs fn with the process in another time zone (Node re-reads TZ when it is assigned). */
function inZone<T>(zone: string, fn: () => T): T {
  const before = process.env.TZ;
  process.env.TZ = zone;
  try {
    return fn();
  } finally {
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;
  }
}

test('a datetime-local value is read as local time and sent as UTC', () => {
  assert.equal(
    inZone('America/New_York', () => localInputToIso('2026-03-01T17:30')),
    '2026-03-01T22:30:00.000Z',
  );
  assert.equal(
    inZone('Asia/Kolkata', () => localInputToIso('2026-03-01T17:30')),
    '2026-03-01T12:00:00.000Z',
  );
  assert.equal(
    inZone('UTC', () => localInputToIso('2026-03-01T17:30:15')),
    '2026-03-01T17:30:15.000Z',
  );
});

test('an empty due time is none; a malformed one is an error, never "no due time"', () => {
  assert.equal(localInputToIso(''), null);
  assert.equal(localInputToIso('   '), null);
  assert.throws(() => localInputToIso('tomorrow'), /not a valid date/);
  assert.throws(() => localInputToIso('2026-13-45T99:99'), /not a valid date/);
  assert.throws(() => localInputToIso('2026-03-01'), /not a valid date/);
});

test("local time shows the instant in the reader's zone", () => {
  const iso = '2026-03-01T22:30:00.000Z';
  assert.match(
    inZone('America/New_York', () => localTime(iso, 'en-GB')),
    /1 Mar 2026.*17:30/,
  );
  assert.match(
    inZone('Asia/Kolkata', () => localTime(iso, 'en-GB')),
    /2 Mar 2026.*04:00/,
  );
  assert.equal(localTime('not a time'), 'not a time');
});

test('due lines: none, upcoming, passed', () => {
  const now = new Date('2026-03-01T12:00:00Z');
  assert.equal(dueText(null, now), 'no due time');
  assert.match(
    inZone('UTC', () => dueText('2026-03-02T12:00:00Z', now, 'en-GB')),
    /^due 2 Mar 2026/,
  );
  assert.match(
    inZone('UTC', () => dueText('2026-02-28T12:00:00Z', now, 'en-GB')),
    /^was due 28 Feb 2026/,
  );
});

test('a status is words and a symbol, with late and override marks', () => {
  assert.equal(statusText('pass'), '✓ passed');
  assert.equal(statusText('fail', true), '✗ failed · ◷ late');
  assert.equal(statusText('error', false, true), '! error · ✎ overridden');
  assert.equal(statusText('not-started'), '– not started');
});

test("Submit buttons: the learner's assignments that contain the lesson", () => {
  const assignment = (id: string, title: string, lessons: string[]) => ({
    id,
    classId: 'c',
    title,
    lessons,
    due: null,
    latePolicy: 'mark' as const,
    createdAt: '2026-01-01T00:00:00Z',
    exercises: [],
  });
  const mine: MyAssignments = {
    learner: { id: 'l', name: 'Ada', classId: 'c', className: 'C' },
    assignments: [
      assignment('a1', 'Week 1', ['go-run/what-go-run-does']),
      assignment('a2', 'Week 2', ['go-test/the-test-binary']),
      assignment('a3', 'Review', ['go-test/the-test-binary', 'go-run/what-go-run-does']),
    ],
  };
  assert.deepEqual(assignmentsWith(mine, 'go-run/what-go-run-does'), [
    { id: 'a1', title: 'Week 1' },
    { id: 'a3', title: 'Review' },
  ]);
  assert.deepEqual(assignmentsWith(mine, 'compiler/source-to-machine-code'), []);
});
