/**
 * An exercise in a real browser: Check fails with the starting files (each
 * check says why), hints come one at a time, the solution passes after the
 * learner types it, the lesson is marked done, and that survives a reload and
 * shows on the home page.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { LESSON, openLesson, replaceEditorText } from './workbench.ts';

const SOLUTION = readFileSync(join(import.meta.dirname, '..', '..', 'content', LESSON, 'exercise', 'solution', 'main.go'), 'utf8');

test('check fails with the starting files, passes with the solution; progress survives a reload', async ({ page }) => {
  await openLesson(page);
  await page.evaluate(() => localStorage.clear());
  const exercise = page.getByRole('region', { name: /Exercise/ });
  await exercise.scrollIntoViewIfNeeded();
  await expect(exercise.getByText('Done')).toBeHidden();

  // Hints, one at a time.
  const hintButton = exercise.getByRole('button', { name: 'Show hint 1 of 2' });
  await hintButton.click();
  await expect(exercise.getByRole('listitem', { name: 'Hint 1' })).toBeVisible();
  await expect(exercise.getByRole('listitem', { name: 'Hint 2' })).toBeHidden();
  await exercise.getByRole('button', { name: 'Show hint 2 of 2' }).click();
  await expect(exercise.getByRole('listitem', { name: 'Hint 2' })).toBeVisible();

  // The starting files: four of five checks fail, each with its reason.
  await exercise.getByRole('button', { name: 'Check' }).click();
  await expect(exercise.getByText('4 of 5 checks did not pass.')).toBeVisible({ timeout: 60_000 });
  await expect(exercise.getByText(/expected a line that reads exactly/).first()).toBeVisible();

  // Type the solution (as a learner would), check again.
  await replaceEditorText(page, SOLUTION);
  await exercise.getByRole('button', { name: 'Check' }).click();
  await expect(exercise.getByText('All checks passed. Lesson done.')).toBeVisible({ timeout: 60_000 });
  await expect(exercise.getByText('Done', { exact: true })).toBeVisible();

  // Kept in this browser: after a reload, and on the home page.
  await page.reload();
  await expect(page.getByRole('region', { name: /Exercise/ }).getByText('Done', { exact: true })).toBeVisible();
  await page.goto('/');
  const entry = page.locator(`[data-lesson-done="${LESSON}"]`);
  await expect(entry).toBeVisible();

  // Put the lesson back for the other tests (the editor autosaved the solution).
  const reset = await page.request.post(`/api/workspace/reset?lesson=${encodeURIComponent(LESSON)}`);
  expect(reset.ok()).toBeTruthy();
});
