/**
 * /teach/: sign up, sign in and out; the signed-in teacher's classes with
 * their join codes and counts, and a form to create a class.
 */
import type { ClassSummary, TeacherInfo } from '../../lib/protocol.ts';
import { classroomUi } from '../../lib/ui-strings-classroom.ts';
import { ApiError, createClass, listClasses, teacherLogin, teacherLogout, teacherMe, teacherSignup } from './api.ts';
import { bindForm, el, field, need, setMessage } from './forms.ts';

const t = classroomUi;
const status = need<HTMLElement>(document, '[data-teach-status]');
const signedOut = need<HTMLElement>(document, '[data-signed-out]');
const signedIn = need<HTMLElement>(document, '[data-signed-in]');
const list = need<HTMLUListElement>(document, '[data-class-list]');
const noClasses = need<HTMLElement>(document, '[data-no-classes]');

/** The link to a class's page (a static page that reads the id from the query). */
const classPageUrl = (id: string) => `/teach/class/?id=${encodeURIComponent(id)}`;

function classItem(c: ClassSummary): HTMLLIElement {
  const li = el('li');
  const heading = el('h3');
  const link = el('a', c.name);
  link.href = classPageUrl(c.id);
  heading.append(link);
  const meta = el('p', undefined, 'cr-meta');
  if (c.joinCode) meta.append(`${t.joinCodeIs} `, el('span', c.joinCode, 'cr-code'));
  else meta.append(`${t.joinCodeIs} ${t.joiningClosed}`);
  meta.append(` · ${t.learnerCount(c.learners)} · ${t.assignmentCount(c.assignments)}`);
  li.append(heading, meta);
  return li;
}

async function showClasses(): Promise<void> {
  const classes = await listClasses();
  list.replaceChildren(...classes.map(classItem));
  noClasses.hidden = classes.length > 0;
}

async function showSignedIn(me: TeacherInfo): Promise<void> {
  signedOut.hidden = true;
  signedIn.hidden = false;
  need<HTMLElement>(document, '[data-teacher-who]').textContent = t.signedInAs(me.name, me.email);
  await showClasses();
}

/** After signing in the form that had focus is hidden: keyboard focus goes on to the classes. */
function focusClasses(): void {
  need<HTMLElement>(document, '#classes-heading').focus();
}

function showSignedOut(): void {
  signedIn.hidden = true;
  signedOut.hidden = false;
}

bindForm(need<HTMLFormElement>(document, '[data-teacher-login]'), async (data) => {
  const me = await teacherLogin(field(data, 'email'), String(data.get('password') ?? ''));
  await showSignedIn(me);
  setMessage(status, '');
  focusClasses();
});

bindForm(need<HTMLFormElement>(document, '[data-teacher-signup]'), async (data) => {
  const me = await teacherSignup(field(data, 'email'), String(data.get('password') ?? ''), field(data, 'name'));
  await showSignedIn(me);
  setMessage(status, '');
  focusClasses();
});

const createForm = need<HTMLFormElement>(document, '[data-create-class]');
bindForm(createForm, async (data) => {
  const name = field(data, 'name');
  const created = await createClass(name);
  createForm.reset();
  await showClasses();
  return t.classCreated(name, created.joinCode);
});

need<HTMLButtonElement>(document, '[data-sign-out]').addEventListener('click', async () => {
  try {
    await teacherLogout();
    showSignedOut();
    setMessage(status, t.signedOut);
    need<HTMLInputElement>(document, '#login-email').focus();
  } catch (err) {
    setMessage(status, t.actionFailed((err as Error).message), true);
  }
});

void (async () => {
  try {
    await showSignedIn(await teacherMe());
    setMessage(status, '');
  } catch (err) {
    showSignedOut();
    // 401 is the normal signed-out state; anything else is worth saying.
    const signedOutNormally = err instanceof ApiError && err.status === 401;
    setMessage(status, signedOutNormally ? '' : t.loadFailed((err as Error).message), !signedOutNormally);
  }
})();
