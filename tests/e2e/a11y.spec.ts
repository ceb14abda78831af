/** axe (WCAG 2 A and AA) on the home page and a lesson page with its workbench loaded. */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';

const LESSON = process.env.E2E_LESSON ?? 'go-run/what-go-run-does';

async function audit(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  const summary = results.violations.map((v) => ({
    id: v.id,
    help: v.help,
    nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5),
  }));
  expect(summary).toEqual([]);
}

test('home page has no WCAG A/AA violations', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await audit(page);
});

test('lesson page has no WCAG A/AA violations', async ({ page }) => {
  await page.goto(`/${LESSON}/`);
  await expect(page.getByRole('region', { name: 'Editor' }).locator('.monaco-editor')).toBeVisible();
  await expect(page.getByRole('region', { name: 'Terminal' }).locator('.xterm')).toBeVisible();
  // Draw the diagrams too, so their SVG is audited.
  for (const pre of await page.locator('article pre.mermaid, article pre:has(> code.language-mermaid)').all()) {
    await pre.scrollIntoViewIfNeeded();
  }
  await page.waitForTimeout(500);
  await audit(page);
});
