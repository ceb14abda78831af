/**
 * /teach/: sign up, sign in and out; the signed-in teacher's classes with
 * their join codes and counts, and a form to create a class.
 */
import type { ClassSummary, TeacherInfo } from '../../lib/protocol-classroom.ts';
import { classroomUi } from '../../lib/ui-strings-classroom.ts';
import { ApiError, createClass, listClasses, teacherLogin, teacherLogout, teacherMe, teacherSignup } from './api.ts';
import { bindAction, bindForm, el, field, need, setMessage } from './forms.ts';

const t = classroomUi;
const status = need<HTMLElement>(document, '[data-page-status]');
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
  if (c.archived) meta.append(t.archivedMark);
  else if (c.joinCode) meta.append(`${t.joinCodeIs} `, el('span', c.joinCode, 'cr-code'));
  else meta.append(`${t.joinCodeIs} ${t.joiningClosed}`);
  meta.append(` · ${t.learnerCount(c.learners)} · ${t.assignmentCount(c.assignments)}`);
  li.append(heading, meta);
  return li;
}

async function showClasses(): Promise<void> {
  const classes = await listClasses();
  // Archived classes last: the ones in use come first.
  list.replaceChildren(...[...classes.filter((c) => !c.archived), ...classes.filter((c) => c.archived)].map(classItem));
  noClasses.hidden = classes.length > 0;
}

async function showSignedIn(me: TeacherInfo): Promise<void> {
  signedOut.hidden = true;
  signedIn.hidden = false;
  need<HTMLElement>(document, '[data-teacher-who]').textContent = t.signedInAs(me.name, me.email);
  await showClasses();
}

function showSignedOut(): void {
  signedIn.hidden = true;
  signedOut.hidden = false;
}

/** Sign in and sign up end alike: the teacher's classes, and focus on them (the form that had it is hidden). */
function bindSignIn(selector: string, signIn: (data: FormData, password: string) => Promise<TeacherInfo>): void {
  bindForm(need<HTMLFormElement>(document, selector), async (data) => {
    // A password is sent as typed: spaces are part of it (field() trims).
    await showSignedIn(await signIn(data, String(data.get('password') ?? '')));
    setMessage(status, '');
    need<HTMLElement>(document, '#classes-heading').focus();
  });
}
bindSignIn('[data-teacher-login]', (data, password) => teacherLogin(field(data, 'email'), password));
bindSignIn('[data-teacher-signup]', (data, password) => teacherSignup(field(data, 'email'), password, field(data, 'name')));

const createForm = need<HTMLFormElement>(document, '[data-create-class]');
bindForm(createForm, async (data) => {
  const name = field(data, 'name');
  const created = await createClass(name);
  createForm.reset();
  await showClasses();
  return t.classCreated(name, created.joinCode);
});

bindAction(need<HTMLButtonElement>(document, '[data-sign-out]'), status, async () => {
  await teacherLogout();
  showSignedOut();
  need<HTMLInputElement>(document, '#login-email').focus();
  return t.signedOut;
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
