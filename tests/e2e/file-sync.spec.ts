/**
 * Nothing lost between the terminal and the editor (src/client/file-sync.ts,
 * workbench.ts): a file changed in the terminal shows in the editor, and
 * Run does not write the editor's old text back over it; a file changed on
 * both sides keeps the editor's version and the learner is told.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { LessonFiles } from '../../src/lib/protocol.ts';
import { editorRegion, editorText, LESSON, openLesson, replaceEditorText, typeInTerminal } from './workbench.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const ORIGINAL_GO_MOD = readFileSync(join(ROOT, 'content', LESSON, 'files', 'go.mod'), 'utf8');
const FILES_PATH = '/api/workspace/files';
/** The page's sync reads the folder's listing (which has every text file's content). */
const LIST_PATH = '/api/workspace/list';
const SOLUTION = readFileSync(join(ROOT, 'content', LESSON, 'exercise', 'solution', 'main.go'), 'utf8');
const ORIGINAL_MAIN = readFileSync(join(ROOT, 'content', LESSON, 'files', 'main.go'), 'utf8');
/** A line of the solution that the starting main.go lacks (to tell which one the editor shows). */
const SOLUTION_ONLY_LINE =
  SOLUTION.split('\n')
    .map((l) => l.trim())
    .find((l) => l.length > 3 && !ORIGINAL_MAIN.includes(l)) ?? '';

/** The lesson's go.mod with another module path (the rest, e.g. the go line, unchanged). */
const withModule = (path: string) => ORIGINAL_GO_MOD.replace(/^module .*$/m, `module ${path}`);

/** go.mod as saved in this page's session (the request carries the page's cookies). */
async function workspaceGoMod(page: Page): Promise<string | undefined> {
  const res = await page.request.get(`${FILES_PATH}?lesson=${encodeURIComponent(LESSON)}`);
  expect(res.ok()).toBe(true);
  const body = (await res.json()) as LessonFiles;
  return body.files.find((f) => f.name === 'go.mod')?.content;
}

/** Makes the page's reads of the workspace fail while `fail` is set, counting them. */
async function failWorkspaceReads(page: Page): Promise<{ fail: boolean; failed: number }> {
  const state = { fail: true, failed: 0 };
  await page.route(
    (url) => url.pathname === FILES_PATH || url.pathname === LIST_PATH,
    async (route) => {
      if (route.request().method() === 'GET' && state.fail) {
        state.failed++;
        await route.abort();
      } else await route.fallback();
    },
  );
  return state;
}

/** Runs `command` in the terminal and waits for it to end (the echo's output is computed, so the typed line alone cannot match). */
async function runInTerminal(page: Page, command: string): Promise<void> {
  const terminal = await typeInTerminal(page, `${command} && echo "done-$((6 * 7))"`);
  await expect(terminal.locator('.xterm-rows')).toContainText('done-42', { timeout: 30_000 });
}

/**
 * Runs `command` in the terminal while the page's reads of the workspace fail,
 * and waits until the sync the command set off has failed: only a later sync
 * can bring its change into the editor. Set `fail` to false to let reads work.
 */
async function runInTerminalUnseen(page: Page, command: string): Promise<{ fail: boolean }> {
  const reads = await failWorkspaceReads(page);
  await runInTerminal(page, command);
  await expect.poll(() => reads.failed).toBeGreaterThan(0);
  return reads;
}

/** Runs the lesson's command with the Run button and waits for a clean exit. */
async function runAndWait(page: Page): Promise<void> {
  const run = page.getByRole('button', { name: 'Run', exact: true });
  await run.click();
  const output = page.getByRole('region', { name: 'Output' }).getByRole('log');
  await expect(output).toContainText('exit status 0', { timeout: 45_000 });
  await expect(run).toBeEnabled();
}

test.beforeAll(() => {
  // The test changes the module line: the lesson must have one.
  expect(ORIGINAL_GO_MOD).toMatch(/^module \S+$/m);
  expect(SOLUTION_ONLY_LINE).not.toBe('');
});

