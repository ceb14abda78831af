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
import { bindForm, el, field, need, setMessage, timeEl } from './forms.ts';

const t = classroomUi;
const classId = new URLSearchParams(location.search).get('id') ?? '';
const status = need<HTMLElement>(document, '[data-class-status]');
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
  const table = el('table', undefined, 'cr-table');
  table.append(el('caption', t.learnersCaption));
  const head = el('tr');
  for (const h of [t.learnerName, t.learnerJoined, t.learnerRecovery, t.learnerActions]) {
    const th = el('th', h);
    th.scope = 'col';
    head.append(th);
  }
  table.createTHead().append(head);
  const tbody = table.createTBody();
  for (const l of c.learners) {
    const tr = el('tr');
    const name = el('th', l.name);
    name.scope = 'row';
    const joined = el('td');
    joined.append(timeEl(l.joinedAt, localTime(l.joinedAt)));
    const code = el('td');
    code.append(el('code', l.recoveryCode));
    const actions = el('td');
    const reset = el('button', t.resetRecovery);
    reset.type = 'button';
    reset.setAttribute('aria-label', t.resetRecoveryLabel(l.name));
    reset.addEventListener('click', async () => {
      const message = need<HTMLElement>(body, '[data-learners-message]');
      reset.disabled = true;
      try {
        const { recoveryCode } = await resetRecoveryCode(classId, l.id);
        code.replaceChildren(el('code', recoveryCode));
        setMessage(message, t.recoveryReset(l.name));
      } catch (err) {
        setMessage(message, t.actionFailed((err as Error).message), true);
      } finally {
        reset.disabled = false;
      }
    });
    actions.append(reset);
    tr.append(name, joined, code, actions);
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
  const table = el('table', undefined, 'cr-table');
  table.append(el('caption', t.resultsCaption));
  const head = el('tr');
  const corner = el('th', t.learnerColumn);
  corner.scope = 'col';
  head.append(corner);
  for (const col of grid.columns) {
    const th = el('th', columnLabel(col));
    th.scope = 'col';
    th.append(' ', el('span', t.columnCounts(col.counts), 'cr-counts'));
    head.append(th);
  }
  table.createTHead().append(head);
  const tbody = table.createTBody();
  grid.rows.forEach((row, r) => {
    const tr = el('tr');
    const name = el('th', row.name);
    name.scope = 'row';
    tr.append(name);
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
  const label = el('span', text, 'cr-st');
  label.dataset.status = cell.status;
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
  const button = need<HTMLButtonElement>(body, selector);
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const { joinCode: code } = await joinCode(classId, action);
      renderJoining(code);
      setMessage(joinMessage, code === null ? t.codeClosed : t.codeRotated(code));
      need<HTMLButtonElement>(body, '[data-join-rotate]').focus();
    } catch (err) {
      setMessage(joinMessage, t.actionFailed((err as Error).message), true);
    } finally {
      button.disabled = false;
    }
  });
}

const resultsMessage = need<HTMLElement>(body, '[data-results-message]');
const regradeButton = need<HTMLButtonElement>(body, '[data-regrade]');
regradeButton.addEventListener('click', async () => {
  const results = need<HTMLElement>(body, '[data-results]');
  regradeButton.disabled = true;
  results.setAttribute('aria-busy', 'true');
  setMessage(resultsMessage, t.regrading);
  try {
    const r = await regrade(classId);
    await refreshResults();
    setMessage(resultsMessage, t.regraded(r.regraded, r.changed, r.errors));
  } catch (err) {
    setMessage(resultsMessage, t.actionFailed((err as Error).message), true);
  } finally {
    regradeButton.disabled = false;
    results.removeAttribute('aria-busy');
  }
});

const refreshButton = need<HTMLButtonElement>(body, '[data-refresh]');
refreshButton.addEventListener('click', async () => {
  refreshButton.disabled = true;
  try {
    await refreshAll();
    setMessage(resultsMessage, t.refreshed);
  } catch (err) {
    setMessage(resultsMessage, t.actionFailed((err as Error).message), true);
  } finally {
    refreshButton.disabled = false;
  }
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
