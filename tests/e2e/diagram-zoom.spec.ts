/**
 * Diagrams readable at every size: on compiler/source-to-machine-code
 * the pipeline diagram's labels are ~8 px tall in the prose column at
 * 1280×720; Enter on its Enlarge button (or a click on it) opens it full
 * screen at a readable size, + / − / Fit zoom, Escape puts it back.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Locator } from '@playwright/test';

const LESSON = 'compiler/source-to-machine-code';

/** The smallest label height of a diagram as drawn now, in px. */
const labelHeight = (svg: Locator) =>
  svg.evaluate((el) => Math.min(...[...el.querySelectorAll('.nodeLabel, text')].map((e) => e.getBoundingClientRect().height).filter((h) => h > 0)));

test('Enter on Enlarge opens the diagram full screen, readable; it zooms; Escape puts it back', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(`/${LESSON}/`);
  const figure = page.locator('figure.diagram').first();
  await page
    .locator('article pre:has(> code.language-mermaid)')
    .first()
    .scrollIntoViewIfNeeded()
    .catch(() => undefined);
  await expect(figure.locator(':scope > svg')).toBeVisible({ timeout: 30_000 });
  const inPage = await labelHeight(figure.locator(':scope > svg'));
  expect(inPage).toBeLessThan(12); // the problem: too small to read in the column

  const enlarge = figure.getByRole('button', { name: 'Enlarge the diagram (full screen, with zoom)' });
  await enlarge.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Diagram, full screen' });
  await expect(dialog).toBeVisible();
  const svg = dialog.locator('svg').first();
  await expect(svg).toBeVisible();
  await expect(dialog.getByRole('group', { name: /arrow keys scroll/ })).toBeFocused();
  const opened = await labelHeight(svg);
  expect(opened).toBeGreaterThanOrEqual(16);
  // The open dialog passes axe (WCAG 2 A/AA) as the page does.
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  expect(axe.violations.map((v) => v.id)).toEqual([]);

  // + zooms in by a step, − back, Fit to the screen.
  await page.keyboard.press('+');
  await expect.poll(() => labelHeight(svg)).toBeGreaterThan(opened * 1.2);
  await dialog.getByRole('button', { name: 'Zoom out' }).click();
  await expect.poll(() => labelHeight(svg)).toBeCloseTo(opened, 0);
  await dialog.getByRole('button', { name: 'Fit' }).click();
  const box = (await svg.boundingBox())!;
  expect(box.width).toBeLessThanOrEqual(1280);
  expect(box.height).toBeLessThanOrEqual(720);

  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(figure.locator(':scope > svg')).toBeVisible();
  await expect(enlarge).toBeFocused();
  expect(await labelHeight(figure.locator(':scope > svg'))).toBeCloseTo(inPage, 0);

  // A click on the diagram opens it too.
  await figure.locator(':scope > svg').click();
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();
});
