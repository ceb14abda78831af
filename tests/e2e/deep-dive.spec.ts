/**
 * "Look inside the compiler", in a real browser against the real server: the
 * -gcflags=-m notes become editor annotations on the lines the compiler named
 * (and go when the code changes), the -gcflags=-S listing per function with
 * links back to the source, and the panel passes axe with results in it.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { editorRegion, openLesson } from './workbench.ts';

const deepDive = (page: Page) => page.getByRole('region', { name: 'Look inside the compiler' });

async function openDeepDive(page: Page): Promise<Locator> {
  await openLesson(page);
  const toggle = page.getByRole('button', { name: 'Look inside the compiler' });
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  const region = deepDive(page);
  await expect(region).toBeVisible();
  return region;
}

/** The vertical position of editor line `n`'s number in the gutter. */
async function lineNumberTop(page: Page, n: number): Promise<number> {
  const number = editorRegion(page)
    .locator('.margin-view-overlays .line-numbers')
    .filter({ hasText: new RegExp(`^${n}$`) });
  return (await number.boundingBox())!.y;
}

test("-gcflags=-m: the compiler's notes appear beside the lines it named, and go when the code changes", async ({ page }) => {
  const region = await openDeepDive(page);
  const panel = region.getByRole('tabpanel', { name: 'Inlining & escapes' });
  await expect(panel.locator('[data-deep-command]')).toHaveText('$ go build -gcflags=-m -o /dev/null .');
  await panel.getByRole('button', { name: 'Annotate my code' }).click();
  // Announced politely, with the count the compiler's output gives.
  await expect(region.getByRole('status')).toHaveText(/^Inlining and escapes: 4 compiler notes on 2 lines/, { timeout: 45_000 });
  await expect(panel.locator('[data-deep-exit]')).toHaveText(/^exit status 0/);

  // `./main.go:5:6: can inline main` sits on line 5 (func main() {), the fmt.Println notes on line 6.
  const editor = editorRegion(page);
  const onLine5 = editor.locator('.view-line', { has: page.locator('.lab-note-after', { hasText: 'can inline main' }) });
  await expect(onLine5).toHaveCount(1);
  await expect(onLine5).toContainText('func main() {');
  expect(Math.abs((await onLine5.boundingBox())!.y - (await lineNumberTop(page, 5)))).toBeLessThan(2);
  const onLine6 = editor.locator('.view-line', { has: page.locator('.lab-note-after', { hasText: 'inlining call to fmt.Println' }) });
  await expect(onLine6).toContainText('fmt.Println("Hello from the Go Build Lab!")');
  expect(Math.abs((await onLine6.boundingBox())!.y - (await lineNumberTop(page, 6)))).toBeLessThan(2);
  // Monaco may split long injected text into several spans; each carries the class.
  await expect(onLine6.locator('.lab-note-after').first()).toHaveClass(/\bk-heap\b/); // a string escapes to the heap there
  // Notes, not errors: no error or warning markers.
  await expect(editor.locator('.squiggly-error, .squiggly-warning')).toHaveCount(0);

  // The same notes as text, with links to the lines.
  await expect(panel.getByRole('listitem')).toHaveCount(2);
  await expect(panel.getByRole('listitem').nth(1)).toContainText('6:14: "Hello from the Go Build Lab!" escapes to heap');
  await panel.getByRole('button', { name: 'Go to main.go line 6' }).click();
  await expect(editor.locator('.line-numbers.active-line-number')).toHaveText('6');

  // An edit makes them stale: they go, and the page says why.
  await page.keyboard.press('End');
  await page.keyboard.type(' // edited');
  await expect(editor.locator('.lab-note-after')).toHaveCount(0);
  await expect(region.getByRole('status')).toHaveText(/Compiler notes cleared: your files changed/);
});

