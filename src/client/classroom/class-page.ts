/**
 * /teach/class/?id=<class id>: one class for its teacher. Joining (show,
 * copy the full link, rotate, close the code), learners with their recovery
 * codes (reset), the assignments (new, edit, archive, delete), and the
 * results grid: learners x exercises, each cell a button that opens the
 * counted submission (files, per-test results, the override form) with the
 * learner's history for that exercise. Regrade all, and the CSV. The class
 * itself: rename, archive, delete.
 *
 * The grid is live: an EventSource on the class's event stream reads the grid
 * again when a submission is stored or graded (or the class changed), and
 * says the latest news in a polite live region. While the stream is down the
 * Refresh button appears as a fallback; each (re)connection reads the grid
 * afresh, since events may have been missed meanwhile.
 */
import {
  ClassSubmissionEventSchema,
  type Assignment,
  type ClassDetail,
  type ClassSubmissionEvent,
  type ResultCell,
  type ResultsGrid,
  type Submission,
  type SubmissionHistory,
} from '../../lib/protocol-classroom.ts';
import { ui } from '../../lib/ui-strings.ts';
import { classroomUi } from '../../lib/ui-strings-classroom.ts';
import { renderResult } from '../check-results.ts';
import { parseJson } from '../wire.ts';
import {
  ApiError,
  classEventsUrl,
  createAssignment,
  deleteAssignment,
  deleteClass,
  getClass,
  getResults,
  getSubmission,
  joinCode,
  overrideSubmission,
  regrade,
  resetRecoveryCode,
  resultsCsvUrl,
  submissionHistory,
  updateAssignment,
  updateClass,
} from './api.ts';
import { dueText, localInputToIso, localTime, plainTitle, statusText } from './format.ts';
import { bindAction, bindForm, dataTable, el, field, need, redrawKeepingFocus, setMessage, statusLabel, th, timeEl } from './forms.ts';

const t = classroomUi;
const classId = new URLSearchParams(location.search).get('id') ?? '';
const status = need<HTMLElement>(document, '[data-page-status]');
const body = need<HTMLElement>(document, '[data-class-body]');
const lessonTitles: Record<string, string> = JSON.parse(document.getElementById('lesson-titles')?.textContent ?? '{}');
const lessonTitle = (id: string) => plainTitle(lessonTitles[id] ?? id);
/** The class as last read: the live grid's news and the edit forms need its names. */
let current: ClassDetail | null = null;
let currentGrid: ResultsGrid | null = null;

// ------------------------------------------------------------------ class

/** The link a learner opens to join: the join page with the code filled in (join.ts reads it). */
const joinLink = (code: string) => `${location.origin}/join/?code=${encodeURIComponent(code)}`;

function renderJoining(code: string | null): void {
  need<HTMLElement>(body, '[data-join-open]').hidden = code === null;
  need<HTMLElement>(body, '[data-join-closed]').hidden = code !== null;
  need<HTMLElement>(body, '[data-join-code]').textContent = code ?? '';
  need<HTMLElement>(body, '[data-join-link-box]').hidden = code === null;
  need<HTMLInputElement>(body, '[data-join-link]').value = code === null ? '' : joinLink(code);
  need<HTMLButtonElement>(body, '[data-join-rotate]').textContent = code === null ? t.openButton : t.rotateButton;
  need<HTMLButtonElement>(body, '[data-join-close]').hidden = code === null;
}

function assignmentItem(a: Assignment): HTMLLIElement {
  const li = el('li');
  li.append(el('h3', a.archived ? `${a.title} (${t.archivedMark})` : a.title));
  if (a.archived) li.dataset.archived = '';
  const meta = el('p', undefined, 'cr-meta');
  if (a.due) meta.append(timeEl(a.due, dueText(a.due)));
  else meta.append(t.noDue);
  meta.append(` · ${t.latePolicy[a.latePolicy]}`);
  if (a.archived) meta.append(` · ${t.assignmentArchivedNote}`);
  const lessons = el('ul');
  for (const id of a.lessons) {
    const item = el('li');
    const link = el('a', lessonTitle(id));
    link.href = `/${id}/`;
    item.append(link);
    lessons.append(item);
  }
  li.append(meta, lessons, assignmentActions(a));
  return li;
}

