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

test('lesson page after a Run (phase view, action graph, live diagram) has no WCAG A/AA violations', async ({ page }) => {
  await page.goto(`/${LESSON}/`);
  await expect(page.getByRole('region', { name: 'Editor' }).locator('.monaco-editor')).toBeVisible();
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  const view = page.getByRole('region', { name: 'Build phases' });
  await expect(view.locator('[data-phase-exit]')).toBeVisible({ timeout: 45_000 });
  await view.getByText('How to reproduce outside the lab').click();
  await view.getByText('Action graph', { exact: true }).click();
  await expect(view.locator('[data-phase-graph-host] svg')).toBeVisible({ timeout: 30_000 });
  for (const pre of await page.locator('article pre.mermaid, article pre:has(> code.language-mermaid)').all()) {
    await pre.scrollIntoViewIfNeeded();
  }
  await expect(page.locator('article figure.diagram[data-live-phases] .diagram-live-note')).toBeVisible();
  if (process.env.E2E_SCREENSHOT) await page.screenshot({ path: process.env.E2E_SCREENSHOT });
  await audit(page);
});

test('every lesson page, the search page and the dark theme have no WCAG A/AA violations', async ({ page, request }) => {
  test.setTimeout(240_000);
  const { lessons } = await (await request.get('/lessons.json')).json() as { lessons: Array<{ id: string }> };
  expect(lessons.length).toBeGreaterThan(0);
  for (const { id } of lessons) {
    await page.goto(`/${id}/`);
    await expect(page.getByRole('region', { name: 'Editor' })).toBeVisible();
    await audit(page);
  }
  await page.goto('/search/');
  await expect(page.locator('.pagefind-ui__search-input')).toBeVisible();
  await audit(page);
  // The dark theme, on a lesson with its workbench.
  await page.goto(`/${LESSON}/`);
  await page.getByRole('button', { name: 'Dark theme' }).click();
  await expect(page.getByRole('region', { name: 'Editor' }).locator('.monaco-editor')).toBeVisible();
  await audit(page);
  await page.evaluate(() => localStorage.removeItem('golab:theme'));
});
