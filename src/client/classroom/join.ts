/**
 * /join/: join a class (code + name) and see the recovery code once, or get
 * back in with a recovery code. A join link (?code=…) fills the code in. Only the server's learner cookie changes: the
 * browser's own progress (localStorage, progress.ts) is left alone.
 */
import { classroomUi } from '../../lib/ui-strings-classroom.ts';
import { join, myAssignments, recover } from './api.ts';
import { bindForm, field, need, setMessage } from './forms.ts';

const t = classroomUi;
const status = need<HTMLElement>(document, '[data-page-status]');

const joinForm = need<HTMLFormElement>(document, '[data-join]');
// The teacher's join link (/join/?code=…) fills the code in: the learner types only a name.
const linkedCode = new URLSearchParams(location.search).get('code');
if (linkedCode) need<HTMLInputElement>(joinForm, '[name=code]').value = linkedCode;
bindForm(joinForm, async (data) => {
  const result = await join(field(data, 'code'), field(data, 'name'));
  joinForm.reset();
  const box = need<HTMLElement>(document, '[data-joined]');
  need<HTMLElement>(box, '[data-joined-heading]').textContent = t.joinedHeading(result.className);
  need<HTMLElement>(box, '[data-recovery-code]').textContent = result.recoveryCode;
  box.hidden = false;
  box.focus(); // the code is the one thing to read now
  setMessage(status, t.alreadyIn(result.name, result.className));
});

bindForm(need<HTMLFormElement>(document, '[data-recover]'), async (data) => {
  const result = await recover(field(data, 'recoveryCode'));
  setMessage(status, t.alreadyIn(result.name, result.className));
  return t.recovered(result.name, result.className);
});

// Say who this browser already is in a class, if anyone (401: nobody yet).
void myAssignments().then(
  (mine) => setMessage(status, t.alreadyIn(mine.learner.name, mine.learner.className)),
  () => undefined,
);