const assignmentsMessage = need<HTMLElement>(body, '[data-assignments-message]');

function actionButton(text: string, label: string, assignmentId: string, kind: string): HTMLButtonElement {
  const b = el('button', text);
  b.type = 'button';
  b.setAttribute('aria-label', label);
  b.dataset.assignmentAction = kind;
  b.dataset.assignmentId = assignmentId;
  b.dataset.focusKey = `${kind}:${assignmentId}`;
  return b;
}

/** Edit, archive (or restore) and delete buttons of an assignment; after a redraw, focus returns to the same kind of button. */
function assignmentActions(a: Assignment): HTMLElement {
  const actions = el('div', undefined, 'cr-actions');
  const edit = actionButton(t.editButton, t.editLabel(a.title), a.id, 'edit');
  edit.addEventListener('click', () => startEditing(a));
  const archive = a.archived
    ? actionButton(t.restoreButton, t.restoreLabel(a.title), a.id, 'archive')
    : actionButton(t.archiveButton, t.archiveLabel(a.title), a.id, 'archive');
  bindAction(archive, assignmentsMessage, async () => {
    await updateAssignment(classId, a.id, { archived: !a.archived });
    await refreshAll();
    body.querySelector<HTMLButtonElement>(`[data-assignment-action=archive][data-assignment-id="${CSS.escape(a.id)}"]`)?.focus();
    return a.archived ? t.assignmentRestored(a.title) : t.assignmentArchived(a.title);
  });
  const remove = actionButton(t.deleteButton, t.deleteLabel(a.title), a.id, 'delete');
  remove.addEventListener('click', async () => {
    if (!confirm(t.confirmDeleteAssignment(a.title))) return;
    remove.disabled = true;
    try {
      await deleteAssignment(classId, a.id);
      if (editing?.id === a.id) stopEditing();
      await refreshAll();
      need<HTMLElement>(body, '#assignments-heading').focus();
      setMessage(assignmentsMessage, t.assignmentDeleted(a.title));
    } catch (err) {
      remove.disabled = false;
      setMessage(assignmentsMessage, t.actionFailed((err as Error).message), true);
    }
  });
  actions.append(edit, archive, remove);
  return actions;
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
    reset.dataset.focusKey = `reset:${l.id}`;
    bindAction(reset, message, async () => {
      const { recoveryCode } = await resetRecoveryCode(classId, l.id);
      code.replaceChildren(el('code', recoveryCode));
      return t.recoveryReset(l.name);
    });
    actions.append(reset);
    tr.append(th(l.name, 'row'), joined, code, actions);
    tbody.append(tr);
  }
  redrawKeepingFocus(host, table);
}

function renderClass(c: ClassDetail): void {
  current = c;
  need<HTMLElement>(document, '[data-class-name]').textContent = c.name;
  document.title = `${c.name} · ${ui.siteTitle}`;
  renderJoining(c.joinCode);
  need<HTMLElement>(body, '[data-class-archived]').hidden = !c.archived;
  need<HTMLButtonElement>(body, '[data-archive-class]').textContent = c.archived ? t.restoreClassButton : t.archiveClassButton;
  const nameField = need<HTMLInputElement>(body, '#rename-class-name');
  if (document.activeElement !== nameField) nameField.value = c.name;
  need<HTMLElement>(body, '[data-no-assignments]').hidden = c.assignments.length > 0;
  redrawKeepingFocus(need<HTMLElement>(body, '[data-assignment-list]'), ...c.assignments.map(assignmentItem));
  renderLearners(c);
}

// ------------------------------------------------------------------ results

const columnLabel = (col: ResultsGrid['columns'][number]) => `${col.assignmentTitle} / ${plainTitle(col.lessonTitle)}`;

