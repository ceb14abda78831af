/**
 * /classroom/: the learner's class, assignments (due in local time) and own
 * status per exercise. While a submission waits for its grade ("submitted,
 * grading") the page reads the status again every PENDING_POLL_MS.
 */
import type { MyAssignments } from '../../lib/protocol-classroom.ts';
import { classroomUi } from '../../lib/ui-strings-classroom.ts';
import { ApiError, myAssignments } from './api.ts';
import { dueText, localTime, plainTitle, statusText } from './format.ts';
import { dataTable, el, need, redrawKeepingFocus, setMessage, statusLabel, th, timeEl } from './forms.ts';

const t = classroomUi;
const status = need<HTMLElement>(document, '[data-page-status]');
/** How often the page asks again while a grade is pending: a grading takes a few seconds, a busy lab a minute. */
const PENDING_POLL_MS = 5000;

function assignmentSection(a: MyAssignments['assignments'][number], i: number): HTMLElement {
  const section = el('section');
  const headingId = `assignment-${i}`;
  section.setAttribute('aria-labelledby', headingId);
  const h2 = el('h2', a.title);
  h2.id = headingId;
  const meta = el('p', undefined, 'cr-meta');
  // The late policy matters to a learner only when there is a due time.
  if (a.due) meta.append(timeEl(a.due, dueText(a.due)), ` · ${t.latePolicy[a.latePolicy]}`);
  else meta.append(t.noDue);
  const { table, tbody } = dataTable(t.exercisesCaption(a.title), [t.exerciseColumn, t.statusColumn, t.submittedColumn]);
  for (const x of a.exercises) {
    const tr = el('tr');
    const link = el('a', plainTitle(x.title));
    link.href = `/${x.lesson}/#exercise-heading`;
    link.dataset.focusKey = `${a.id}:${x.lesson}`;
    const st = el('td');
    st.append(statusLabel(x.status, statusText(x.status, x.late)));
    if (x.pending && x.status !== 'pending') st.append(el('span', t.pendingMark, 'cr-pending'));
    const when = el('td');
    if (x.submittedAt) when.append(timeEl(x.submittedAt, localTime(x.submittedAt)));
    else when.textContent = t.notSubmitted;
    tr.append(th(link, 'row'), st, when);
    tbody.append(tr);
  }
  section.append(h2, meta, table);
  return section;
}

async function show(): Promise<void> {
  try {
    const mine = await myAssignments();
    need<HTMLElement>(document, '[data-classroom-who]').textContent = t.classroomWho(mine.learner.name, mine.learner.className);
    need<HTMLElement>(document, '[data-no-assignments]').hidden = mine.assignments.length > 0;
    redrawKeepingFocus(need<HTMLElement>(document, '[data-assignments]'), ...mine.assignments.map(assignmentSection));
    need<HTMLElement>(document, '[data-classroom]').hidden = false;
    setMessage(status, '');
    if (mine.assignments.some((a) => a.exercises.some((x) => x.pending))) setTimeout(() => void show(), PENDING_POLL_MS);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      need<HTMLElement>(document, '[data-not-joined]').hidden = false;
      setMessage(status, '');
    } else {
      setMessage(status, t.loadFailed((err as Error).message), true);
    }
  }
}
void show();
