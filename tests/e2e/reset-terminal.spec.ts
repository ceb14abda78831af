/**
 * Reset starts the lesson over: the starting files, and a fresh
 * terminal in the lesson folder, without the old shell's directory or variables.
 */
import { expect, test } from '@playwright/test';
import { openLesson, typeInTerminal } from './workbench.ts';

test('Reset gives a fresh terminal in the lesson folder', async ({ page }) => {
  await openLesson(page);
  const terminal = await typeInTerminal(page, 'cd /tmp && export LAB_MARK=old && echo "at $(pwd) mark=$LAB_MARK"');
  await expect(terminal.locator('.xterm-rows')).toContainText('at /tmp mark=old', { timeout: 30_000 });

  await page.getByRole('button', { name: 'Reset' }).click();
  const dialog = page.getByRole('dialog', { name: 'Restore the starting files?' });
  await expect(dialog).toContainText('The terminal starts afresh in the lesson folder.');
  await dialog.getByRole('button', { name: 'Restore' }).click();
  await expect(dialog).toBeHidden();
  // The old screen is gone; the new shell answers from the lesson folder, without the variable.
  await expect(terminal.locator('.xterm-rows')).not.toContainText('at /tmp mark=old');
  await typeInTerminal(page, 'echo "now $(pwd) mark=${LAB_MARK:-unset}"');
  await expect(terminal.locator('.xterm-rows')).toContainText('now /home/learner/go-run/what-go-run-does mark=unset', { timeout: 30_000 });
});