function renderGrid(grid: ResultsGrid): void {
  currentGrid = grid;
  const host = need<HTMLElement>(body, '[data-results]');
  if (grid.columns.length === 0) {
    host.replaceChildren(el('p', t.resultsNone));
    return;
  }
  // A live redraw must not take the keyboard's place: the focused cell is focused again after it.
  const focusedCell = (document.activeElement as HTMLElement | null)?.dataset?.cell;
  const scrolled = host.querySelector('.cr-scroll')?.scrollLeft ?? 0;
  const columns = grid.columns.map((col) => {
    const heading = th(col.archived ? `${columnLabel(col)} (${t.archivedMark})` : columnLabel(col), 'col');
    heading.append(' ', el('span', t.columnCounts(col.counts, col.pending), 'cr-counts'));
    return heading;
  });
  const { table, tbody } = dataTable(t.resultsCaption, [t.learnerColumn, ...columns]);
  grid.rows.forEach((row) => {
    const tr = el('tr');
    tr.append(th(row.name, 'row'));
    for (const [c, cell] of row.cells.entries()) tr.append(cellElement(cell, row, grid.columns[c]!, `${row.learnerId}:${c}`));
    tbody.append(tr);
  });
  const scroll = el('div', undefined, 'cr-scroll');
  // A focusable, named region: a wide grid scrolls sideways with the keyboard too.
  scroll.tabIndex = 0;
  scroll.setAttribute('role', 'region');
  scroll.setAttribute('aria-label', t.resultsRegion);
  scroll.append(table);
  host.replaceChildren(scroll);
  scroll.scrollLeft = scrolled;
  if (grid.rows.length === 0) host.append(el('p', t.resultsNoLearners));
  if (focusedCell) host.querySelector<HTMLElement>(`[data-cell="${CSS.escape(focusedCell)}"]`)?.focus();
}

