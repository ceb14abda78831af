/**
 * The workbench with the keyboard only: Tab reaches every control
 * in order and leaves the editor the way the hint says, Monaco's find, comment
 * and go-to-line work, focus lands on the Output after Run and in the deep
 * dive when it opens, and what has focus is visibly outlined.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { editorRegion, editorText, openLesson } from './workbench.ts';

/**
 * Presses Tab until `target` has focus (the prose before the workbench has
 * many links), leaving the editor the way its hint says (Esc, then Tab).
 */
async function tabTo(page: Page, target: Locator, max = 200): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement || el.contains(document.activeElement))) return;
    if (await page.evaluate(() => !!document.activeElement?.closest('.monaco-editor'))) await page.keyboard.press('Escape');
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${target}`);
}

/** What has focus while the learner types: Monaco's EditContext element in Chromium (a textarea elsewhere). */
const editorInput = (page: Page) => editorRegion(page).locator('.monaco-editor').locator('.native-edit-context, textarea.inputarea');
const hint = (page: Page) => page.locator('#editor-tab-hint');

/** The element with focus shows an outline (a focus ring the learner can see). */
async function expectFocusRing(target: Locator): Promise<void> {
  const style = await target.evaluate((el) => {
    const s = getComputedStyle(el);
    return { style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
  });
  expect(style.style).not.toBe('none');
  expect(style.width).toBeGreaterThanOrEqual(2);
}

test('Tab leaves the editor as the hint says; Ctrl+M makes it stick', async ({ page }) => {
  await openLesson(page);
  await expect(hint(page)).toHaveText('Tab indents · Esc then Tab leaves · Ctrl+M: Tab always leaves');
  // From the top of the page, Tab alone reaches the file tab, the editor's Hide, then the editor.
  await page.keyboard.press('Tab');
  await tabTo(page, page.getByRole('tab', { name: 'main.go' }));
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Hide the editor' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Maximize the editor' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(editorInput(page)).toBeFocused();
  await expectFocusRing(page.locator('[data-editor-panel]'));

  // Tab indents: the file changes, focus stays.
  await page.keyboard.press('ControlOrMeta+Home');
  const before = await editorText(page);
  await page.keyboard.press('Tab');
  await expect(editorInput(page)).toBeFocused();
  expect(await editorText(page)).not.toBe(before);
  await page.keyboard.press('ControlOrMeta+Z');
  await expect.poll(() => editorText(page)).toBe(before);

  // Esc, then Tab: out to the splitter below the editor, then Run.
  await page.keyboard.press('Escape');
  await expect(hint(page)).toHaveText('Tab or Shift+Tab now leaves the editor');
  await page.keyboard.press('Tab');
  const splitter = page.getByRole('separator', { name: /Resize the editor and the output/ });
  await expect(splitter).toBeFocused();
  await expectFocusRing(splitter);
  await page.keyboard.press('Tab');
  const run = page.getByRole('button', { name: 'Run', exact: true });
  await expect(run).toBeFocused();
  await expectFocusRing(run);
  // Back in, Tab indents again (the way out lasts one Tab).
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Shift+Tab');
  await expect(editorInput(page)).toBeFocused();
  await expect(hint(page)).toHaveText('Tab indents · Esc then Tab leaves · Ctrl+M: Tab always leaves');
  // Esc, then Shift+Tab: back to the editor's title bar (Maximize, Hide), then the file tab.
  await page.keyboard.press('Escape');
  await page.keyboard.press('Shift+Tab');
  await expect(page.getByRole('button', { name: 'Maximize the editor' })).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Shift+Tab');
  await expect(page.getByRole('tab', { name: 'main.go' })).toBeFocused();

  // Ctrl+M: Tab moves focus until Ctrl+M again.
  for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
  await expect(editorInput(page)).toBeFocused();
  await page.keyboard.press('Control+M');
  await expect(hint(page)).toHaveText('Tab moves focus · Ctrl+M: Tab indents');
  await page.keyboard.press('Tab');
  await expect(splitter).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(editorInput(page)).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(splitter).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(editorInput(page)).toBeFocused();
  await page.keyboard.press('Control+M');
  await expect(hint(page)).toHaveText('Tab indents · Esc then Tab leaves · Ctrl+M: Tab always leaves');
  // The hint sits beside the tabs, not over the code.
  const hintBox = (await hint(page).boundingBox())!;
  const codeBox = (await editorRegion(page).locator('.monaco-editor').boundingBox())!;
  expect(hintBox.y + hintBox.height).toBeLessThanOrEqual(codeBox.y + 1);
});

test('find, comment toggling and go to line work in the editor', async ({ page }) => {
  await openLesson(page);
  await page.keyboard.press('Tab');
  await tabTo(page, page.getByRole('tab', { name: 'main.go' }));
  for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
  await expect(editorInput(page)).toBeFocused();
  const original = await editorText(page);

  // Ctrl+F: the find widget, its count of matches, Escape back to the code.
  await page.keyboard.press('ControlOrMeta+F');
  const find = editorRegion(page).getByRole('textbox', { name: 'Find' });
  await expect(find).toBeFocused();
  await page.keyboard.type('fmt');
  await expect(editorRegion(page).locator('.find-widget .matchesCount')).toHaveText(/1 of 2/);
  await page.keyboard.press('Escape');
  await expect(editorInput(page)).toBeFocused();
  await expect(editorRegion(page).locator('.find-widget.visible')).toHaveCount(0);

  // Ctrl+G 5 Enter, then Ctrl+/: line 5 (func main) is commented out, and back.
  await page.keyboard.press('Control+G');
  const quick = page.locator('.quick-input-widget input');
  await expect(quick).toBeFocused();
  await page.keyboard.type('5');
  await page.keyboard.press('Enter');
  await expect(editorInput(page)).toBeFocused();
  await page.keyboard.press('ControlOrMeta+/');
  await expect.poll(async () => (await editorText(page)).split('\n').filter((l) => l.startsWith('//'))).toEqual(['// func main() {']);
  await page.keyboard.press('ControlOrMeta+/');
  await expect.poll(() => editorText(page)).toBe(original);
});

test('focus goes to the Output after Run and into the deep dive when it opens; every control in order', async ({ page }) => {
  await openLesson(page);
  const terminal = page.getByRole('region', { name: 'Terminal' });
  await expect(terminal.locator('.xterm')).toBeVisible();
  await page.keyboard.press('Tab');
  const run = page.getByRole('button', { name: 'Run', exact: true });
  await tabTo(page, run);
  await page.keyboard.press('Enter');
  const output = page.getByRole('log');
  await expect(output).toBeFocused();
  await expectFocusRing(output);
  await expect(output).toContainText('Hello from the Go Build Lab!', { timeout: 45_000 });
  await expect(output).toBeFocused();

  // Tab order after Run: deep-dive toggle, Reset, the phase view's details, the Output (Hide, log), a splitter, the terminal.
  await run.focus();
  const order: string[] = [];
  for (let i = 0; i < 14; i++) {
    await page.keyboard.press('Tab');
    order.push(
      await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el) return '';
        if (el.closest('[data-terminal]')) return 'terminal';
        return el.getAttribute('aria-label') ?? el.textContent?.trim().slice(0, 30) ?? el.tagName;
      }),
    );
    if (order.at(-1) === 'terminal') break;
  }
  expect(order[0]).toBe('Look inside the compiler');
  expect(order[1]).toBe('Format');
  expect(order[2]).toBe('Reset');
  const log = order.findIndex((x) => x.startsWith('$ go run'));
  expect(order.slice(log - 2, log)).toEqual(['Hide the output', 'Maximize the output']);
  expect(order[log + 1]).toMatch(/^Resize the output and the terminal/);
  expect(order.slice(log + 2, log + 5)).toEqual(['Hide the terminal', 'Maximize the terminal', 'terminal']);

  // The deep dive: Enter on its toggle puts focus on its first tab.
  await run.focus();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('tab', { name: 'Inlining & escapes' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Annotate my code' })).toBeFocused();
});
