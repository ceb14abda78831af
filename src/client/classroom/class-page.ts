/**
 * /teach/class/?id=<class id>: one class for its teacher. Joining (show,
 * rotate, close the code), learners with their recovery codes (reset), the
 * assignments and the form for a new one, and the results grid: learners x
 * exercises, each cell a button that opens the counted submission (files,
 * per-test results, the override form). Regrade all, and the CSV.
 */
import type { Assignment, ClassDetail, ResultCell, ResultsGrid, Submission } from '../../lib/protocol.ts';
import { ui } from '../../lib/ui-strings.ts';
import { classroomUi } from '../../lib/ui-strings-classroom.ts';
import { renderResult } from '../check-results.ts';
import {
  ApiError,
  createAssignment,
  getClass,
  getResults,
  getSubmission,
  joinCode,
  overrideSubmission,
  regrade,
  resetRecoveryCode,
  resultsCsvUrl,
} from './api.ts';
import { dueText, localInputToIso, localTime, plainTitle, statusText } from './format.ts';
import { bindAction, bindForm, dataTable, el, field, need, setMessage, statusLabel, th, timeEl } from './forms.ts';

const t = classroomUi;
const classId = new URLSearchParams(location.search).get('id') ?? '';
const status = need<HTMLElement>(document, '[data-page-status]');
const body = need<HTMLElement>(document, '[data-class-body]');
const lessonTitles: Record<string, string> = JSON.parse(document.getElementById('lesson-titles')?.textContent ?? '{}');
const lessonTitle = (id: string) => plainTitle(lessonTitles[id] ?? id);

// ------------------------------------------------------------------ class

function renderJoining(code: string | null): void {
  need<HTMLElement>(body, '[data-join-open]').hidden = code === null;
  need<HTMLElement>(body, '[data-join-closed]').hidden = code !== null;
  need<HTMLElement>(body, '[data-join-code]').textContent = code ?? '';
  need<HTMLButtonElement>(body, '[data-join-rotate]').textContent = code === null ? t.openButton : t.rotateButton;
  need<HTMLButtonElement>(body, '[data-join-close]').hidden = code === null;
}

function assignmentItem(a: Assignment): HTMLLIElement {
  const li = el('li');
  li.append(el('h3', a.title));
  const meta = el('p', undefined, 'cr-meta');
  if (a.due) meta.append(timeEl(a.due, dueText(a.due)));
  else meta.append(t.noDue);
  meta.append(` · ${t.latePolicy[a.latePolicy]}`);
  const lessons = el('ul');
  for (const id of a.lessons) {
    const item = el('li');
    const link = el('a', lessonTitle(id));
    link.href = `/${id}/`;
    item.append(link);
    lessons.append(item);
  }
  li.append(meta, lessons);
  return li;
}

function renderLearners(c: ClassDetail): void {
  const host = need<HTMLElement>(body, '[data-learners]');
  need<HTMLElement>(body, '[data-no-learners]').hidden = c.learners.length > 0;
  if (c.learners.length === 0) {
    host.replaceChildren();
    return;
  }
  const message = need<HTMLElement>(body, '[data-learners-message]');
  const { table, tbody } = dataTable(t.learnersCaption, [t.learnerName, t.learnerJoined, t.learnerRecovery, t.learnerActions]);
  for (const l of c.learners) {
    const tr = el('tr');
    const joined = el('td');
    joined.append(timeEl(l.joinedAt, localTime(l.joinedAt)));
    const code = el('td');
    code.append(el('code', l.recoveryCode));
    const actions = el('td');
    const reset = el('button', t.resetRecovery);
    reset.type = 'button';
    reset.setAttribute('aria-label', t.resetRecoveryLabel(l.name));
    bindAction(reset, message, async () => {
      const { recoveryCode } = await resetRecoveryCode(classId, l.id);
      code.replaceChildren(el('code', recoveryCode));
      return t.recoveryReset(l.name);
    });
    actions.append(reset);
    tr.append(th(l.name, 'row'), joined, code, actions);
    tbody.append(tr);
  }
  host.replaceChildren(table);
}

function renderClass(c: ClassDetail): void {
  need<HTMLElement>(document, '[data-class-name]').textContent = c.name;
  document.title = `${c.name} · ${ui.siteTitle}`;
  renderJoining(c.joinCode);
  need<HTMLElement>(body, '[data-no-assignments]').hidden = c.assignments.length > 0;
  need<HTMLElement>(body, '[data-assignment-list]').replaceChildren(...c.assignments.map(assignmentItem));
  renderLearners(c);
}

// ------------------------------------------------------------------ results