test('-gcflags=-S: the listing per function, its header as the compiler printed it, links to the source', async ({ page }) => {
  const region = await openDeepDive(page);
  // Keyboard: the tabs take arrow keys.
  await region.getByRole('tab', { name: 'Inlining & escapes' }).focus();
  await page.keyboard.press('ArrowRight');
  const tab = region.getByRole('tab', { name: 'Assembly' });
  await expect(tab).toBeFocused();
  await expect(tab).toHaveAttribute('aria-selected', 'true');
  const panel = region.getByRole('tabpanel', { name: 'Assembly' });
  await expect(panel.locator('[data-deep-command]')).toHaveText('$ go build -gcflags=-S -o /dev/null .');
  await panel.getByRole('button', { name: 'Show assembly' }).click();
  await expect(region.getByRole('status')).toHaveText(/^Assembly: \d+ functions?; showing main\.main\./, { timeout: 45_000 });

  await expect(panel.getByLabel('Function')).toHaveValue('main.main');
  await expect(panel.locator('[data-asm-header]')).toHaveText(/^main\.main STEXT size=\d+ args=0x0 locals=0x[0-9a-f]+ funcid=0x0 align=0x0$/);
  const listing = panel.getByRole('region', { name: 'Assembly of main.main' });
  await expect(listing).toContainText(/0x0000 main\.go:5\s+TEXT main\.main\(SB\), ABIInternal/);
  await expect(listing).toContainText('CALL fmt.Fprintln(SB)');
  await expect(listing).not.toContainText('PCDATA');
  await panel.getByLabel(/Hide PCDATA and FUNCDATA/).uncheck();
  await expect(listing).toContainText('PCDATA');

  await listing.getByRole('button', { name: 'Go to main.go line 6' }).first().click();
  await expect(editorRegion(page).locator('.line-numbers.active-line-number')).toHaveText('6');
});

test('the deep dive with notes and a listing in it has no WCAG A/AA violations', async ({ page }) => {
  const region = await openDeepDive(page);
  await region.getByRole('button', { name: 'Annotate my code' }).click();
  await expect(region.getByRole('status')).toHaveText(/compiler notes on/, { timeout: 45_000 });
  await region.getByRole('tab', { name: 'Assembly' }).click();
  await region.getByRole('button', { name: 'Show assembly' }).click();
  await expect(region.locator('[data-asm-header]')).toHaveText(/STEXT/, { timeout: 45_000 });
  const results = await new AxeBuilder({ page }).include('[data-workbench]').withTags(['wcag2a', 'wcag2aa']).analyze();
  expect(results.violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }))).toEqual([]);
});

test('GOSSAFUNC: ssa.html from the sandbox in a sandboxed iframe, its own scripts working, no access to the page', async ({ page }) => {
  const region = await openDeepDive(page);
  await region.getByRole('tab', { name: 'SSA' }).click();
  const panel = region.getByRole('tabpanel', { name: 'SSA' });
  const name = panel.getByLabel('Function (GOSSAFUNC)');
  await name.fill('(*T).M');
  await expect(panel.locator('[data-deep-command]')).toHaveText("$ GOCACHE=/tmp/lab-ssa-cache GOSSAFUNC='(*T).M' go build -o /dev/null .");
  await name.fill('main');
  await panel.getByRole('button', { name: 'Dump SSA' }).click();
  await expect(region.getByRole('status')).toHaveText('SSA of main written to ssa.html in your lesson folder, shown below.', { timeout: 60_000 });
  await expect(panel.locator('[data-deep-output]')).toContainText('dumped SSA for main,1 to ./ssa.html');

  const frame = panel.locator('iframe');
  await expect(frame).toHaveAttribute('sandbox', 'allow-scripts');
  await expect(frame).toHaveAttribute('title', "SSA of main (the compiler's ssa.html)");
  const inside = page.frameLocator('[data-ssa-frame]');
  await expect(inside.locator('h1').first()).toHaveText('main,1');
  const content = page.frames().find((f) => f.url().includes('/api/workspace/artifact?'))!;
  expect(await content.evaluate(() => self.origin)).toBe('null');
  expect(
    await content.evaluate(() => {
      try {
        return document.cookie;
      } catch {
        return 'refused';
      }
    }),
  ).toBe('refused');
  // The compiler's script ran: it folds the passes that are not expanded by default.
  expect(await content.evaluate(() => [...document.querySelectorAll('td')].some((td) => getComputedStyle(td).display === 'none'))).toBe(true);
  await expect(panel.getByRole('link', { name: 'Open ssa.html in a new tab' })).toHaveAttribute(
    'href',
    /^\/api\/workspace\/artifact\?lesson=go-run%2Fwhat-go-run-does&path=ssa\.html&/,
  );
});
