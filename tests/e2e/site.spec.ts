/**
 * Around the lessons: chapter map, prev/next from chapter to chapter, the
 * table of contents, site search (Pagefind's static index), the dark theme
 * kept across pages.
 */
import { expect, test } from '@playwright/test';

test('home -> lesson -> next lessons across chapters, with a table of contents', async ({ page }) => {
  await page.goto('/');
  const chapters = page.locator('.chapters > li');
  expect(await chapters.count()).toBeGreaterThan(2);
  await chapters.first().getByRole('link').first().click();
  const toc = page.getByRole('navigation', { name: 'On this page' });
  await expect(toc).toBeVisible();
  const firstSection = toc.getByRole('link').first();
  const target = (await firstSection.getAttribute('href'))!;
  await firstSection.click();
  await expect(page.locator(target)).toBeInViewport();
  // Next, next, ...: every lesson is reachable, and the chapter changes on the way.
  // Each page says where it is in its chapter ("Page k of n", near the title
  // and on the link that leads to it); a new chapter starts at page 1.
  const seen = new Set<string>();
  let expected = 'Page 1 of';
  for (let i = 0; i < 20; i++) {
    seen.add(await page.locator('.eyebrow a').innerText());
    // textContent: the eyebrow is upper-cased by CSS, innerText would be too.
    const position = (await page.locator('.eyebrow [data-page-position]').textContent())!;
    expect(position.startsWith(expected), `${position} after ${expected}`).toBe(true);
    const [, k, n] = position.match(/^Page (\d+) of (\d+)$/)!.map(Number);
    const next = page.getByRole('navigation', { name: 'Lesson navigation' }).locator('a[rel="next"]');
    if ((await next.count()) === 0) break;
    const label = await next.innerText();
    if (k < n) {
      expect(label).toContain(`Next (Page ${k + 1} of ${n}):`);
      expected = `Page ${k + 1} of ${n}`;
    } else {
      expect(label).toContain('Next chapter:');
      expected = 'Page 1 of';
    }
    await next.click();
    await expect(page.locator('h1')).toBeVisible();
  }
  expect(seen.size).toBeGreaterThan(1);
});

test('search finds a lesson by a word in its text', async ({ page }) => {
  await page.goto('/search/');
  const box = page.getByRole('searchbox').or(page.locator('.pagefind-ui__search-input'));
  await box.fill('GOCACHE');
  const result = page.locator('.pagefind-ui__result-link').first();
  await expect(result).toBeVisible({ timeout: 15_000 });
  await result.click();
  await expect(page.locator('article')).toContainText('GOCACHE');
});

test('the dark theme is kept across pages', async ({ page }) => {
  await page.goto('/');
  const toggle = page.getByRole('button', { name: 'Dark theme' });
  const before = await page.evaluate(() => document.documentElement.dataset.theme);
  await toggle.click();
  const after = await page.evaluate(() => document.documentElement.dataset.theme);
  expect(after).not.toBe(before);
  await expect(toggle).toHaveAttribute('aria-pressed', String(after === 'dark'));
  await page.goto('/search/');
  expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(after);
});