const columnLabel = (col: ResultsGrid['columns'][number]) => `${col.assignmentTitle} / ${plainTitle(col.lessonTitle)}`;

function renderGrid(grid: ResultsGrid): void {
  const host = need<HTMLElement>(body, '[data-results]');
  if (grid.columns.length === 0) {
    host.replaceChildren(el('p', t.resultsNone));
    return;
  }
  const columns = grid.columns.map((col) => {
    const heading = th(columnLabel(col), 'col');
    heading.append(' ', el('span', t.columnCounts(col.counts), 'cr-counts'));
    return heading;
  });
  const { table, tbody } = dataTable(t.resultsCaption, [t.learnerColumn, ...columns]);
  grid.rows.forEach((row, r) => {
    const tr = el('tr');
    tr.append(th(row.name, 'row'));
    row.cells.forEach((cell, c) => tr.append(cellElement(cell, row.name, grid.columns[c]!, `${r}:${c}`)));
    tbody.append(tr);
  });
  const scroll = el('div', undefined, 'cr-scroll');
  // A focusable, named region: a wide grid scrolls sideways with the keyboard too.
  scroll.tabIndex = 0;
  scroll.setAttribute('role', 'region');
  scroll.setAttribute('aria-label', t.resultsRegion);
  scroll.append(table);
  host.replaceChildren(scroll);
  if (grid.rows.length === 0) host.append(el('p', t.resultsNoLearners));
}

function cellElement(cell: ResultCell, learner: string, col: ResultsGrid['columns'][number], key: string): HTMLTableCellElement {
  const td = el('td');
  const text = statusText(cell.status, cell.late, cell.overridden);
  const label = statusLabel(cell.status, text);
  if (!cell.submissionId) {
    td.append(label);
    return td;
  }
  const button = el('button', undefined, 'cr-cell-button');
  button.type = 'button';
  button.dataset.cell = key;
  button.setAttribute('aria-label', t.cellLabel(text, learner, columnLabel(col)));
  button.append(label);
  const id = cell.submissionId;
  button.addEventListener('click', () => void openSubmission(id, learner, columnLabel(col), key));
  td.append(button);
  if (cell.submissions > 1) td.append(el('span', t.submissionCount(cell.submissions), 'cr-counts'));
  return td;
}

async function refreshResults(): Promise<void> {
  renderGrid(await getResults(classId));
}

// --------------------------------------------------------- the submission

const dialog = need<HTMLDialogElement>(document, '[data-submission-dialog]');
const overrideForm = need<HTMLFormElement>(dialog, '[data-override-form]');
let shown: { id: string; cellKey: string } | null = null;

function renderOverride(sub: Submission): void {
  need<HTMLElement>(dialog, '[data-override-current]').textContent = sub.override
    ? t.overrideCurrent(statusText(sub.override.status), sub.override.comment)
    : '';
  const value = sub.override?.status ?? 'none';
  for (const radio of overrideForm.querySelectorAll<HTMLInputElement>('input[name=status]')) radio.checked = radio.value === value;
  need<HTMLTextAreaElement>(overrideForm, 'textarea[name=comment]').value = sub.override?.comment ?? '';
}

function renderSubmission(sub: Submission): void {
  const meta = need<HTMLElement>(dialog, '[data-submission-meta]');
  meta.replaceChildren(timeEl(sub.createdAt, t.submittedAt(localTime(sub.createdAt))));
  if (sub.late) meta.append(' · ', el('span', `${t.lateMark}: ${t.submissionLate}`, 'cr-late'));
  const list = need<HTMLElement>(dialog, '[data-check-results]');
  const summary = need<HTMLElement>(dialog, '[data-check-summary]');
  if (sub.pending) {
    // The stored result is a placeholder while the checks run: say so, not "did not compile".
    list.replaceChildren();
    summary.textContent = t.submissionPending;
    delete summary.dataset.status;
  } else {
    renderResult(list, summary, sub.result);
  }
  const files = need<HTMLElement>(dialog, '[data-submission-files]');
  files.replaceChildren(
    ...Object.keys(sub.files).sort().map((name) => {
      const figure = el('figure');
      const caption = el('figcaption');
      caption.append(el('code', name));
      const pre = el('pre');
      pre.tabIndex = 0; // scrollable: reachable with the keyboard
      pre.setAttribute('aria-label', name);
      pre.append(el('code', sub.files[name]));
      figure.append(caption, pre);
      return figure;
    }),
  );
  renderOverride(sub);
}

