/**
 * In the browser: a learner's Run and Check wait in line while the
 * lab is busy, and the page says so. The lab here has one runner (a server of
 * its own, started with MAX_CONCURRENT_COMMANDS=1), held by Runs of other
 * learners that sleep until the test lets them go: the learner's Run shows its
 * position and then its output, Check says how many are ahead and then each
 * check's result, and a full line refuses Check with a retry time after which
 * pressing Check again works.
 */
import { expect, test, type Page } from '@playwright/test';
import { newSession } from '../helpers/api.ts';
import { holdRun, queuedAt, running, type HeldRun } from '../helpers/queue.ts';
import { startServer, type LabServer } from '../helpers/server.ts';
import { LESSON, editorRegion } from './workbench.ts';

/** One runner and a line of two; held Runs sleep far longer than the test. */
// No background places: a held Run would give its slot back after FULL_CPU_WEIGHT_MS (admission.ts).
const QUEUE_LIMITS = { MAX_CONCURRENT_COMMANDS: '1', MAX_BACKGROUND_COMMANDS: '0', MAX_QUEUED_COMMANDS: '2', RUN_TIMEOUT_MS: '600000' };

let lab: LabServer;
const held: HeldRun[] = [];

test.beforeAll(async () => {
  lab = await startServer({ env: QUEUE_LIMITS });
});
test.afterAll(async () => {
  for (const h of held) h.letGo();
  await lab?.stop();
});

/** Another learner's Run holding the runner (it runs) or a place in the line (at `position`). */
async function hold(position?: number): Promise<HeldRun> {
  const h = await holdRun(lab.url, (await newSession(lab.url, LESSON)).cookie);
  held.push(h);
  if (position === undefined) await running(h);
  else await queuedAt(h, position);
  return h;
}

async function open(page: Page): Promise<void> {
  await page.goto(`${lab.url}/${LESSON}/`);
  await expect(editorRegion(page).locator('.monaco-editor')).toBeVisible();
  await expect(page.getByRole('tab', { name: 'main.go' })).toHaveAttribute('aria-selected', 'true');
}

test("a learner's Run and Check show their place in the line as it moves, then the result", async ({ page }) => {
  test.setTimeout(240_000);
  await open(page);

  // ---- Run: one Run runs, one waits; the learner's is second in line.
  let holding = await hold();
  let ahead = await hold(1);
  const phaseStatus = page.getByRole('region', { name: 'Build phases' }).getByRole('status');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(phaseStatus).toHaveText('Waiting for a free runner (position 2)…');
  ahead.letGo();
  await expect(phaseStatus).toHaveText('Waiting for a free runner (position 1)…');
  holding.letGo();
  await expect(page.getByRole('log')).toContainText('Hello from the Go Build Lab!', { timeout: 60_000 });
  await expect(phaseStatus).toHaveText('Finished', { timeout: 60_000 });

  // ---- Check: the same, in the exercise's words.
  holding = await hold();
  ahead = await hold(1);
  const exercise = page.getByRole('region', { name: /Exercise/ });
  const checkStatus = exercise.getByRole('status');
  await exercise.scrollIntoViewIfNeeded();
  await exercise.getByRole('button', { name: 'Check' }).click();
  await expect(checkStatus).toHaveText('The lab is busy. Waiting in line: 1 ahead of you…');
  await expect(exercise.getByRole('button', { name: 'Check' })).toBeDisabled();
  ahead.letGo();
  await expect(checkStatus).toHaveText('The lab is busy. Waiting in line: you are next…');
  holding.letGo();
  await expect(exercise.getByText('4 of 5 checks did not pass.')).toBeVisible({ timeout: 90_000 });
  await expect(exercise.getByText(/expected a line that reads exactly/).first()).toBeVisible();
  await expect(checkStatus).toHaveText('');
});

test('a full line refuses Check with a retry time; pressing again when it says so works', async ({ page }) => {
  test.setTimeout(240_000);
  await open(page);
  const line = [await hold(), await hold(1), await hold(2)];
  const exercise = page.getByRole('region', { name: /Exercise/ });
  const checkStatus = exercise.getByRole('status');
  await exercise.scrollIntoViewIfNeeded();
  await exercise.getByRole('button', { name: 'Check' }).click();
  await expect(checkStatus).toHaveText(/^The lab is too busy to take your check right now\. Try again in \d+ seconds?\.$/);
  await expect(exercise.getByRole('button', { name: 'Check' })).toBeEnabled();

  // The line drains before the retry time (the server's Retry-After: a few seconds for a line of two) is up.
  for (const h of line) h.letGo();
  await expect(checkStatus).toHaveText('You can press Check again now.', { timeout: 60_000 });
  await exercise.getByRole('button', { name: 'Check' }).click();
  await expect(exercise.getByText('4 of 5 checks did not pass.')).toBeVisible({ timeout: 90_000 });
});
