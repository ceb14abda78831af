/** axe (WCAG 2 A and AA) on the home page, lesson pages with their workbench loaded, search, and the classroom pages. */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';

const LESSON = process.env.E2E_LESSON ?? 'go-run/what-go-run-does';

async function audit(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  const summary = results.violations.map((v) => ({
    id: v.id,
    help: v.help,
    nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5),
  }));
  expect(summary).toEqual([]);
}

test('home page has no WCAG A/AA violations', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await audit(page);
});

test('lesson page has no WCAG A/AA violations', async ({ page }) => {
  await page.goto(`/${LESSON}/`);
  await expect(page.getByRole('region', { name: 'Editor' }).locator('.monaco-editor')).toBeVisible();
  await expect(page.getByRole('region', { name: 'Terminal' }).locator('.xterm')).toBeVisible();
  // Draw the diagrams too, so their SVG is audited.
  const diagrams = await page.locator('article pre.mermaid, article pre:has(> code.language-mermaid)').all();
  for (const pre of diagrams) {
    await pre.scrollIntoViewIfNeeded();
  }
  // Each is drawn (or says it could not be): src/client/diagrams.ts.
  await expect(page.locator('article figure.diagram[data-diagram], article .diagram-error')).toHaveCount(diagrams.length);
  await audit(page);
});

test('lesson page after a Run (phase view, action graph, live diagram) has no WCAG A/AA violations', async ({ page }) => {
  await page.goto(`/${LESSON}/`);
  await expect(page.getByRole('region', { name: 'Editor' }).locator('.monaco-editor')).toBeVisible();
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  const view = page.getByRole('region', { name: 'Build phases' });
  await expect(view.locator('[data-phase-exit]')).toBeVisible({ timeout: 45_000 });
  await view.getByText('How to reproduce outside the lab').click();
  await view.getByText('Action graph', { exact: true }).click();
  await expect(view.locator('[data-phase-graph-host] svg')).toBeVisible({ timeout: 30_000 });
  for (const pre of await page.locator('article pre.mermaid, article pre:has(> code.language-mermaid)').all()) {
    await pre.scrollIntoViewIfNeeded();
  }
  await expect(page.locator('article figure.diagram[data-live-phases] .diagram-live-note')).toBeVisible();
  if (process.env.E2E_SCREENSHOT) await page.screenshot({ path: process.env.E2E_SCREENSHOT });
  await audit(page);
});

test('every lesson page, the search page and the dark theme have no WCAG A/AA violations', async ({ page, request }) => {
  test.setTimeout(240_000);
  const { lessons } = (await (await request.get('/lessons.json')).json()) as { lessons: Array<{ id: string }> };
  expect(lessons.length).toBeGreaterThan(0);
  for (const { id } of lessons) {
    await page.goto(`/${id}/`);
    await expect(page.getByRole('region', { name: 'Editor' })).toBeVisible();
    await audit(page);
  }
  await page.goto('/search/');
  await expect(page.locator('.pagefind-ui__search-input')).toBeVisible();
  await audit(page);
  // The dark theme, on a lesson with its workbench.
  await page.goto(`/${LESSON}/`);
  await page.getByRole('button', { name: 'Dark theme' }).click();
  await expect(page.getByRole('region', { name: 'Editor' }).locator('.monaco-editor')).toBeVisible();
  await audit(page);
  await page.evaluate(() => localStorage.removeItem('golab:theme'));
});

