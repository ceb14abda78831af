/**
 * In the browser: the teacher's class page is live. A learner who
 * joins with the copied join link appears in the grid, a submission shows as
 * "submitted, grading" and then as its grade, all without a reload; the
 * learner's lesson page says "saved; grading…" until the grade comes (held
 * back here by delaying the submission's event stream, so the state can be
 * seen). The teacher reads the learner's history, edits, archives and deletes
 * the assignment, renames and deletes the class.
 */
import { expect, test } from '@playwright/test';
import { LESSON, editorRegion } from './workbench.ts';

test('the live grid and the learner\'s "grading…" state', async ({ browser }) => {
  test.setTimeout(240_000);
  const teacherContext = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
  const teacher = await teacherContext.newPage();
  const learner = await (await browser.newContext()).newPage();

  // A class with an assignment, set up through the API: the pages are what is tested.
  const api = teacher.request;
  const signup = await api.post('/api/teacher/signup', { data: { email: `live-${Date.now()}@example.com`, password: 'correct horse battery', name: 'Grace' } });
  expect(signup.status(), await signup.text()).toBe(201);
  const { id, joinCode } = (await (await api.post('/api/classes', { data: { name: 'Live class' } })).json()) as { id: string; joinCode: string };
  expect((await api.post(`/api/classes/${id}/assignments`, { data: { title: 'Week 1', lessons: [LESSON] } })).status()).toBe(201);

  await teacher.goto(`/teach/class/?id=${encodeURIComponent(id)}`);
  await expect(teacher.getByText('Live: results update by themselves.')).toBeVisible();
  await expect(teacher.getByRole('button', { name: 'Refresh results' })).toBeHidden();

  // ---- The full join link, copied.
  const joining = teacher.getByRole('region', { name: 'Joining' });
  const link = joining.getByLabel(/^Join link/);
  await expect(link).toHaveValue(new RegExp(`^https?://[^/]+/join/\\?code=${joinCode}$`));
  await joining.getByRole('button', { name: 'Copy link' }).click();
  await expect(joining.getByText('Link copied.')).toBeVisible();
  const copied = await teacher.evaluate(() => navigator.clipboard.readText());
  expect(copied).toBe(await link.inputValue());

  // ---- The learner opens the link: the code is filled in; joining shows in the grid without a reload.
  await learner.goto(copied);
  const joinForm = learner.getByRole('form', { name: 'Join a class' });
  await expect(joinForm.getByLabel('Join code')).toHaveValue(joinCode);
  await joinForm.getByLabel(/^Your name/).fill('Ada');
  await joinForm.getByRole('button', { name: 'Join' }).click();
  await expect(learner.getByRole('heading', { name: 'You joined Live class' })).toBeVisible();
  const grid = teacher.getByRole('region', { name: 'Results grid' });
  await expect(grid.getByRole('row', { name: /Ada/ })).toContainText('– not started');

  // ---- Submit, with the grade held back: "saved; grading…" for the learner, pending for the teacher.
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  await learner.route('**/api/submissions/*/events', async (route) => {
    await held;
    await route.continue();
  });
  await learner.goto(`/${LESSON}/`);
  await expect(editorRegion(learner).locator('.monaco-editor')).toBeVisible();
  const exercise = learner.getByRole('region', { name: /Exercise/ });
  await exercise.getByRole('button', { name: 'Submit to Week 1' }).click();
  await expect(exercise.getByRole('status').filter({ hasText: 'Submitted to Week 1 and saved; grading…' })).toBeVisible();
  await expect(exercise.getByRole('button', { name: 'Submit to Week 1' })).toBeEnabled(); // saved: the learner may go on
  await expect(
    grid.getByRole('button', { name: /^⋯ submitted, grading — Ada, Week 1/ }).or(grid.getByRole('button', { name: /^✗ failed — Ada, Week 1/ })),
  ).toBeVisible();

  release();
  await expect(exercise.getByText('4 of 5 checks did not pass.')).toBeVisible({ timeout: 90_000 });
  await expect(exercise.getByRole('status').filter({ hasText: 'Submitted to Week 1.' })).toBeVisible();
  // The teacher's grid follows by itself, and says so in its live region.
  const cell = grid.getByRole('button', { name: /^✗ failed — Ada, Week 1/ });
  await expect(cell).toBeVisible({ timeout: 90_000 });
  await expect(teacher.locator('[data-live-announce]')).toHaveText(/^Ada, Week 1 \/ .*: ✗ failed$/);
  await expect(grid.getByRole('columnheader', { name: /0 passed, 1 failed, 0 errors, 0 not started/ })).toBeVisible();

  // ---- The history in the submission dialog.
  await cell.click();
  const dialog = teacher.getByRole('dialog');
  const history = dialog.getByRole('region', { name: 'All submissions for this exercise' });
  await expect(history.getByRole('row')).toHaveCount(2); // the heading row and the one submission
  await expect(history.getByRole('row').nth(1)).toContainText('✗ failed · counted');
  await expect(history.getByRole('row').nth(1)).toContainText('shown');
  await teacher.keyboard.press('Escape');
  await expect(cell).toBeFocused();

  // ---- Edit the assignment: the grid's column follows.
  teacher.on('dialog', (d) => void d.accept());
  const assignments = teacher.getByRole('region', { name: 'Assignments' });
  await assignments.getByRole('button', { name: 'Edit “Week 1”' }).click();
  const form = teacher.getByRole('form', { name: 'Edit “Week 1”' });
  await expect(form.getByLabel('Title')).toBeFocused();
  await form.getByLabel('Title').fill('Week one');
  await form.getByRole('button', { name: 'Save changes' }).click();
  // Saved, the form is the "New assignment" form again, and the focus is back on the Edit button.
  await expect(teacher.getByRole('form', { name: 'New assignment' }).getByText('“Week one” saved.')).toBeVisible();
  await expect(assignments.getByRole('button', { name: 'Edit “Week one”' })).toBeFocused();
  await expect(grid.getByRole('columnheader', { name: /^Week one \// })).toBeVisible();
  // A change made elsewhere (another tab) redraws the lists live; the keyboard keeps its place.
  expect((await api.patch(`/api/classes/${id}`, { data: { name: 'Live class, renamed elsewhere' } })).status()).toBe(200);
  await expect(teacher.getByRole('heading', { level: 1, name: 'Live class, renamed elsewhere' })).toBeVisible();
  await expect(assignments.getByRole('button', { name: 'Edit “Week one”' })).toBeFocused();

  // Archive (hidden from the learner), restore, delete (its submissions go).
  await assignments.getByRole('button', { name: 'Archive “Week one”' }).click();
  await expect(assignments.getByText('“Week one” archived.')).toBeVisible();
  await expect(assignments.getByRole('heading', { name: 'Week one (archived)' })).toBeVisible();
  await learner.goto('/classroom/');
  await expect(learner.getByText('No assignments yet.')).toBeVisible();
  await assignments.getByRole('button', { name: 'Restore “Week one”' }).click();
  await expect(assignments.getByText('“Week one” restored.')).toBeVisible();
  await assignments.getByRole('button', { name: 'Delete “Week one”' }).click();
  await expect(assignments.getByText('“Week one” deleted.')).toBeVisible();
  await expect(teacher.getByText('No assignments yet: create one to see results here.')).toBeVisible();

  // ---- Rename the class, then delete it.
  const settings = teacher.getByRole('region', { name: 'Class settings' });
  await settings.getByLabel('Class name').fill('Live class B');
  await settings.getByRole('button', { name: 'Rename' }).click();
  await expect(teacher.getByRole('heading', { level: 1, name: 'Live class B' })).toBeVisible();
  await settings.getByRole('button', { name: 'Delete class…' }).click();
  await expect(teacher).toHaveURL(/\/teach\/$/);
  await expect(teacher.getByRole('link', { name: 'Live class B' })).toBeHidden();
});
