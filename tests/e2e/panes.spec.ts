/**
 * Resizable, collapsible workbench panes: the splitters move with
 * the keyboard and the mouse, the terminal refits to its new size (more rows),
 * a pane can be hidden and shown, and the layout survives a reload.
 */
import { expect, test, type Page } from '@playwright/test';
import { editorRegion, openLesson } from './workbench.ts';

const height = async (page: Page, name: 'Editor' | 'Output' | 'Terminal') => (await page.getByRole('region', { name, exact: true }).boundingBox())!.height;
const terminalRows = (page: Page) => page.getByRole('region', { name: 'Terminal' }).locator('.xterm-rows > div').count();

test('splitters resize the panes by keyboard and mouse; the terminal refits; the sizes are kept', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await openLesson(page);
  const terminal = page.getByRole('region', { name: 'Terminal' });
  await expect(terminal.locator('.xterm')).toBeVisible();
  const rows0 = await terminalRows(page);
  const term0 = await height(page, 'Terminal');

  // Keyboard: the output/terminal splitter, four steps up.
  const lower = page.getByRole('separator', { name: /Resize the output and the terminal/ });
  await lower.focus();
  for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowUp');
  await expect.poll(() => height(page, 'Terminal')).toBeGreaterThan(term0 + 40);
  await expect.poll(() => terminalRows(page)).toBeGreaterThan(rows0);

  // Mouse: drag the editor/output splitter 100 px up (the output, at its minimum now, gets the room).
  const editor0 = await height(page, 'Editor');
  const upper = page.getByRole('separator', { name: /Resize the editor and the output/ });
  const box = (await upper.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2 - 50, { steps: 4 });
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2 - 100, { steps: 4 });
  await page.mouse.up();
  await expect.poll(() => height(page, 'Editor')).toBeLessThan(editor0 - 80);
  await expect.poll(() => height(page, 'Output')).toBeGreaterThan(80);

  const editor1 = await height(page, 'Editor');
  const term1 = await height(page, 'Terminal');
  await page.reload();
  await expect(editorRegion(page).locator('.monaco-editor')).toBeVisible();
  await expect.poll(() => height(page, 'Editor')).toBeCloseTo(editor1, -1);
  expect(await height(page, 'Terminal')).toBeCloseTo(term1, -1);
});

test('a pane can be hidden and shown again, and stays hidden after a reload', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await openLesson(page);
  const output = page.getByRole('log');
  await expect(output).toBeVisible();
  const term0 = await height(page, 'Terminal');
  const hide = page.getByRole('button', { name: 'Hide the output' });
  await hide.click();
  await expect(output).toBeHidden();
  await expect(page.getByRole('button', { name: 'Show the output' })).toHaveAttribute('aria-expanded', 'false');
  // The room goes to the others.
  await expect.poll(() => height(page, 'Terminal')).toBeGreaterThan(term0 + 20);

  await page.reload();
  await expect(editorRegion(page).locator('.monaco-editor')).toBeVisible();
  await expect(page.getByRole('log')).toBeHidden();
  const show = page.getByRole('button', { name: 'Show the output' });
  await show.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('log')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Hide the output' })).toHaveAttribute('aria-expanded', 'true');
});

test('Maximize shows one pane alone; Restore brings the others back', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await openLesson(page);
  const terminal = page.getByRole('region', { name: 'Terminal' });
  await expect(terminal.locator('.xterm')).toBeVisible();
  const rows0 = await terminalRows(page);
  await page.getByRole('button', { name: 'Maximize the terminal' }).click();
  await expect(page.getByRole('log')).toBeHidden();
  await expect(editorRegion(page).locator('.monaco-editor')).toBeHidden();
  await expect(page.getByRole('button', { name: 'Restore the terminal' })).toHaveAttribute('aria-pressed', 'true');
  // The terminal takes the room and refits to it.
  await expect.poll(() => terminalRows(page)).toBeGreaterThan(rows0 + 10);
  await page.getByRole('button', { name: 'Restore the terminal' }).click();
  await expect(page.getByRole('log')).toBeVisible();
  await expect(editorRegion(page).locator('.monaco-editor')).toBeVisible();
  await expect.poll(() => terminalRows(page)).toBe(rows0);
});
