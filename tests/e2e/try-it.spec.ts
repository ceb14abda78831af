/**
 * "Try it": a lesson's runnable block goes to the terminal with one click and
 * runs there (and, being a go command, drives the phase view).
 */
import { expect, test } from '@playwright/test';
import { editorRegion, openLesson } from './workbench.ts';

test('a Try it button runs its block in the terminal', async ({ page }) => {
  await openLesson(page);
  const blocks = page.locator('article pre[data-try]');
  expect(await blocks.count()).toBeGreaterThan(5);
  // The first block of the lesson is `go run .`.
  await expect(blocks.first()).toHaveText('go run .');
  const button = page.getByRole('button', { name: 'Try it in the terminal: go run .', exact: true }).first();
  await button.focus();
  await page.keyboard.press('Enter');
  const terminal = page.getByRole('region', { name: 'Terminal' });
  await expect(terminal.locator('.xterm-rows')).toContainText('Hello from the Go Build Lab!', { timeout: 30_000 });
  await expect(page.getByText('Sent to the terminal.').first()).toBeVisible();
  // The go command typed by the button is watched like any other: the phase view shows its run.
  await expect(page.locator('[data-phase-view]')).toContainText(/run/i);
});

test('a Try it block that cds elsewhere does not move the terminal: the next block finds go.mod', async ({ page }) => {
  // The page whose blocks cd away (its first page is the workbench's usual LESSON).
  const PAGE = 'go-run/build-flags-and-cache';
  await page.goto(`/${PAGE}/`);
  await expect(editorRegion(page).locator('.monaco-editor')).toBeVisible();
  const terminal = page.getByRole('region', { name: 'Terminal' });
  await expect(terminal.locator('.xterm')).toBeVisible();
  // This block ends in /tmp/files, far from the lesson's files.
  const away = page.locator('article pre[data-try]', { hasText: 'mkdir -p /tmp/files' });
  await away.locator('xpath=following-sibling::div[1]').getByRole('button').click();
  await expect(terminal.locator('.xterm-rows')).toContainText('_obj or a.out: 0', { timeout: 45_000 });
  // The next block runs `go run .` from the lesson folder, and the shell itself is still there.
  const next = page.locator('article pre[data-try]', { hasText: 'out=$(go run -x . 2>&1)' });
  await next.locator('xpath=following-sibling::div[1]').getByRole('button').click();
  await expect(terminal.locator('.xterm-rows')).toContainText('Hello from the Go Build Lab!', { timeout: 45_000 });
  await terminal.locator('.xterm').click();
  await page.keyboard.type('pwd');
  await page.keyboard.press('Enter');
  await expect(terminal.locator('.xterm-rows')).toContainText(`/home/learner/${PAGE}`);
  await expect(terminal.locator('.xterm-rows')).not.toContainText('go.mod file not found');
});
