/**
 * Findings by kind: a Run whose command prints the compiler's -m
 * notes (compiler/source-to-machine-code) exits 0 and shows them as blue
 * information, not red errors; a compile error is red; the Output's
 * file:line references are links to that line in the editor.
 */
import { expect, test, type Page } from '@playwright/test';
import { editorRegion, replaceEditorText } from './workbench.ts';

async function open(page: Page, lesson: string): Promise<void> {
  await page.goto(`/${lesson}/`);
  await expect(editorRegion(page).locator('.monaco-editor')).toBeVisible();
}

const squiggles = (page: Page, kind: 'info' | 'error' | 'warning') => editorRegion(page).locator(`.monaco-editor .squiggly-${kind}`);

test('-gcflags=-m notes of a Run are information; their file:line links go to the line', async ({ page }) => {
  await open(page, 'compiler/source-to-machine-code');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  const output = page.getByRole('log');
  await expect(output).toContainText('exit status 0', { timeout: 60_000 });
  await expect(output).toContainText('moved to heap: p');
  await expect(squiggles(page, 'info').first()).toBeVisible();
  expect(await squiggles(page, 'info').count()).toBeGreaterThan(2);
  await expect(squiggles(page, 'error')).toHaveCount(0);

  // `./main.go:13:2: moved to heap: p` links to line 13 of main.go.
  const link = output.getByRole('link', { name: /main\.go:13:\d+/ }).first();
  await expect(link).toBeVisible();
  await link.focus();
  await page.keyboard.press('Enter');
  await expect(editorRegion(page).locator('.monaco-editor .active-line-number')).toHaveText('13');
  await expect(editorRegion(page).locator('.native-edit-context, textarea.inputarea').first()).toBeFocused();
});

test('a compile error is an error, and its reference in the Output is a link', async ({ page }) => {
  await open(page, 'go-run/what-go-run-does');
  await expect(page.getByRole('tab', { name: 'main.go' })).toHaveAttribute('aria-selected', 'true');
  await replaceEditorText(page, 'package main\n\nfunc main() {\n\tx := 1\n\tundefinedName()\n}\n');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  const output = page.getByRole('log');
  await expect(output).toContainText('undefined: undefinedName', { timeout: 60_000 });
  await expect(squiggles(page, 'error').first()).toBeVisible();
  await expect(squiggles(page, 'info')).toHaveCount(0);
  await output
    .getByRole('link', { name: /main\.go:5:\d+/ })
    .first()
    .click();
  await expect(editorRegion(page).locator('.monaco-editor .active-line-number')).toHaveText('5');
});
