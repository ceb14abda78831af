/**
 * Files made outside the editor appear in it, and Reset starts over exactly
 *: a Go file written in the terminal gets a tab of its own, a
 * built program is named beside the tabs; Reset lists both before removing
 * them, and the next Run no longer shows the file's effect
 * (production/release-builds: its Try it blocks write extra.go).
 */
import { expect, test } from '@playwright/test';
import type { LessonFiles } from '../../src/lib/protocol.ts';
import { editorRegion, LESSON as LESSON_RUN, openLesson, typeInTerminal } from './workbench.ts';

const LESSON = 'production/release-builds';
const EXTRA = String.raw`printf 'package main\n\nimport "fmt"\n\nfunc init() { fmt.Println("extra.go was here") }\n' > extra.go && go build -o release . && echo made-$((6*7))`;

test('a file made in the terminal gets a tab; Reset lists it, removes it, and Run shows its effect gone', async ({ page }) => {
  await page.goto(`/${LESSON}/`);
  await expect(editorRegion(page).locator('.monaco-editor')).toBeVisible();
  const terminal = await typeInTerminal(page, EXTRA);
  await expect(terminal.locator('.xterm-rows')).toContainText('made-42', { timeout: 60_000 });

  // The tab appears once the terminal settles (the workbench reads the folder then).
  const tab = page.getByRole('tab', { name: 'extra.go' });
  await expect(tab).toBeVisible({ timeout: 15_000 });
  await tab.click();
  await expect(editorRegion(page).locator('.monaco-editor .view-lines')).toContainText('extra.go was here');
  // The built program is not text: named beside the tabs, not opened.
  await expect(editorRegion(page)).toContainText(/Also in the folder: release \(binary, [\d.]+ MB\)/);
  await expect(page.getByRole('tab', { name: 'release' })).toHaveCount(0);

  const run = page.getByRole('button', { name: 'Run', exact: true });
  const output = page.getByRole('log');
  await run.click();
  await expect(output.locator('.exit')).toBeVisible({ timeout: 60_000 });
  await expect(output).toContainText('extra.go was here');

  await page.getByRole('button', { name: 'Reset' }).click();
  const dialog = page.getByRole('dialog', { name: 'Restore the starting files?' });
  await expect(dialog.getByRole('listitem')).toHaveText(['extra.go', 'release']);
  await expect(dialog).toContainText('These 2 files are not starting files and will be removed:');
  await dialog.getByRole('button', { name: 'Restore' }).click();
  await expect(dialog).toBeHidden();
  await expect(tab).toHaveCount(0);
  await expect(editorRegion(page)).not.toContainText('Also in the folder');

  await run.click();
  await expect(output.locator('.exit.ok')).toBeVisible({ timeout: 60_000 });
  await expect(output).toContainText('Hello, production!');
  await expect(output).not.toContainText('extra.go was here');
  const ls = await typeInTerminal(page, 'ls | tr "\\n" " "; echo "<- listed"');
  await expect(ls.locator('.xterm-rows')).toContainText('go.mod main.go release <- listed', { timeout: 30_000 });
});

test('Reset with nothing extra in the folder lists nothing', async ({ page }) => {
  await page.goto(`/${LESSON}/`);
  await expect(editorRegion(page).locator('.monaco-editor')).toBeVisible();
  await page.getByRole('button', { name: 'Reset' }).click();
  const dialog = page.getByRole('dialog', { name: 'Restore the starting files?' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('listitem')).toHaveCount(0);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
});

test("a Run sends its files once: no save before it, the Run's own request saves the edit", async ({ page }) => {
  await openLesson(page);
  const requests: string[] = [];
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith('/api/'))
      requests.push(`${r.method()} ${path}${r.method() === 'POST' && path === '/api/run' && r.postData()?.includes('sent-once') ? ' (with the edit)' : ''}`);
  });
  // Focusing the editor reads the folder (a sync): let that finish first.
  const focusSync = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/workspace/list');
  await editorRegion(page).locator('.monaco-editor .view-lines').click();
  await focusSync;
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.insertText('\n// sent-once\n');
  // Within the autosave's delay: the edit goes with the Run. Only what the click sets off counts.
  requests.length = 0;
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByRole('log').locator('.exit.ok')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole('group', { name: 'Run controls' }).getByRole('status')).toHaveText('Saved');
  expect(requests.filter((r) => r.startsWith('PUT ') || r.startsWith('POST /api/run'))).toEqual(['POST /api/run (with the edit)']);
  const res = await page.request.get(`/api/workspace/files?lesson=${encodeURIComponent(LESSON_RUN)}`);
  expect(((await res.json()) as LessonFiles).files.find((f) => f.name === 'main.go')?.content).toContain('// sent-once');
});
