/**
 * The site's small things : icons in public/ (no favicon
 * 404 on any page), lesson summaries with `code` rendered as code on the
 * home page, and a search index without the hidden "Done" badge or the
 * diagrams' mermaid source.
 */
import { expect, test } from '@playwright/test';

test('every page has its icons: no 404 while a lesson page loads', async ({ page, request }) => {
  const missing: string[] = [];
  page.on('response', (r) => {
    if (r.status() === 404) missing.push(r.url());
  });
  await page.goto('/go-run/what-go-run-does/');
  await expect(page.getByRole('region', { name: 'Editor' }).locator('.monaco-editor')).toBeVisible();
  expect(missing).toEqual([]);
  const href = await page.locator('link[rel="icon"][type="image/svg+xml"]').getAttribute('href');
  expect(href).toBe('/favicon.svg');
  // For clients that ask for /favicon.ico without reading the page.
  expect((await request.get('/favicon.ico')).status()).toBe(200);
  for (const [path, type] of [
    ['/favicon.svg', 'image/svg+xml'],
    ['/apple-touch-icon.png', 'image/png'],
    ['/site.webmanifest', 'json'],
  ] as const) {
    const res = await request.get(path);
    expect(res.status(), path).toBe(200);
    expect(res.headers()['content-type'], path).toContain(type);
  }
});

test("the home page shows summaries' code spans as code, not backquotes", async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('main')).toContainText('go env');
  expect(await page.locator('main').innerText()).not.toContain('`');
  await expect(page.locator('main code', { hasText: 'go env' }).first()).toBeVisible();
});

test("search does not index the hidden Done badge or the diagrams' source", async ({ page }) => {
  await page.goto('/search/');
  const box = page.getByRole('searchbox').or(page.locator('.pagefind-ui__search-input'));
  // Still finds lesson text…
  await box.fill('GOCACHE');
  await expect(page.locator('.pagefind-ui__result-link').first()).toBeVisible({ timeout: 15_000 });
  // …but no excerpt shows mermaid source (pagefind also matches parts of words,
  // `sub` of subgraph, `flow` of flowchart, so results themselves may come).
  for (const word of ['flowchart', 'subgraph']) {
    await box.fill(word);
    await expect(page.locator('.pagefind-ui__message')).toContainText(word, { timeout: 15_000 });
    const excerpts = await page.locator('.pagefind-ui__result-excerpt').allInnerTexts();
    expect(excerpts.join('\n')).not.toMatch(/flowchart|subgraph|-->/);
  }
  // "Done" is an ordinary word in the prose too: the badge itself is marked for pagefind to skip.
  await page.goto('/go-run/what-go-run-does/');
  await expect(page.locator('article [data-lesson-done]')).toHaveAttribute('data-pagefind-ignore', '');
  await expect(page.locator('article pre:has(> code.language-mermaid), article figure.diagram pre').first()).toHaveAttribute('data-pagefind-ignore', '');
});
