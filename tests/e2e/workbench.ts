/** What the browser tests do on a lesson page's workbench, in one place. */
import { expect, type Locator, type Page } from '@playwright/test';

export const LESSON = process.env.E2E_LESSON ?? 'go-run/what-go-run-does';

export const editorRegion = (page: Page) => page.getByRole('region', { name: 'Editor' });

/** Opens the lesson and waits for Monaco with main.go selected. */
export async function openLesson(page: Page): Promise<void> {
  await page.goto(`/${LESSON}/`);
  await expect(editorRegion(page).locator('.monaco-editor')).toBeVisible();
  await expect(page.getByRole('tab', { name: 'main.go' })).toHaveAttribute('aria-selected', 'true');
}

/** Replaces the open file's text, as a learner would with the keyboard. */
/** The open file's text as Monaco shows it (its non-breaking spaces as spaces). */
export async function editorText(page: Page): Promise<string> {
  const text = await editorRegion(page).locator('.monaco-editor .view-lines').innerText();
  return text.replace(/\u00a0/g, ' ');
}

export async function replaceEditorText(page: Page, text: string): Promise<void> {
  await editorRegion(page).locator('.monaco-editor .view-lines').click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

/** Types a command line into the terminal and presses Enter; returns the terminal region. */
export async function typeInTerminal(page: Page, line: string): Promise<Locator> {
  const terminal = page.getByRole('region', { name: 'Terminal' });
  await expect(terminal.locator('.xterm')).toBeVisible();
  await terminal.locator('.xterm').click();
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
  return terminal;
}
