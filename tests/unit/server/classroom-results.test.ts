/** The classroom's counting, late marking, overrides, the grid and its CSV (server/classroom/results.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildGrid, cellOf, countedSubmission, csvField, gridToCsv, isLate } from '../../../server/classroom/results.ts';
import type { AssignmentRow, SubmissionFacts } from '../../../server/classroom/store.ts';

const DUE = Date.parse('2026-03-01T17:00:00Z');
const HOUR = 3_600_000;
let n = 0;
const sub = (over: Partial<SubmissionFacts>): SubmissionFacts => ({
  id: `s${++n}`,
  assignmentId: 'a1',
  learnerId: 'l1',
  lesson: 'x/y',
  createdAt: DUE - HOUR,
  status: 'pass',
  override: null,
  ...over,
});
const assignment = (over: Partial<AssignmentRow> = {}): AssignmentRow => ({
  id: 'a1',
  classId: 'c1',
  title: 'Week 1',
  lessons: ['x/y'],
  due: DUE,
  latePolicy: 'mark',
  createdAt: 0,
  ...over,
});

test('late: only after the due time, and only when the policy marks it', () => {
  assert.equal(isLate(DUE + 1, assignment()), true);
  assert.equal(isLate(DUE, assignment()), false, 'exactly at the due time is on time');
  assert.equal(isLate(DUE - 1, assignment()), false);
  assert.equal(isLate(DUE + 1, assignment({ latePolicy: 'accept' })), false);
  assert.equal(isLate(DUE + 1, assignment({ due: null })), false);
});

test('counted: the last before the due time, else the last; pending ones do not count', () => {
  const before1 = sub({ createdAt: DUE - 2 * HOUR, status: 'fail' });
  const before2 = sub({ createdAt: DUE - HOUR, status: 'pass' });
  const after = sub({ createdAt: DUE + HOUR, status: 'fail' });
  assert.equal(countedSubmission([before1, before2, after], DUE)?.id, before2.id, 'a later, late submission does not replace an on-time one');
  assert.equal(countedSubmission([after, sub({ createdAt: DUE + 2 * HOUR, status: 'pass' })], DUE)?.status, 'pass', 'none on time: the last');
  assert.equal(countedSubmission([before1, before2, after], null)?.id, after.id, 'no due time: the last');
  assert.equal(countedSubmission([before1, sub({ createdAt: DUE - 1, status: 'pending' })], DUE)?.id, before1.id);
  assert.equal(countedSubmission([sub({ status: 'pending' })], DUE), null);
  assert.equal(countedSubmission([], DUE), null);
});

test('cell: status, late, override, submission count', () => {
  assert.deepEqual(cellOf([], assignment()), {
    status: 'not-started',
    late: false,
    overridden: false,
    flagged: false,
    submissionId: null,
    submissions: 0,
    createdAt: null,
  });
  const late = sub({ createdAt: DUE + HOUR, status: 'fail' });
  const cell = cellOf([sub({ status: 'pending', createdAt: DUE + 2 * HOUR }), late], assignment());
  assert.equal(cell.status, 'fail');
  assert.equal(cell.late, true);
  assert.equal(cell.submissionId, late.id);
  assert.equal(cell.submissions, 2, 'every submission is counted in the number, pending ones too');
  assert.equal(cellOf([late], assignment({ latePolicy: 'accept' })).late, false);
  const overridden = cellOf([sub({ status: 'fail', override: { status: 'pass', comment: 'ok by hand' } })], assignment());
  assert.equal(overridden.status, 'pass', 'the override replaces the status');
  assert.equal(overridden.overridden, true);
  assert.equal(cellOf([sub({ status: 'error' })], assignment()).status, 'error');
  assert.equal(cellOf([sub({ status: 'fail', flagged: true })], assignment()).flagged, true, 'a graded submission the grader flagged');
  assert.equal(cellOf([sub({ status: 'fail' })], assignment()).flagged, false);
});

test('grid: columns per assignment and lesson, rows per learner, counts per column', () => {
  const a1 = assignment({ lessons: ['x/y', 'x/z'] });
  const a2 = assignment({ id: 'a2', title: 'Week 2', lessons: ['x/y'], due: null });
  const learners = [
    { id: 'l1', name: 'Ada' },
    { id: 'l2', name: 'Bob' },
  ];
  const subs = [
    sub({ learnerId: 'l1', lesson: 'x/y', status: 'pass' }),
    sub({ learnerId: 'l2', lesson: 'x/y', status: 'fail' }),
    sub({ learnerId: 'l2', lesson: 'x/z', status: 'error' }),
    sub({ learnerId: 'l1', assignmentId: 'a2', lesson: 'x/y', status: 'fail', createdAt: DUE + HOUR }),
  ];
  const grid = buildGrid({ id: 'c1', name: 'C' }, [a1, a2], learners, subs, (id) => `title of ${id}`);
  assert.deepEqual(
    grid.columns.map((c) => `${c.assignmentId}:${c.lesson}:${c.lessonTitle}`),
    ['a1:x/y:title of x/y', 'a1:x/z:title of x/z', 'a2:x/y:title of x/y'],
  );
  assert.deepEqual(
    grid.rows.map((r) => r.cells.map((c) => c.status)),
    [
      ['pass', 'not-started', 'fail'],
      ['fail', 'error', 'not-started'],
    ],
  );
  assert.deepEqual(grid.columns[0].counts, { pass: 1, fail: 1, error: 0, 'not-started': 0 });
  assert.deepEqual(grid.columns[2].counts, { pass: 0, fail: 1, error: 0, 'not-started': 1 });
  assert.equal(grid.rows[0].cells[2].late, false, 'no due time: never late');
  assert.ok(!('createdAt' in grid.rows[0].cells[0]), "cells carry only the protocol's fields");
});

test('CSV: header, cells with (late) and (override), quoting and formula injection', () => {
  assert.equal(csvField('plain'), 'plain');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('two\nlines'), '"two\nlines"');
  for (const evil of ['=HYPERLINK("http://x")', '+1', '-1+2', '@SUM(A1)', '\tx', '\rx']) {
    assert.ok(csvField(evil).replace(/^"/, '').startsWith("'"), `${JSON.stringify(evil)} is defused: ${csvField(evil)}`);
  }
  assert.equal(csvField('=1,2'), `"'=1,2"`);
  const a = assignment({ title: 'Week, 1', lessons: ['x/y'] });
  const subs = [sub({ learnerId: 'l1', createdAt: DUE + HOUR, status: 'fail', override: { status: 'pass', comment: '' } })];
  const csv = gridToCsv(
    buildGrid(
      { id: 'c', name: 'C' },
      [a],
      [
        { id: 'l1', name: '=cmd|calc' },
        { id: 'l2', name: 'Bob' },
      ],
      subs,
      (id) => id,
    ),
  );
  assert.equal(csv, `learner,"Week, 1 / x/y"\r\n'=cmd|calc,pass (late) (override)\r\nBob,not-started\r\n`);
});
