/**
 * Browser tests against the real lab server (tests/helpers/server.ts), which
 * global-setup.ts starts once; the built site in dist/ must exist.
 * Run: node node_modules/@playwright/test/cli.js test -c tests/e2e/playwright.config.ts
 */
import { defineConfig, devices } from '@playwright/test';

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  workers: 1,
  fullyParallel: false,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: process.env.CI ? [['list'], ['github']] : 'list',
  outputDir: '../../test-results/e2e',
  globalSetup: './global-setup.ts',
  use: {
    // global-setup.ts sets LAB_URL; workers start after it and inherit process.env.
    baseURL: process.env.LAB_URL,
    trace: 'retain-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        viewport: { width: 1400, height: 900 },
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
          args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
        },
      },
    },
  ],
});
