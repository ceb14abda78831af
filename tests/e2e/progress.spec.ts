/**
 * Progress follows the learner, in two real browsers: a learner
 * joins a class, types the exercise's solution and passes Check (the lesson
 * is done, the files autosaved); a second browser context (other cookies,
 * other workspace, empty localStorage) gets in with the recovery code and
 * shows the ✓, "1 of N done" on the home page, and the typed file in the
 * editor. An edit there then reaches the first browser, whose own files had
 * not changed since, on its next visit; when both browsers changed the file,
 * the first keeps its own text and loads the saved one only when asked.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { LESSON, editorRegion, editorText, replaceEditorText } from './workbench.ts';

const SOLUTION = readFileSync(join(import.meta.dirname, '..', '..', 'content', LESSON, 'exercise', 'solution', 'main.go'), 'utf8');
const q = `?lesson=${encodeURIComponent(LESSON)}`;

/** main.go in the page's workspace (what the editor autosaved: Monaco's auto-indent changes typed text). */
async function workspaceMain(page: Page): Promise<string> {
  const res = await page.request.get(`/api/workspace/files${q}`);
  expect(res.status()).toBe(200);
  return (await res.json()).files.find((f: { name: string }) => f.name === 'main.go').content as string;
}

/** The learner's copy on the server, as the page's own cookies see it. */
async function serverCopy(page: Page): Promise<string> {
  const res = await page.request.get(`/api/me/files${q}`);
  expect(res.status()).toBe(200);
  return ((await res.json()).files?.['main.go'] as string | undefined) ?? '';
}

async function openLesson(page: Page): Promise<void> {
  await page.goto(`/${LESSON}/`);
  await expect(editorRegion(page).locator('.monaco-editor')).toBeVisible();
  await expect(page.getByRole('tab', { name: 'main.go' })).toHaveAttribute('aria-selected', 'true');
}

test('done lessons and files follow the learner to another browser', async ({ browser }) => {
  test.setTimeout(240_000);
  // ---- A teacher's class (over the API: the class page has its own specs).
  const teacher = await browser.newContext();
  const signup = await teacher.request.post('/api/teacher/signup', {
    data: { email: `p-${Date.now()}@example.org`, password: 'correct horse battery', name: 'T' },
  });
  expect(signup.status()).toBe(201);
  const cls = await teacher.request.post('/api/classes', { data: { name: 'Progress class' } });
  const { joinCode } = await cls.json();

  // ---- Browser one: join, type the solution, pass Check.
  const one = await (await browser.newContext()).newPage();
  await one.goto('/join/');
  const joinForm = one.getByRole('form', { name: 'Join a class' });
  await joinForm.getByLabel('Join code').fill(joinCode);
  await joinForm.getByLabel(/^Your name/).fill('Lin');
  await joinForm.getByRole('button', { name: 'Join' }).click();
  // The code appears once the join's answer came: wait for it, then read it.
  const codeShown = one.locator('[data-recovery-code]');
  await expect(codeShown).toHaveText(/^\s*\S{4}-\S{4}-\S{4}-\S{4}\s*$/);
  const recoveryCode = (await codeShown.textContent())!.trim();

  await openLesson(one);
  await replaceEditorText(one, SOLUTION);
  const exercise = one.getByRole('region', { name: /Exercise/ });
  const marked = one.waitForResponse((r) => r.url().includes('/api/me/progress') && r.request().method() === 'PUT');
  await exercise.getByRole('button', { name: 'Check' }).click();
  await expect(exercise.getByText('All checks passed. Lesson done.')).toBeVisible({ timeout: 90_000 });
  expect((await marked).status()).toBe(200);
  await expect(exercise.getByText('Done', { exact: true })).toBeVisible();
  // The autosaved files reach the server a moment after the last save.
  const typed = await workspaceMain(one);
  expect(typed).toContain('os.Args');
  await expect.poll(() => serverCopy(one), { timeout: 20_000 }).toBe(typed);

  // ---- Browser two: nothing of browser one's but the recovery code.
  const two = await (await browser.newContext()).newPage();
  await two.goto('/');
  const summary = two.locator('[data-progress-summary]');
  const lessons = await two.locator('[data-lesson-done]').count();
  expect(lessons).toBeGreaterThan(1);
  await expect(summary).toHaveText(new RegExp(`^0 of ${lessons} done, start with `)); // a stranger's browser: its own (empty) progress
  await expect(two.locator(`[data-lesson-done="${LESSON}"]`)).toBeHidden();

  await two.goto('/join/');
  const recover = two.getByRole('form', { name: 'Get back in with a recovery code' });
  await recover.getByLabel('Recovery code').fill(recoveryCode.toLowerCase());
  await recover.getByRole('button', { name: 'Get back in' }).click();
  await expect(recover.getByText(/^Welcome back, Lin/)).toBeVisible();

  await two.goto('/');
  await expect(two.locator(`[data-lesson-done="${LESSON}"]`)).toBeVisible();
  await expect(summary).toHaveText(new RegExp(`^1 of ${lessons} done, (continue|start) with `));
  expect(await two.evaluate(() => localStorage.getItem('golab:done-lessons'))).toBeNull(); // from the server, not this browser
  const next = summary.getByRole('link');
  await expect(next).toHaveAttribute('href', /\/$/);
  expect(await next.getAttribute('data-progress-next')).not.toBe(LESSON);

  await openLesson(two);
  await expect.poll(() => editorText(two)).toContain('os.Args');
  await expect(two.getByRole('region', { name: /Exercise/ }).getByText('Done', { exact: true })).toBeVisible();
  // The workspace itself has the files (the terminal and Run see them), not only the editor.
  expect(await workspaceMain(two)).toBe(typed);

  // ---- An edit in browser two reaches browser one, whose files had not changed since they were saved.
  await replaceEditorText(two, `// edited in the second browser\n${SOLUTION}`);
  await expect.poll(() => workspaceMain(two)).toContain('edited in the second browser');
  const edited = await workspaceMain(two);
  await expect.poll(() => serverCopy(two), { timeout: 20_000 }).toBe(edited);
  await openLesson(one);
  await expect.poll(() => editorText(one)).toContain('edited in the second browser');
  await expect(one.locator('[data-learner-files-note]')).toHaveCount(0);

  // ---- Both browsers change the file (browser one's copy never reaches the server): browser one's
  // next visit keeps its own text, says so, and loads the saved files only when asked.
  await one.route('**/api/me/files?*', (route) => (route.request().method() === 'PUT' ? route.abort() : route.continue()));
  await replaceEditorText(one, `// only in browser one\n${SOLUTION}`);
  await expect.poll(() => workspaceMain(one)).toContain('only in browser one');
  await replaceEditorText(two, `// second edit in browser two\n${SOLUTION}`);
  await expect.poll(() => serverCopy(two), { timeout: 20_000 }).toContain('second edit in browser two');
  await openLesson(one);
  const note = one.locator('[data-learner-files-note]');
  await expect(note).toContainText("This browser's files were kept.");
  expect(await editorText(one)).toContain('only in browser one');
  expect(await workspaceMain(one)).toContain('only in browser one');
  await one.unroute('**/api/me/files?*');
  await note.getByRole('button', { name: 'Use the saved files instead' }).click();
  await expect.poll(() => editorText(one)).toContain('second edit in browser two');
  await expect(note).toHaveCount(0);
});
