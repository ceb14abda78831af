/**
 * Format: gofmt, run in the sandbox, formats the open file from the
 * keyboard (Shift+Alt+F) or the toolbar's Format; a syntax error leaves the
 * file as it is and says why.
 */
import { expect, test } from '@playwright/test';
import { LESSON, editorText, openLesson, replaceEditorText } from './workbench.ts';
import type { Page } from '@playwright/test';

/** main.go as saved in the learner's workspace (the editor autosaves; Monaco's DOM keeps no line order). */
async function savedMain(page: Page): Promise<string> {
  const res = await page.request.get(`/api/workspace/files?lesson=${encodeURIComponent(LESSON)}`);
  const { files } = (await res.json()) as { files: Array<{ name: string; content: string }> };
  return files.find((f) => f.name === 'main.go')?.content ?? '';
}

const FORMATTED = 'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println("hi")\n}\n';

const MESSY = 'package main\nimport "fmt"\nfunc main(){\nfmt.Println( "hi" )\n}\n';

test('Shift+Alt+F and the Format button run gofmt on the open file', async ({ page }) => {
  await openLesson(page);
  await replaceEditorText(page, MESSY);
  await expect.poll(() => savedMain(page), { timeout: 15_000 }).toBe(MESSY);
  await page.keyboard.press('Shift+Alt+F');
  // gofmt's layout: blank lines between the clauses, a tab before the call, no spaces inside ( ).
  await expect.poll(() => savedMain(page), { timeout: 30_000 }).toBe(FORMATTED);
  await expect(page.locator('.monaco-editor .native-edit-context, .monaco-editor textarea.inputarea').first()).toBeFocused();

  await replaceEditorText(page, MESSY);
  await expect.poll(() => savedMain(page), { timeout: 15_000 }).toBe(MESSY);
  await page.getByRole('button', { name: 'Format', exact: true }).click();
  await expect.poll(() => savedMain(page), { timeout: 30_000 }).toBe(FORMATTED);
});

test('a syntax error: the file stays as it is, the status says why', async ({ page }) => {
  await openLesson(page);
  const broken = 'package main\nfunc main( {\n}\n';
  await replaceEditorText(page, broken);
  await page.getByRole('button', { name: 'Format', exact: true }).click();
  await expect(page.locator('[data-save-status]')).toContainText(/Not formatted: .*main\.go:2/, { timeout: 30_000 });
  expect(await editorText(page)).toContain('func main( {');
});