async function openSubmission(id: string, learner: string, column: string, cellKey: string): Promise<void> {
  shown = { id, cellKey };
  const dialogStatus = need<HTMLElement>(dialog, '[data-submission-status]');
  need<HTMLElement>(dialog, '[data-submission-heading]').textContent = t.submissionHeading(learner, column);
  need<HTMLElement>(dialog, '[data-submission-meta]').replaceChildren();
  need<HTMLElement>(dialog, '[data-check-summary]').textContent = '';
  need<HTMLElement>(dialog, '[data-check-results]').replaceChildren();
  need<HTMLElement>(dialog, '[data-submission-files]').replaceChildren();
  setMessage(need<HTMLElement>(overrideForm, '[data-message]'), '');
  overrideForm.hidden = true;
  setMessage(dialogStatus, t.loading);
  if (!dialog.open) dialog.showModal();
  try {
    const sub = await getSubmission(id);
    if (shown?.id !== id) return; // another cell was opened meanwhile
    renderSubmission(sub);
    overrideForm.hidden = false;
    setMessage(dialogStatus, '');
  } catch (err) {
    setMessage(dialogStatus, t.loadFailed((err as Error).message), true);
  }
}

need<HTMLButtonElement>(dialog, '[data-dialog-close]').addEventListener('click', () => dialog.close());
dialog.addEventListener('close', () => {
  // Back to the cell that opened it (the grid may have been redrawn meanwhile).
  const key = shown?.cellKey;
  shown = null;
  if (key) body.querySelector<HTMLButtonElement>(`[data-cell="${key}"]`)?.focus();
});

bindForm(overrideForm, async (data) => {
  if (!shown) return;
  const choice = field(data, 'status');
  const sub = await overrideSubmission(shown.id, {
    status: choice === 'pass' || choice === 'fail' ? choice : null,
    comment: field(data, 'comment'),
  });
  renderOverride(sub);
  await refreshResults();
  return t.overrideSaved;
});

// ------------------------------------------------------------------ actions

async function refreshAll(): Promise<void> {
  const [c, grid] = await Promise.all([getClass(classId), getResults(classId)]);
  renderClass(c);
  renderGrid(grid);
}

const joinMessage = need<HTMLElement>(body, '[data-join-message]');
for (const [selector, action] of [['[data-join-rotate]', 'rotate'], ['[data-join-close]', 'close']] as const) {
  bindAction(need<HTMLButtonElement>(body, selector), joinMessage, async () => {
    const { joinCode: code } = await joinCode(classId, action);
    renderJoining(code);
    // Closing hides the Close button; focus stays on the section's other button.
    need<HTMLButtonElement>(body, '[data-join-rotate]').focus();
    return code === null ? t.codeClosed : t.codeRotated(code);
  });
}

const resultsMessage = need<HTMLElement>(body, '[data-results-message]');
bindAction(need<HTMLButtonElement>(body, '[data-regrade]'), resultsMessage, async () => {
  const results = need<HTMLElement>(body, '[data-results]');
  results.setAttribute('aria-busy', 'true');
  setMessage(resultsMessage, t.regrading);
  try {
    const r = await regrade(classId);
    await refreshResults();
    return t.regraded(r.regraded, r.changed, r.errors);
  } finally {
    results.removeAttribute('aria-busy');
  }
});

bindAction(need<HTMLButtonElement>(body, '[data-refresh]'), resultsMessage, async () => {
  await refreshAll();
  return t.refreshed;
});

const assignmentForm = need<HTMLFormElement>(body, '[data-create-assignment]');
bindForm(assignmentForm, async (data) => {
  const title = field(data, 'title');
  const lessons = data.getAll('lessons').filter((v): v is string => typeof v === 'string');
  if (lessons.length === 0) throw new Error(t.pickALesson);
  const due = localInputToIso(field(data, 'due'));
  const latePolicy = field(data, 'latePolicy') === 'accept' ? 'accept' : 'mark';
  await createAssignment(classId, { title, lessons, latePolicy, ...(due ? { due } : {}) });
  assignmentForm.reset();
  await refreshAll();
  return t.assignmentCreated(title);
});

// ------------------------------------------------------------------ start

void (async () => {
  if (!classId) {
    setMessage(status, t.noClassId, true);
    return;
  }
  need<HTMLAnchorElement>(body, '[data-csv]').href = resultsCsvUrl(classId);
  try {
    await refreshAll();
    body.hidden = false;
    setMessage(status, '');
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      setMessage(status, t.notSignedIn, true);
      need<HTMLElement>(document, '[data-class-signin]').hidden = false;
    } else if (err instanceof ApiError && err.status === 404) {
      setMessage(status, t.classNotFound, true);
    } else {
      setMessage(status, t.loadFailed((err as Error).message), true);
    }
  }
})();
