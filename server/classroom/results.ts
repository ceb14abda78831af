/**
 * Counting and the results grid, as pure functions (unit-tested in
 * tests/unit/server/classroom-results.test.ts): which submission counts for a
 * learner's exercise, whether it is late, the grid of learners x exercises,
 * and its CSV.
 *
 * Counting: a cell's submission is the learner's last graded one before the
 * due time; when there is none before it, the last one (then it is after the
 * due time). It is `late` when it came after the due time and the assignment's
 * late policy is `mark`. A teacher's override replaces its status. A
 * submission still being graded (pending) does not count yet; a cell with
 * only pending ones is `pending` (submitted), never `not-started`, and a cell
 * with a pending one newer than its counted one says so (`pending: true`).
 */
import type { CountedStatus, ResultCell, ResultsGrid, SubmissionStatus } from '../../src/lib/protocol-classroom.ts';
import type { AssignmentRow, SubmissionFacts } from './store.ts';

/** After the due time and the policy marks it. */
export function isLate(createdAt: number, assignment: Pick<AssignmentRow, 'due' | 'latePolicy'>): boolean {
  return assignment.due !== null && createdAt > assignment.due && assignment.latePolicy === 'mark';
}

/** The submission that counts, from one learner's submissions for one exercise in the order they were stored. */
export function countedSubmission(subs: readonly SubmissionFacts[], due: number | null): SubmissionFacts | null {
  const graded = subs.filter((s) => s.status !== 'pending');
  if (!graded.length) return null;
  if (due !== null) {
    const onTime = graded.filter((s) => s.createdAt <= due);
    if (onTime.length) return onTime[onTime.length - 1];
  }
  return graded[graded.length - 1];
}

/** The cell for one learner's submissions (stored order) for one exercise of an assignment. */
export function cellOf(
  subs: readonly SubmissionFacts[],
  assignment: Pick<AssignmentRow, 'due' | 'latePolicy'>,
): Omit<ResultCell, 'pending'> & { createdAt: number | null } {
  const counted = countedSubmission(subs, assignment.due);
  // Nothing graded: never tried, or submitted and waiting for the grade.
  if (!counted)
    return {
      status: subs.length ? 'pending' : 'not-started',
      late: false,
      overridden: false,
      flagged: false,
      submissionId: null,
      submissions: subs.length,
      createdAt: null,
    };
  return {
    status: counted.override?.status ?? (counted.status as SubmissionStatus),
    late: isLate(counted.createdAt, assignment),
    overridden: counted.override !== null,
    flagged: counted.flagged === true,
    submissionId: counted.id,
    submissions: subs.length,
    createdAt: counted.createdAt,
  };
}

/** Whether one of the submissions still waits for its grade. */
export const hasPending = (subs: readonly SubmissionFacts[]): boolean => subs.some((s) => s.status === 'pending');

/** Submissions grouped by learner, assignment and lesson (each group in stored order). */
export function groupSubmissions(subs: readonly SubmissionFacts[]): (learnerId: string, assignmentId: string, lesson: string) => SubmissionFacts[] {
  const groups = new Map<string, SubmissionFacts[]>();
  for (const s of subs) {
    const key = JSON.stringify([s.learnerId, s.assignmentId, s.lesson]);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(s);
  }
  return (learnerId, assignmentId, lesson) => groups.get(JSON.stringify([learnerId, assignmentId, lesson])) ?? [];
}

export function buildGrid(
  cls: { id: string; name: string },
  assignments: readonly AssignmentRow[],
  learners: ReadonlyArray<{ id: string; name: string }>,
  subs: readonly SubmissionFacts[],
  lessonTitle: (lesson: string) => string,
): ResultsGrid {
  const group = groupSubmissions(subs);
  const columns = assignments.flatMap((a) => a.lessons.map((lesson) => ({ assignment: a, lesson })));
  const rows = learners.map((l) => ({
    learnerId: l.id,
    name: l.name,
    cells: columns.map(({ assignment, lesson }): ResultCell => {
      const subs = group(l.id, assignment.id, lesson);
      const { createdAt: _, ...cell } = cellOf(subs, assignment);
      return { ...cell, pending: hasPending(subs) };
    }),
  }));
  return {
    class: { id: cls.id, name: cls.name },
    columns: columns.map(({ assignment, lesson }, i) => {
      const counts: Record<CountedStatus, number> = { pass: 0, fail: 0, error: 0, 'not-started': 0 };
      let pending = 0;
      for (const row of rows) {
        const status = row.cells[i].status;
        if (status === 'pending') pending++;
        else counts[status]++;
      }
      return {
        assignmentId: assignment.id,
        assignmentTitle: assignment.title,
        lesson,
        lessonTitle: lessonTitle(lesson),
        archived: (assignment.archivedAt ?? null) !== null,
        counts,
        pending,
      };
    }),
    rows,
  };
}

/**
 * One CSV field: safe to open in a spreadsheet (a field starting with = + - @,
 * or a tab or carriage return, would be read as a formula: it gets a leading
 * apostrophe, OWASP's advice), then quoted when it holds a quote, comma or
 * line break (RFC 4180).
 */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function cellText(cell: ResultCell): string {
  // "(pending)" after a grade: a newer submission waits for its own.
  return (
    cell.status +
    (cell.late ? ' (late)' : '') +
    (cell.overridden ? ' (override)' : '') +
    (cell.flagged ? ' (review)' : '') +
    (cell.pending && cell.status !== 'pending' ? ' (pending)' : '')
  );
}

/** The grid as CSV (cells `pass`, `fail`, `error`, `pending`, `not-started` with marks): a header row (learner, then "<assignment title> / <lesson id>"), one row per learner; CRLF line ends. */
export function gridToCsv(grid: ResultsGrid): string {
  const lines = [['learner', ...grid.columns.map((c) => `${c.assignmentTitle} / ${c.lesson}`)], ...grid.rows.map((r) => [r.name, ...r.cells.map(cellText)])];
  return lines.map((fields) => fields.map(csvField).join(',')).join('\r\n') + '\r\n';
}
