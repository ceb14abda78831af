/**
 * The walking skeleton, end to end in a real browser against the real server:
 * diagram, editor + autosave, Run with streamed output, terminal, Reset.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { editorRegion, editorText, LESSON, openLesson, replaceEditorText, typeInTerminal } from './workbench.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const ORIGINAL_MAIN = readFileSync(join(ROOT, 'content', LESSON, 'files', 'main.go'), 'utf8');
const MARKER = 'edited in the e2e test';
const EDITED_MAIN = `package main

import "fmt"

func main() {
	fmt.Println("${MARKER}")
}
`;

/** A line of the original main.go that the edit removes (to recognise a reset). */
const ORIGINAL_LINE = (ORIGINAL_MAIN.split('\n').find((l) => /Print|func main/.test(l)) ?? 'package main').trim();

test('diagram, edit, run, terminal, reload, reset', async ({ page }) => {
  await openLesson(page);

  // The mermaid diagram is drawn as SVG once it comes into view; its source stays in the page.
  const diagramSource = page.locator('article pre.mermaid, article pre:has(> code.language-mermaid)').first();
  await diagramSource.scrollIntoViewIfNeeded();
  const svg = page.locator('article figure.diagram svg').first();
  await expect(svg).toBeVisible();
  await expect(page.locator('article figure.diagram details pre')).toHaveCount(await page.locator('article figure.diagram').count());

  // Replace main.go with a program that prints something new.
  await replaceEditorText(page, EDITED_MAIN);
  await expect.poll(() => editorText(page)).toContain(`fmt.Println("${MARKER}")`);
  await expect(page.getByRole('group', { name: 'Run controls' }).getByRole('status')).toHaveText('Saved');

  // Run it: the output streams into the Output log and ends with the exit status.
  const run = page.getByRole('button', { name: 'Run', exact: true });
  await run.click();
  const output = page.getByRole('region', { name: 'Output' }).getByRole('log');
  await expect(output).toContainText(MARKER, { timeout: 45_000 });
  await expect(output).toContainText('exit status 0', { timeout: 45_000 });
  await expect(run).toBeEnabled();

  // The terminal is a real shell with the Go toolchain.
  const terminal = await typeInTerminal(page, 'go version');
  await expect(terminal.locator('.xterm-rows')).toContainText('go version go1.', { timeout: 30_000 });

  // The edit was saved: it is still there after a reload.
  await page.reload();
  await expect(editorRegion(page).locator('.monaco-editor')).toBeVisible();
  await expect.poll(() => editorText(page)).toContain(MARKER);

  // Reset, confirmed, restores the starting files.
  await page.getByRole('button', { name: 'Reset' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('Restore the starting files? Your changes will be lost.');
  await dialog.getByRole('button', { name: 'Restore' }).click();
  await expect(dialog).toBeHidden();
  await expect.poll(() => editorText(page)).toContain(ORIGINAL_LINE);
  // The reset answers after the starting text is already visible (it contains the same lines): poll until the edit is gone.
  await expect.poll(() => editorText(page)).not.toContain(MARKER);
});

test('file tabs switch with the arrow keys', async ({ page }) => {
  await openLesson(page);
  const tabs = page.getByRole('tablist', { name: 'Files' }).getByRole('tab');
  if ((await tabs.count()) < 2) test.skip(true, 'the lesson has one file');
  await tabs.first().focus();
  await page.keyboard.press('ArrowRight');
  await expect(tabs.nth(1)).toHaveAttribute('aria-selected', 'true');
  await expect(tabs.nth(1)).toBeFocused();
  await page.keyboard.press('ArrowLeft');
  await expect(tabs.first()).toHaveAttribute('aria-selected', 'true');
});

test('Reset can be cancelled', async ({ page }) => {
  await openLesson(page);
  await page.getByRole('button', { name: 'Reset' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('button', { name: 'Reset' })).toBeFocused();
});

test('Stop ends a running program', async ({ page }) => {
  await openLesson(page);
  await replaceEditorText(
    page,
    `package main

import (
	"fmt"
	"time"
)

func main() {
	for i := 0; ; i++ {
		fmt.Println("tick", i)
		time.Sleep(100 * time.Millisecond)
	}
}
`,
  );
  const run = page.getByRole('button', { name: 'Run', exact: true });
  await run.click();
  await expect(page.getByRole('button', { name: 'Running…' })).toBeDisabled();
  const output = page.getByRole('log');
  await expect(output).toContainText('tick 3', { timeout: 45_000 });
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(output).toContainText('Stopped.');
  await expect(run).toBeEnabled();
  await expect(page.getByRole('button', { name: 'Stop' })).toBeDisabled();
});

test('keyboard: Tab reaches the controls, Shift+Tab leaves the terminal', async ({ page }) => {
  await openLesson(page);
  const terminal = page.getByRole('region', { name: 'Terminal' });
  await expect(terminal.locator('.xterm')).toBeVisible();
  await page.getByRole('button', { name: 'Reset' }).focus();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Hide the output' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Maximize the output' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('log')).toBeFocused();
  // The splitter between output and terminal, the terminal's Hide and Maximize, the terminal.
  for (let i = 0; i < 4; i++) await page.keyboard.press('Tab');
  await expect(terminal.getByRole('textbox')).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(page.getByRole('button', { name: 'Maximize the terminal' })).toBeFocused();
});
