/**
 * A lesson on a phone: a Read / Code switch shows the prose or the
 * workbench, one tap apart; Read comes back to where the learner was; Try it
 * switches to Code and runs there; the header stays on one line.
 */
import { expect, test } from '@playwright/test';
import { LESSON, editorRegion } from './workbench.ts';

test.use({ viewport: { width: 375, height: 740 }, hasTouch: true, isMobile: true });

test('Read / Code switch: one tap to the workbench and back to the same place', async ({ page }) => {
  await page.goto(`/${LESSON}/`);
  const read = page.getByRole('button', { name: 'Read', exact: true });
  const code = page.getByRole('button', { name: 'Code', exact: true });
  await expect(read).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByRole('region', { name: 'Workbench' })).toBeHidden();
  // The switch stays on screen while reading.
  await page.evaluate(() => scrollTo(0, 1500));
  /** The text at the top of the screen, under the header. */
  const atTop = () => page.evaluate(() => document.elementFromPoint(innerWidth / 2, 56)?.textContent?.slice(0, 60) ?? '');
  const reading = await atTop();
  expect(reading).not.toBe('');
  const box = (await code.boundingBox())!;
  expect(box.y + box.height).toBeLessThanOrEqual(740);
  await expect(code).toBeInViewport();

  await code.tap();
  await expect(code).toHaveAttribute('aria-pressed', 'true');
  await expect(editorRegion(page).locator('.monaco-editor')).toBeVisible();
  await expect(editorRegion(page)).toBeInViewport();
  await expect(page.locator('article.prose')).toBeHidden();

  await read.tap();
  await expect(page.locator('article.prose')).toBeVisible();
  await expect.poll(atTop).toBe(reading);
});

test('Try it on a phone switches to the Code view and runs in the terminal', async ({ page }) => {
  await page.goto(`/${LESSON}/`);
  const button = page.getByRole('button', { name: 'Try it in the terminal: go run .', exact: true }).first();
  await button.scrollIntoViewIfNeeded();
  await button.tap();
  await expect(page.getByRole('button', { name: 'Code', exact: true })).toHaveAttribute('aria-pressed', 'true');
  const terminal = page.getByRole('region', { name: 'Terminal' });
  await expect(terminal.locator('.xterm-rows')).toContainText('Hello from the Go Build Lab!', { timeout: 45_000 });
  await expect(terminal).toBeInViewport();
  // Nothing wider than the phone (an 80-column xterm opened while hidden once widened the page).
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
});

test('the header fits on one line: the theme button does not wrap', async ({ page }) => {
  await page.goto('/');
  const header = (await page.locator('.site-header').boundingBox())!;
  const theme = page.getByRole('button', { name: 'Dark theme' });
  const box = (await theme.boundingBox())!;
  expect(box.height).toBeLessThan(36);
  expect(box.y + box.height).toBeLessThanOrEqual(header.y + header.height);
  expect(box.x + box.width).toBeLessThanOrEqual(375);
});
