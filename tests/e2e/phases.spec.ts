/**
 * Live build phases in the page, in a real browser against the real
 * server: the phase view fed by the Run stream and the terminal, the lesson
 * diagram's nodes bound to phases, the learner's action graph, and compile
 * errors as editor markers.
 */
import { expect, test, type Page } from '@playwright/test';
import { editorRegion, openLesson, replaceEditorText, typeInTerminal } from './workbench.ts';

const BROKEN_MAIN = `package main

import "fmt"

func main() {
	fmt.Println(undefinedName)
}
`;

const phaseView = (page: Page) => page.getByRole('region', { name: 'Build phases' });
const step = (page: Page, phase: string) => phaseView(page).locator(`[data-phase-step="${phase}"]`);

async function replaceMain(page: Page, text: string) {
  await replaceEditorText(page, text);
  await expect(page.locator('[data-save-status]')).toHaveText('Saved');
}

test('Run: the phase view follows the build, the lesson diagram follows the phases', async ({ page }) => {
  await openLesson(page);
  await expect(phaseView(page).getByRole('status')).toContainText('Press Run');

  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByRole('log')).toContainText('exit status 0', { timeout: 45_000 });

  const view = phaseView(page);
  for (const phase of ['load', 'compile', 'link', 'run']) {
    await expect(step(page, phase)).toHaveAttribute('data-state', 'done');
  }
  await expect(step(page, 'link')).toContainText(/Link\s*\(done\)\s*\d/);
  await expect(view.getByRole('status')).toHaveText('Finished');
  await expect(view).toContainText(/exit status 0/);
  // "N packages, K from the build cache", K > 0: the standard library comes from the lab's cache.
  const summary = view.locator('[data-phase-summary]');
  await expect(summary).toHaveText(/^\d+ packages, \d+ from the build cache$/);
  expect(Number(await summary.getAttribute('data-cached'))).toBeGreaterThan(0);
  const progress = view.locator('[data-phase-progress]');
  await expect(progress).toBeVisible();
  expect(await progress.evaluate((p: HTMLProgressElement) => p.value === p.max && p.max > 1)).toBe(true);
  // What the lab added, and how to do the same outside it.
  await expect(view.locator('[data-phase-flags]')).toContainText('-debug-trace=');
  await view.getByText('How to reproduce outside the lab').click();
  await expect(view.locator('[data-phase-repro-command]')).toHaveText('go run -debug-trace=trace.json -debug-actiongraph=actiongraph.json .');

  // The diagram is drawn after the events arrived: it gets the latest states when it renders.
  const source = page.locator('article pre.mermaid, article pre:has(> code.language-mermaid)').first();
  await source.scrollIntoViewIfNeeded();
  const figure = page.locator('article figure.diagram[data-live-phases]').first();
  await expect(figure.locator('svg')).toBeVisible();
  for (const phase of ['load', 'compile', 'link', 'run']) {
    const node = figure.locator(`g.node[id*="flowchart-${phase}-"]`);
    await expect(node).toHaveClass(/\blab-phase-done\b/);
  }
  await expect(figure.locator('.diagram-live-note')).toContainText('Link done');

  // The learner's action graph, drawn on demand: own packages, the standard library as one node.
  await view.getByText('Action graph', { exact: true }).click();
  const graph = view.locator('[data-phase-graph-host] svg');
  await expect(graph).toBeVisible({ timeout: 30_000 });
  await expect(graph).toContainText('example.com/hello');
  await expect(graph).toContainText(/\d+ standard-library packages, \d+ from cache/);
});

test('a compile error becomes a marker on its line; the phase view shows how it ended', async ({ page }) => {
  await openLesson(page);
  await replaceMain(page, BROKEN_MAIN);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByRole('log')).toContainText('undefined: undefinedName', { timeout: 45_000 });
  await expect(page.getByRole('log')).toContainText('exit status 1');

  const view = phaseView(page);
  await expect(view.locator('[data-phase-exit]')).toContainText('exit status 1');
  await expect(step(page, 'compile')).toHaveAttribute('data-state', 'failed');
  await expect(step(page, 'link')).toHaveAttribute('data-state', 'pending');
  await expect(view.getByRole('status')).toHaveText('The build failed');

  // Monaco draws the marker as a squiggly decoration on line 6 (the line of undefinedName).
  const squiggle = editorRegion(page).locator('.squiggly-error').first();
  await expect(squiggle).toBeVisible();
  const lineSix = editorRegion(page).locator('.line-numbers', { hasText: /^6$/ });
  const [a, b] = [await squiggle.boundingBox(), await lineSix.boundingBox()];
  expect(a && b).toBeTruthy();
  expect(Math.abs(a!.y + a!.height / 2 - (b!.y + b!.height / 2))).toBeLessThan(b!.height);

  // Fixed and run again: the marker goes away.
  await replaceMain(page, BROKEN_MAIN.replace('undefinedName', '"fixed"'));
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByRole('log')).toContainText('exit status 0', { timeout: 45_000 });
  await expect(editorRegion(page).locator('.squiggly-error')).toHaveCount(0);
  await expect(step(page, 'run')).toHaveAttribute('data-state', 'done');
});

test('a go command typed in the terminal drives the phase view', async ({ page }) => {
  await openLesson(page);
  const terminal = await typeInTerminal(page, 'go build -o /tmp/hello . && echo built-ok');
  await expect(terminal.locator('.xterm-rows')).toContainText('built-ok', { timeout: 45_000 });
  await expect(step(page, 'link')).toHaveAttribute('data-state', 'done');
  await expect(step(page, 'compile')).toHaveAttribute('data-state', 'done');
  await expect(phaseView(page).locator('[data-phase-summary]')).toContainText('from the build cache');
  await expect(phaseView(page).locator('[data-phase-repro-command]')).toHaveText(
    'go build -debug-trace=trace.json -debug-actiongraph=actiongraph.json -o /tmp/hello .',
  );
});