function cellElement(cell: ResultCell, row: ResultsGrid['rows'][number], col: ResultsGrid['columns'][number], key: string): HTMLTableCellElement {
  const td = el('td');
  td.dataset.status = cell.status;
  // "Never tried" is plain text; anything submitted (pending, graded, error) opens.
  const text =
    statusText(cell.status, cell.late, cell.overridden) +
    (cell.pending && cell.status !== 'pending' ? ` · ${t.pendingMark}` : '') +
    (cell.flagged ? ` · ${t.flaggedMark}` : '');
  const label = statusLabel(cell.status, statusText(cell.status, cell.late, cell.overridden));
  if (cell.submissions === 0) {
    td.append(label);
    return td;
  }
  const button = el('button', undefined, 'cr-cell-button');
  button.type = 'button';
  button.dataset.cell = key;
  button.setAttribute('aria-label', t.cellLabel(text, row.name, columnLabel(col)));
  button.append(label);
  if (cell.pending && cell.status !== 'pending') button.append(el('span', t.pendingMark, 'cr-pending'));
  if (cell.flagged) button.append(el('span', t.flaggedMark, 'cr-flag'));
  const target: Shown = {
    id: cell.submissionId,
    learnerId: row.learnerId,
    learner: row.name,
    assignmentId: col.assignmentId,
    lesson: col.lesson,
    column: columnLabel(col),
    cellKey: key,
  };
  button.addEventListener('click', () => void openSubmission(target));
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
/** What the dialog shows: a learner's exercise, and one of its submissions (`id`; null: the newest, once the history is read). */
interface Shown {
  id: string | null;
  learnerId: string;
  learner: string;
  assignmentId: string;
  lesson: string;
  column: string;
  cellKey: string;
}
let shown: Shown | null = null;
/** The cell's counted submission, for the history's "counted" mark. */
let countedId: string | null = null;

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
    ...Object.keys(sub.files)
      .sort()
      .map((name) => {
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

function renderHistory(history: SubmissionHistory, showingId: string | null): void {
  const host = need<HTMLElement>(dialog, '[data-submission-history]');
  const { table, tbody } = dataTable(t.historyCaption(history.name), [t.historyTime, t.historyResult, '']);
  for (const s of history.submissions) {
    const tr = el('tr');
    const when = localTime(s.createdAt);
    const time = el('td');
    time.append(timeEl(s.createdAt, when));
    const result = el('td');
    const status = s.pending ? 'pending' : (s.override?.status ?? s.result.status);
    result.append(statusLabel(status, statusText(status, s.late, s.override !== null)));
    if (s.id === countedId) result.append(` · ${t.historyCounted}`);
    const action = el('td');
    if (s.id === showingId) {
      action.textContent = t.historyShown;
      tr.setAttribute('aria-current', 'true');
    } else {
      const show = el('button', t.historyShow);
      show.type = 'button';
      show.setAttribute('aria-label', t.historyShowLabel(when));
      show.addEventListener('click', () => {
        if (!shown) return;
        void openSubmission({ ...shown, id: s.id }, false);
      });
      action.append(show);
    }
    tr.append(time, result, action);
    tbody.append(tr);
  }
  host.replaceChildren(table);
  if (history.truncated) host.append(el('p', t.historyTruncated(history.submissions.length), 'cr-meta'));
}

/**
 * Opens (or, `fresh` false, updates) the dialog on one of a learner's
 * submissions for an exercise, with their history for it. A cell with only
 * pending submissions has no counted one: the newest is shown.
 */
async function openSubmission(target: Shown, fresh = true): Promise<void> {
  shown = target;
  const dialogStatus = need<HTMLElement>(dialog, '[data-submission-status]');
  if (fresh) {
    countedId = target.id;
    need<HTMLElement>(dialog, '[data-submission-heading]').textContent = t.submissionHeading(target.learner, target.column);
    need<HTMLElement>(dialog, '[data-submission-meta]').replaceChildren();
    need<HTMLElement>(dialog, '[data-check-summary]').textContent = '';
    need<HTMLElement>(dialog, '[data-check-results]').replaceChildren();
    need<HTMLElement>(dialog, '[data-submission-files]').replaceChildren();
    need<HTMLElement>(dialog, '[data-submission-history]').replaceChildren();
    setMessage(need<HTMLElement>(overrideForm, '[data-message]'), '');
    overrideForm.hidden = true;
    setMessage(dialogStatus, t.loading);
  }
  if (!dialog.open) dialog.showModal();
  try {
    const history = await submissionHistory(classId, target.learnerId, target.assignmentId, target.lesson);
    const id = target.id ?? history.submissions[0]?.id ?? null;
    if (shown !== target) return; // another cell or submission was opened meanwhile
    renderHistory(history, id);
    if (!id) return setMessage(dialogStatus, '');
    const sub = await getSubmission(id);
    if (shown !== target) return;
    shown = { ...target, id };
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
  if (!shown.id) return;
  const sub = await overrideSubmission(shown.id, {
    status: choice === 'pass' || choice === 'fail' ? choice : null,
    comment: field(data, 'comment'),
  });
  renderOverride(sub);
  await refreshResults();
  // The history's marks follow the override.
  void openSubmission(shown, false);
  return t.overrideSaved;
});

// ------------------------------------------------------------------ actions

async function refreshAll(): Promise<void> {
  const [c, grid] = await Promise.all([getClass(classId), getResults(classId)]);
  renderClass(c);
  renderGrid(grid);
}

const joinMessage = need<HTMLElement>(body, '[data-join-message]');
for (const [selector, action] of [
  ['[data-join-rotate]', 'rotate'],
  ['[data-join-close]', 'close'],
] as const) {
  bindAction(need<HTMLButtonElement>(body, selector), joinMessage, async () => {
    const { joinCode: code } = await joinCode(classId, action);
    renderJoining(code);
    // Closing hides the Close button; focus stays on the section's other button.
    need<HTMLButtonElement>(body, '[data-join-rotate]').focus();
    return code === null ? t.codeClosed : t.codeRotated(code);
  });
}

const linkField = need<HTMLInputElement>(body, '[data-join-link]');
need<HTMLButtonElement>(body, '[data-copy-link]').addEventListener('click', async () => {
  try {
    await navigator.clipboard.writeText(linkField.value);
    setMessage(joinMessage, t.linkCopied);
  } catch {
    // No clipboard permission (an http:// address, an old browser): select it for Ctrl+C.
    linkField.focus();
    linkField.select();
    setMessage(joinMessage, t.copyFailed);
  }
});

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

const refreshButton = need<HTMLButtonElement>(body, '[data-refresh]');
bindAction(refreshButton, resultsMessage, async () => {
  await refreshAll();
  return t.refreshed;
});

// ------------------------------------------------------- the assignment form

const assignmentForm = need<HTMLFormElement>(body, '[data-create-assignment]');
const formHeading = need<HTMLElement>(assignmentForm, '#create-assignment-heading');
const formButton = need<HTMLButtonElement>(assignmentForm, 'button[type=submit]');
const cancelEdit = el('button', t.cancelEditButton);
cancelEdit.type = 'button';
cancelEdit.hidden = true;
formButton.after(cancelEdit);
/** The assignment the form edits; null: it makes a new one. */
let editing: Assignment | null = null;

/** An ISO time as the value of an <input type=datetime-local> (local time, minutes). */
function isoToLocalInput(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function startEditing(a: Assignment): void {
  editing = a;
  formHeading.textContent = t.editAssignmentHeading(a.title);
  formButton.textContent = t.saveAssignmentButton;
  cancelEdit.hidden = false;
  need<HTMLInputElement>(assignmentForm, '[name=title]').value = a.title;
  for (const box of assignmentForm.querySelectorAll<HTMLInputElement>('input[name=lessons]')) box.checked = a.lessons.includes(box.value);
  need<HTMLInputElement>(assignmentForm, '[name=due]').value = a.due ? isoToLocalInput(a.due) : '';
  for (const radio of assignmentForm.querySelectorAll<HTMLInputElement>('input[name=latePolicy]')) radio.checked = radio.value === a.latePolicy;
  setMessage(need<HTMLElement>(assignmentForm, '[data-message]'), '');
  need<HTMLInputElement>(assignmentForm, '[name=title]').focus();
}

function stopEditing(): void {
  const was = editing;
  editing = null;
  assignmentForm.reset();
  formHeading.textContent = t.newAssignmentHeading;
  formButton.textContent = t.createAssignmentButton;
  cancelEdit.hidden = true;
  // Back to the Edit button that started it, if it is still there.
  if (was) body.querySelector<HTMLButtonElement>(`[data-assignment-action=edit][data-assignment-id="${CSS.escape(was.id)}"]`)?.focus();
}
cancelEdit.addEventListener('click', stopEditing);

bindForm(assignmentForm, async (data) => {
  const title = field(data, 'title');
  const lessons = data.getAll('lessons').filter((v): v is string => typeof v === 'string');
  if (lessons.length === 0) throw new Error(t.pickALesson);
  const due = localInputToIso(field(data, 'due'));
  const latePolicy = field(data, 'latePolicy') === 'accept' ? 'accept' : 'mark';
  if (editing) {
    const removed = editing.lessons.filter((l) => !lessons.includes(l)).length;
    if (removed && !confirm(t.confirmRemoveLessons(removed))) return '';
    const saved = await updateAssignment(classId, editing.id, { title, lessons, latePolicy, due });
    // Redrawn first, so the focus goes back to the new list's Edit button.
    await refreshAll();
    stopEditing();
    return t.assignmentSaved(saved.title, saved.removedSubmissions);
  }
  await createAssignment(classId, { title, lessons, latePolicy, ...(due ? { due } : {}) });
  assignmentForm.reset();
  await refreshAll();
  return t.assignmentCreated(title);
});

// ------------------------------------------------------------ class settings

const settingsMessage = need<HTMLElement>(body, '[data-settings-message]');
bindForm(need<HTMLFormElement>(body, '[data-rename-class]'), async (data) => {
  const c = await updateClass(classId, { name: field(data, 'name') });
  await refreshAll();
  return t.renamed(c.name);
});

const archiveButton = need<HTMLButtonElement>(body, '[data-archive-class]');
bindAction(archiveButton, settingsMessage, async () => {
  const c = await updateClass(classId, { archived: !current?.archived });
  await refreshAll();
  return c.archived ? t.classArchived : t.classRestored;
});

need<HTMLButtonElement>(body, '[data-delete-class]').addEventListener('click', async () => {
  if (!current || !confirm(t.confirmDeleteClass(current.name))) return;
  try {
    await deleteClass(classId);
    location.assign('/teach/');
  } catch (err) {
    setMessage(settingsMessage, t.actionFailed((err as Error).message), true);
  }
});

// ------------------------------------------------------------------ live

const liveStatus = need<HTMLElement>(body, '[data-live-status]');
const liveAnnounce = need<HTMLElement>(body, '[data-live-announce]');
/** Events within this long are one redraw: a class submitting together does not redraw the grid 30 times a second. */
const REDRAW_DELAY_MS = 400;
/** After the server refused the stream (EventSource gives up on a non-200), try again this much later. */
const RECONNECT_AFTER_REFUSAL_MS = 15_000;
let redraw: ReturnType<typeof setTimeout> | null = null;
let redrawClassToo = false;

function scheduleRedraw(classToo: boolean): void {
  redrawClassToo ||= classToo;
  if (redraw) return;
  redraw = setTimeout(() => {
    redraw = null;
    const whole = redrawClassToo;
    redrawClassToo = false;
    (whole ? refreshAll() : refreshResults()).catch((err) => setMessage(resultsMessage, t.loadFailed((err as Error).message), true));
  }, REDRAW_DELAY_MS);
}

function announce(e: ClassSubmissionEvent): void {
  const learner = currentGrid?.rows.find((r) => r.learnerId === e.learnerId)?.name ?? '';
  const col = currentGrid?.columns.find((c) => c.assignmentId === e.assignmentId && c.lesson === e.lesson);
  liveAnnounce.textContent = t.liveUpdate(learner, col ? columnLabel(col) : e.lesson, statusText(e.status));
}

function setLive(on: boolean): void {
  liveStatus.textContent = on ? t.liveOn : t.liveLost;
  refreshButton.hidden = on;
}

function connectLive(): void {
  const source = new EventSource(classEventsUrl(classId));
  source.addEventListener('open', () => {
    setLive(true);
    // Events between two streams are not replayed: read the grid afresh.
    scheduleRedraw(true);
  });
  source.addEventListener('submission', (message) => {
    let e: ClassSubmissionEvent;
    try {
      e = parseJson(ClassSubmissionEventSchema, (message as MessageEvent<string>).data, 'a live event of the class');
    } catch (err) {
      setMessage(resultsMessage, t.loadFailed((err as Error).message), true);
      scheduleRedraw(false);
      return;
    }
    announce(e);
    scheduleRedraw(false);
    // The open dialog follows its exercise (a grade arriving, a new submission).
    if (shown && dialog.open && shown.learnerId === e.learnerId && shown.assignmentId === e.assignmentId && shown.lesson === e.lesson) {
      void openSubmission(shown, false);
    }
  });
  // The class, its learners or assignments changed: the lists and the grid's columns and rows.
  source.addEventListener('change', () => scheduleRedraw(true));
  source.addEventListener('deleted', () => {
    source.close();
    liveStatus.textContent = '';
    body.hidden = true;
    setMessage(status, t.classDeleted, true);
  });
  source.addEventListener('error', () => {
    setLive(false);
    // CLOSED: the server refused (401, 404, 429); the browser will not retry by itself.
    if (source.readyState === EventSource.CLOSED) setTimeout(connectLive, RECONNECT_AFTER_REFUSAL_MS);
  });
}

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
    connectLive();
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
