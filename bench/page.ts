/**
 * The page section's browser figures (bench/run.ts `page`): a learner's first
 * visit to a lesson in Chromium (Playwright, a fresh browser context each
 * time: no cache, no cookie), measured inside the page with performance.now():
 *
 *   editor usable   navigation start -> Monaco shows main.go and takes keys
 *   first Run       the click on Run -> the program's first output line, and its exit line
 *
 * Medians of PAGE_VISITS visits. Figures, not tests.
 */
import { chromium } from '@playwright/test';
import { line, median, ms } from './lib.ts';

/** Visits measured (a fresh context each). */
const PAGE_VISITS = 5;
const LESSON = 'go-run/what-go-run-does';

declare global {
  interface Window {
    __bench?: { editor?: number; click?: number; output?: number; exit?: number };
  }
}

export async function pageTimings(url: string): Promise<void> {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  const editor: number[] = [];
  const output: number[] = [];
  const exit: number[] = [];
  try {
    for (let i = 0; i < PAGE_VISITS; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      // Recorded by the page itself when it happens, so the measuring adds no polling delay.
      await page.addInitScript(() => {
        const b: NonNullable<Window['__bench']> = (window.__bench = {});
        addEventListener(
          'click',
          (e) => {
            if ((e.target as HTMLElement).closest?.('[data-run-button]')) b.click ??= performance.now();
          },
          true,
        );
        new MutationObserver(() => {
          b.editor ??=
            document
              .querySelector('.monaco-editor .view-lines')
              ?.textContent?.replace(/\u00a0/g, ' ')
              .includes('package main') && document.querySelector('.monaco-editor textarea')
              ? performance.now()
              : undefined;
          if (b.click !== undefined) {
            b.output ??= document.querySelector('[data-output] span.stdout, [data-output] span.stderr') ? performance.now() : undefined;
            b.exit ??= document.querySelector('[data-output] .exit') ? performance.now() : undefined;
          }
        }).observe(document, { subtree: true, childList: true, characterData: true });
      });
      await page.goto(`${url}/${LESSON}/`);
      await page.waitForFunction(() => window.__bench?.editor !== undefined);
      await page.getByRole('button', { name: 'Run', exact: true }).click();
      await page.waitForFunction(() => window.__bench?.exit !== undefined, undefined, { timeout: 60_000 });
      const b = (await page.evaluate(() => window.__bench))!;
      editor.push(b.editor!);
      output.push(b.output! - b.click!);
      exit.push(b.exit! - b.click!);
      await context.close();
    }
  } finally {
    await browser.close();
  }
  const all = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
  line(`page: first visit in Chromium, ${PAGE_VISITS} fresh contexts (medians; each visit in brackets)`);
  line(`  editor usable after navigation ${ms(median(editor))}   [${all(editor)}]`);
  line(`  first Run: click -> output     ${ms(median(output))}   [${all(output)}]`);
  line(`  first Run: click -> exit line  ${ms(median(exit))}   [${all(exit)}]`);
}