test('a file changed in the terminal shows in the editor, and Run keeps the change', async ({ page }) => {
  await openLesson(page);
  await page.getByRole('tab', { name: 'go.mod' }).click();
  expect(await editorText(page)).not.toContain('example.com/renamed');

  await runInTerminal(page, 'go mod edit -module example.com/renamed');
  expect(await workspaceGoMod(page)).toBe(withModule('example.com/renamed'));

  // The editor shows it once the command has ended, without a reload or a click into it.
  await expect.poll(() => editorText(page)).toContain('module example.com/renamed');
  // Loading it was not an edit of the learner's: no save was started (the status area is still empty).
  await expect(page.getByRole('group', { name: 'Run controls' }).getByRole('status')).toHaveText('');

  // Run sends the editor's files: the terminal's change must survive it.
  await runAndWait(page);
  expect(await workspaceGoMod(page)).toBe(withModule('example.com/renamed'));
});

test('a change made in the terminal right before Run is not overwritten by it', async ({ page }) => {
  await openLesson(page);
  await page.getByRole('tab', { name: 'go.mod' }).click();
  // Workspace reads fail until Run, so only Run's own sync can see the terminal's change.
  const reads = await runInTerminalUnseen(page, 'go mod edit -module example.com/late');
  // The sync after the command tried and failed: the editor still shows the old text (and nothing broke).
  expect(await editorText(page)).not.toContain('example.com/late');
  reads.fail = false;

  await runAndWait(page);
  expect(await workspaceGoMod(page)).toBe(withModule('example.com/late'));
  // Run's sync brought the change into the editor too.
  await expect.poll(() => editorText(page)).toContain('module example.com/late');
});

test('coming back to the editor shows a change the terminal made meanwhile', async ({ page }) => {
  await openLesson(page);
  await page.getByRole('tab', { name: 'go.mod' }).click();
  // The sync after the command fails, so only the one on focus can bring the change in.
  const reads = await runInTerminalUnseen(page, 'go mod edit -module example.com/focused');
  expect(await editorText(page)).not.toContain('example.com/focused');
  reads.fail = false;

  await editorRegion(page).locator('.monaco-editor .view-lines').click();
  await expect.poll(() => editorText(page)).toContain('module example.com/focused');
  await expect(page.getByRole('group', { name: 'Run controls' }).getByRole('status')).toHaveText('');
});

test("a file changed in both the editor and the terminal keeps the editor's version, and says so", async ({ page }) => {
  await openLesson(page);
  await page.getByRole('tab', { name: 'go.mod' }).click();
  const status = page.getByRole('group', { name: 'Run controls' }).getByRole('status');

  // Saves fail for now, so the editor's edit is still unsaved when the terminal changes the same file.
  const failSaves = (url: URL) => url.pathname === FILES_PATH;
  await page.route(failSaves, async (route) => {
    if (route.request().method() === 'PUT') await route.abort();
    else await route.fallback();
  });
  const fromEditor = withModule('example.com/fromeditor');
  await replaceEditorText(page, fromEditor);
  await expect(status).toContainText('Not saved');

  await runInTerminal(page, 'go mod edit -module example.com/fromterminal');
  expect(await workspaceGoMod(page)).toBe(withModule('example.com/fromterminal'));
  await page.unroute(failSaves);

  // Run syncs and saves first: the editor's version wins, and the learner hears about the other one.
  await runAndWait(page);
  await expect(status).toHaveText("go.mod also changed in the terminal; the editor's version was kept");
  expect(await workspaceGoMod(page)).toBe(fromEditor);
  expect(await editorText(page)).toContain('module example.com/fromeditor');

  // Typing on right away saves as usual, and does not hide the note at once.
  await editorRegion(page).locator('.monaco-editor .view-lines').click();
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.insertText('// typed after the note\n');
  await expect.poll(() => workspaceGoMod(page)).toBe(`${fromEditor}// typed after the note\n`);
  await expect(status).toHaveText("go.mod also changed in the terminal; the editor's version was kept");
});

test("Check sends a file the terminal changed, not the editor's older copy", async ({ page }) => {
  await openLesson(page);
  const exercise = page.getByRole('region', { name: /Exercise/ });
  // Only the sync that Check asks for can bring the terminal's file in.
  // The solution, written by the shell (base64: no quoting or tab completion in the way).
  const b64 = Buffer.from(SOLUTION).toString('base64');
  const reads = await runInTerminalUnseen(page, `echo ${b64} | base64 -d > main.go`);
  expect(await editorText(page)).not.toContain(SOLUTION_ONLY_LINE);
  reads.fail = false;

  await exercise.scrollIntoViewIfNeeded();
  await exercise.getByRole('button', { name: 'Check' }).click();
  await expect(exercise.getByText('All checks passed. Lesson done.')).toBeVisible({ timeout: 60_000 });
});