test('the classroom pages (teacher, class and its grid, submission, join, learner, Submit) have no WCAG A/AA violations', async ({ browser }) => {
  test.setTimeout(180_000);
  const teacher = await (await browser.newContext()).newPage();
  const learner = await (await browser.newContext()).newPage();

  // Signed out, not joined.
  await teacher.goto('/teach/');
  await expect(teacher.getByRole('form', { name: 'Create a teacher account' })).toBeVisible();
  await audit(teacher);
  await teacher.goto('/teach/class/?id=none');
  await expect(teacher.getByText('You are not signed in as a teacher.')).toBeVisible();
  await audit(teacher);
  await learner.goto('/classroom/');
  await expect(learner.getByText('You have not joined a class in this browser.')).toBeVisible();
  await audit(learner);
  await learner.goto('/join/');
  await expect(learner.getByRole('form', { name: 'Join a class' })).toBeVisible();
  await audit(learner);

  // A teacher with a class and an assignment (set up through the API: the pages are what is audited).
  const api = teacher.request;
  const signup = await api.post('/api/teacher/signup', {
    data: { email: `a11y-${Date.now()}@example.com`, password: 'correct horse battery', name: 'Grace' },
  });
  expect(signup.status(), await signup.text()).toBe(201);
  const { id, joinCode } = (await (await api.post('/api/classes', { data: { name: 'A11y class' } })).json()) as { id: string; joinCode: string };
  const created = await api.post(`/api/classes/${id}/assignments`, {
    data: { title: 'Week 1', lessons: [LESSON], due: new Date(Date.now() + 86_400_000).toISOString(), latePolicy: 'mark' },
  });
  expect(created.status(), await created.text()).toBe(201);
  const assignmentId = ((await created.json()) as { id: string }).id;

  // The learner joins in the page (the recovery code box), then submits the starting files.
  const joinForm = learner.getByRole('form', { name: 'Join a class' });
  await joinForm.getByLabel('Join code').fill(joinCode);
  await joinForm.getByLabel(/^Your name/).fill('Ada');
  await joinForm.getByRole('button', { name: 'Join' }).click();
  await expect(learner.getByRole('heading', { name: 'You joined A11y class' })).toBeVisible();
  await audit(learner);
  const start = (await (await learner.request.get(`/api/workspace/files?lesson=${encodeURIComponent(LESSON)}`)).json()) as {
    files: Array<{ name: string; content: string }>;
  };
  const submitted = await learner.request.post(`/api/assignments/${assignmentId}/submissions`, {
    data: { lesson: LESSON, files: Object.fromEntries(start.files.map((f) => [f.name, f.content])) },
  });
  expect(submitted.status(), await submitted.text()).toBe(202);
  await learner.goto('/classroom/');
  // Submissions are graded after they are accepted (202): the page shows the grade when it lands.
  await expect(learner.getByRole('region', { name: 'Week 1' }).getByText('✗ failed')).toBeVisible({ timeout: 30_000 });
  await audit(learner);
  await learner.goto(`/${LESSON}/`);
  await expect(learner.getByRole('button', { name: 'Submit to Week 1' })).toBeVisible();
  await expect(learner.getByRole('region', { name: 'Editor' }).locator('.monaco-editor')).toBeVisible();
  await audit(learner);

  await teacher.goto('/teach/');
  await expect(teacher.getByRole('link', { name: 'A11y class' })).toBeVisible();
  await audit(teacher);
  await teacher.goto(`/teach/class/?id=${encodeURIComponent(id)}`);
  const cell = teacher.getByRole('region', { name: 'Results grid' }).getByRole('button', { name: /^✗ failed — Ada/ });
  await expect(cell).toBeVisible();
  await audit(teacher);
  await cell.click();
  await expect(teacher.getByRole('dialog').getByText('4 of 5 checks did not pass.')).toBeVisible();
  await audit(teacher);
  await teacher.keyboard.press('Escape');
  // The dark theme, on the class page and the learner's page.
  await teacher.getByRole('button', { name: 'Dark theme' }).click();
  await audit(teacher);
  await learner.goto('/classroom/');
  await learner.getByRole('button', { name: 'Dark theme' }).click();
  await expect(learner.getByRole('region', { name: 'Week 1' })).toBeVisible();
  await audit(learner);
  await teacher.evaluate(() => localStorage.removeItem('golab:theme'));
  await learner.evaluate(() => localStorage.removeItem('golab:theme'));
});
