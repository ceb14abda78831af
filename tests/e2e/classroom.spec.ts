/**
 * Classes in two real browsers against the real server: a teacher signs up,
 * creates a class and an assignment; a learner (another browser context, so
 * other cookies) joins with the code, keeps their lesson progress, submits the
 * starting files (fail), survives a failed submission with the files intact,
 * then submits the solution typed into the editor (pass). The teacher's grid
 * shows the pass, the submission opens with its files and checks, an override
 * shows and goes away, Regrade all runs, and the CSV download contains the pass.
 * Then the recovery code is reset (the old one stops working), and joining is
 * closed and opened again with a new code; the teacher signs out and back in.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { LESSON, editorRegion, replaceEditorText } from './workbench.ts';

const SOLUTION = readFileSync(join(import.meta.dirname, '..', '..', 'content', LESSON, 'exercise', 'solution', 'main.go'), 'utf8');
const PASSWORD = 'correct horse battery';
/** A datetime-local value one day ahead, in the browser's local time. */
const tomorrowLocal = () => {
  const d = new Date(Date.now() + 24 * 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
};

test('teacher assigns, learner joins and submits, the grid and the CSV show the pass', async ({ browser }) => {
  test.setTimeout(300_000);
  const teacher = await (await browser.newContext()).newPage();
  const learner = await (await browser.newContext()).newPage();

  // ---- The teacher signs up and creates a class.
  await teacher.goto('/teach/');
  const signup = teacher.getByRole('form', { name: 'Create a teacher account' });
  await signup.getByLabel('Your name').fill('Grace Hopper');
  const email = `grace-${Date.now()}@example.com`;
  await signup.getByLabel('Email').fill(email);
  await signup.getByLabel('Password').fill('short');
  await signup.getByRole('button', { name: 'Create account' }).click();
  await expect(signup.locator('[data-message]')).toHaveAttribute('data-kind', 'error'); // the server's 400, shown
  await signup.getByLabel('Password').fill(PASSWORD);
  await signup.getByRole('button', { name: 'Create account' }).click();
  await expect(teacher.getByText(/^Signed in as Grace Hopper/)).toBeVisible();
  await expect(teacher.getByText('No classes yet: create one below.')).toBeVisible();

  const create = teacher.getByRole('form', { name: 'Create a class' });
  await create.getByLabel('Class name').fill('Period 3');
  await create.getByRole('button', { name: 'Create class' }).click();
  await expect(create.getByText(/Class “Period 3” created; its join code is \S+\./)).toBeVisible();
  const item = teacher.getByRole('listitem').filter({ has: teacher.getByRole('link', { name: 'Period 3' }) });
  await expect(item).toContainText('0 learners · 0 assignments');
  const code = (await item.locator('.cr-code').textContent())!.trim();
  expect(code).toMatch(/\S{4,}/);

  // ---- The class page: an assignment with the lesson's exercise, due tomorrow.
  await item.getByRole('link', { name: 'Period 3' }).click();
  await expect(teacher.getByRole('heading', { level: 1, name: 'Period 3' })).toBeVisible();
  await expect(teacher.getByText(code, { exact: true })).toBeVisible();
  const form = teacher.getByRole('form', { name: 'New assignment' });
  await form.getByLabel('Title').fill('Week 1');
  await form.getByRole('button', { name: 'Create assignment' }).click();
  await expect(form.getByText('Pick at least one exercise.')).toBeVisible();
  await form.locator(`input[name=lessons][value="${LESSON}"]`).check();
  await form.getByLabel(/^Due/).fill(tomorrowLocal());
  await form.getByRole('button', { name: 'Create assignment' }).click();
  await expect(form.getByText('Assignment “Week 1” created.')).toBeVisible();
  const assignments = teacher.getByRole('region', { name: 'Assignments' });
  await expect(assignments.getByRole('heading', { name: 'Week 1' })).toBeVisible();
  await expect(assignments.getByText(/^due /)).toBeVisible();
  await expect(teacher.getByText('No learners have joined yet.')).toBeVisible();

  // ---- The learner, with progress from before, joins with the code.
  await learner.goto('/');
  await learner.evaluate(() => localStorage.setItem('golab:done-lessons', JSON.stringify(['go-test/the-test-binary'])));
  await learner.goto('/join/');
  const joinForm = learner.getByRole('form', { name: 'Join a class' });
  await joinForm.getByLabel('Join code').fill('NOPE-NOPE');
  await joinForm.getByLabel(/^Your name/).fill('Ada');
  await joinForm.getByRole('button', { name: 'Join' }).click();
  await expect(joinForm.locator('[data-message]')).toHaveAttribute('data-kind', 'error');
  await joinForm.getByLabel('Join code').fill(code);
  await joinForm.getByRole('button', { name: 'Join' }).click();
  await expect(learner.getByRole('heading', { name: 'You joined Period 3' })).toBeVisible();
  await expect(learner.getByText(/Write this down now/)).toBeVisible();
  const recoveryCode = (await learner.locator('[data-recovery-code]').textContent())!.trim();
  expect(recoveryCode.length).toBeGreaterThan(5);
  expect(await learner.evaluate(() => localStorage.getItem('golab:done-lessons'))).toBe('["go-test/the-test-binary"]');

  await learner.goto('/classroom/');
  await expect(learner.getByText('Ada in Period 3')).toBeVisible();
  const week1 = learner.getByRole('region', { name: 'Week 1' });
  await expect(week1.getByText(/^due /)).toBeVisible();
  await expect(week1.getByRole('row').filter({ hasText: '– not started' })).toHaveCount(1);

  // ---- The lesson: Submit beside Check; the starting files fail.
  await week1.getByRole('link').first().click();
  await expect(editorRegion(learner).locator('.monaco-editor')).toBeVisible();
  await expect(learner).toHaveURL(new RegExp(`/${LESSON}/`));
  await expect(learner.getByRole('tab', { name: 'main.go' })).toHaveAttribute('aria-selected', 'true');
  const exercise = learner.getByRole('region', { name: /Exercise/ });
  const submit = exercise.getByRole('button', { name: 'Submit to Week 1' });
  await submit.click();
  // "grading…" shows until the grade lands; these very files may have been graded lately (then at once).
  await expect(exercise.getByText(/^Submitted to Week 1( and saved; grading…|\.)$/)).toBeVisible();
  await expect(exercise.getByText('4 of 5 checks did not pass.')).toBeVisible({ timeout: 90_000 });
  await expect(exercise.getByText('Submitted to Week 1.')).toBeVisible();

  // A submission that fails to arrive: a clear error, the typed files untouched.
  await replaceEditorText(learner, SOLUTION);
  await learner.route('**/api/assignments/*/submissions', (route) =>
    route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: 'the lab is restarting' }) }),
  );
  await submit.click();
  await expect(exercise.getByText('Not submitted: the lab is restarting. Your files are unchanged; try again.')).toBeVisible();
  await expect(editorRegion(learner).locator('.view-lines')).toContainText('os.Args');
  await learner.unroute('**/api/assignments/*/submissions');

  await submit.click();
  await expect(exercise.getByText('All checks passed. Lesson done.')).toBeVisible({ timeout: 90_000 });
  await expect(exercise.getByText('Submitted to Week 1.')).toBeVisible();
  await learner.goto('/classroom/');
  await expect(learner.getByRole('region', { name: 'Week 1' }).getByText('✓ passed')).toBeVisible();

  // ---- The teacher's grid (live: no reload, no Refresh): the pass, its submission, an override, regrade.
  const grid = teacher.getByRole('region', { name: 'Results grid' });
  await expect(grid.getByRole('columnheader', { name: /Week 1 \/ .*1 passed, 0 failed, 0 errors, 0 not started/ })).toBeVisible();
  const cell = grid.getByRole('button', { name: /^✓ passed — Ada, Week 1/ });
  await expect(cell).toBeVisible();
  await expect(grid.getByText('2 submissions')).toBeVisible();
  await cell.focus();
  await teacher.keyboard.press('Enter');
  const dialog = teacher.getByRole('dialog');
  await expect(dialog.getByRole('heading', { name: /^Ada: Week 1/ })).toBeVisible();
  await expect(dialog.getByText('All checks passed. Lesson done.')).toBeVisible();
  await expect(dialog.getByRole('figure').filter({ hasText: 'main.go' }).locator('pre')).toContainText('os.Args');

  await dialog.getByLabel('Failed').check();
  await dialog.getByLabel('Comment').fill('talk to me');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog.getByText('Overridden: ✗ failed — talk to me')).toBeVisible();
  await expect(grid.getByRole('button', { name: /^✗ failed · ✎ overridden — Ada/ })).toBeAttached();
  await dialog.getByLabel('No override').check();
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog.getByText('Saved.')).toBeVisible();
  await expect(grid.getByRole('button', { name: /^✓ passed — Ada/ })).toBeAttached();
  await teacher.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(grid.getByRole('button', { name: /^✓ passed — Ada/ })).toBeFocused();

  const regrade = teacher.getByRole('button', { name: 'Regrade all' });
  await regrade.click();
  await expect(regrade).toBeDisabled();
  await expect(teacher.getByText(/^Regrading every counted submission/)).toBeVisible();
  await expect(teacher.getByText('Regraded 1: 0 changed, 0 could not be graded.')).toBeVisible({ timeout: 90_000 });
  await expect(regrade).toBeEnabled();

  // ---- The CSV download has the learner's pass.
  const [download] = await Promise.all([teacher.waitForEvent('download'), teacher.getByRole('link', { name: 'Download CSV' }).click()]);
  const csv = readFileSync((await download.path())!, 'utf8');
  const lines = csv.trim().split(/\r?\n/);
  expect(lines[0]).toContain(`Week 1 / ${LESSON}`);
  expect(lines.find((l) => /^"?Ada"?,/.test(l))).toMatch(/,"?pass"?$/);

  // The learner can get back in from another browser with the recovery code.
  const elsewhere = await (await browser.newContext()).newPage();
  await elsewhere.goto('/join/');
  const recoverForm = elsewhere.getByRole('form', { name: 'Get back in with a recovery code' });
  await recoverForm.getByLabel('Recovery code').fill(recoveryCode);
  await recoverForm.getByRole('button', { name: 'Get back in' }).click();
  await expect(recoverForm.getByText('Welcome back, Ada: you are in Period 3.')).toBeVisible();
  await elsewhere.goto('/classroom/');
  await expect(elsewhere.getByRole('region', { name: 'Week 1' }).getByText('✓ passed')).toBeVisible();

  // The learner's workspace back to the starting files (the editor autosaved the solution).
  const reset = await learner.request.post(`/api/workspace/reset?lesson=${encodeURIComponent(LESSON)}`);
  expect(reset.ok()).toBeTruthy();

  // ---- The teacher hands out a new recovery code: the old one stops working.
  const learners = teacher.getByRole('region', { name: 'Learners' });
  await expect(learners.getByRole('row', { name: /Ada/ })).toContainText(recoveryCode);
  await learners.getByRole('button', { name: 'New recovery code for Ada' }).click();
  await expect(learners.getByText('Ada has a new recovery code; the old one no longer works.')).toBeVisible();
  await expect(learners.getByRole('row', { name: /Ada/ })).not.toContainText(recoveryCode);
  await elsewhere.goto('/join/');
  await recoverForm.getByLabel('Recovery code').fill(recoveryCode);
  await recoverForm.getByRole('button', { name: 'Get back in' }).click();
  await expect(recoverForm.locator('[data-message]')).toHaveAttribute('data-kind', 'error');

  // ---- Joining: close it (the code stops working), then open it with a new code.
  const joining = teacher.getByRole('region', { name: 'Joining' });
  await joining.getByRole('button', { name: 'Close joining' }).click();
  await expect(joining.getByText('Joining is closed: no code works.', { exact: false })).toBeVisible();
  await expect(joining.getByRole('button', { name: 'Close joining' })).toBeHidden();
  const late = await (await browser.newContext()).newPage();
  await late.goto('/join/');
  const lateJoin = late.getByRole('form', { name: 'Join a class' });
  await lateJoin.getByLabel('Join code').fill(code);
  await lateJoin.getByLabel(/^Your name/).fill('Linus');
  await lateJoin.getByRole('button', { name: 'Join' }).click();
  await expect(lateJoin.getByText('no open class with this code')).toBeVisible();
  await joining.getByRole('button', { name: 'Open joining with a new code' }).click();
  await expect(joining.getByText(/^The join code is now \S+; the old one no longer works\.$/)).toBeVisible();
  const newCode = (await joining.locator('[data-join-code]').textContent())!.trim();
  expect(newCode).not.toBe(code);
  await lateJoin.getByLabel('Join code').fill(newCode);
  await lateJoin.getByRole('button', { name: 'Join' }).click();
  await expect(late.getByRole('heading', { name: 'You joined Period 3' })).toBeVisible();

  // ---- Sign out, a wrong password, sign in: the class with its counts.
  await teacher.goto('/teach/');
  await teacher.getByRole('button', { name: 'Sign out' }).click();
  await expect(teacher.getByText('Signed out.')).toBeVisible();
  const login = teacher.getByRole('form', { name: 'Sign in' });
  await expect(login.getByLabel('Email')).toBeFocused();
  await login.getByLabel('Email').fill(email);
  await login.getByLabel('Password').fill('not the password');
  await login.getByRole('button', { name: 'Sign in' }).click();
  await expect(login.getByText('wrong email or password')).toBeVisible();
  await login.getByLabel('Password').fill(PASSWORD);
  await login.getByLabel('Password').press('Enter');
  await expect(teacher.getByRole('heading', { name: 'Your classes' })).toBeFocused();
  await expect(teacher.getByRole('listitem').filter({ has: teacher.getByRole('link', { name: 'Period 3' }) })).toContainText(
    `${newCode} · 2 learners · 1 assignment`,
  );
});
