/**
 * Set-up shared by `npm start`, `npm test` and `npm run bench`, run by the
 * Node that npm installed (scripts/lab.sh has already made sure it exists).
 *
 * Each step is skipped when a stamp says its inputs have not changed, so a
 * second `npm start` goes straight to serving.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const SITE_DIR = join(ROOT, 'dist');
const SITE_STAMP = join(SITE_DIR, '.lab-build-stamp');
/** Everything the static site is built from. */
const SITE_INPUTS = ['astro.config.mjs', 'tsconfig.json', 'package-lock.json', 'src', 'content', 'public'];

function step(message: string): void {
  process.stdout.write(`\x1b[1m[lab]\x1b[0m ${message}\n`);
}

/** A digest of file names and contents under the given paths (skipping missing ones). */
function digestOf(paths: string[]): string {
  const hash = createHash('sha256');
  const visit = (path: string): void => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const name of readdirSync(path).sort()) visit(join(path, name));
    } else if (stat.isFile()) {
      hash.update(relative(ROOT, path)).update('\0').update(readFileSync(path)).update('\0');
    }
  };
  for (const p of paths) visit(join(ROOT, p));
  return hash.digest('hex');
}

function run(what: string, command: string, args: string[]): void {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', env: process.env });
  if (result.status !== 0) {
    step(`${what} failed (exit ${result.status ?? result.signal}); see the output above`);
    process.exit(1);
  }
}

function buildSite(): void {
  const want = digestOf(SITE_INPUTS);
  if (existsSync(SITE_STAMP) && readFileSync(SITE_STAMP, 'utf8') === want) {
    step('site is up to date (dist/)');
    return;
  }
  step('building the site with Astro…');
  const started = Date.now();
  run('the site build', process.execPath, [join(ROOT, 'node_modules/astro/bin/astro.mjs'), 'build', '--silent']);
  // The static search index (dist/pagefind/): lesson text only (data-pagefind-body on lesson pages).
  run('the search index', join(ROOT, 'node_modules/.bin/pagefind'), ['--site', SITE_DIR, '--silent']);
  writeFileSync(SITE_STAMP, want);
  step(`site built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function prepareSandbox(): void {
  // The sandbox module owns what it needs (tools, synthetic /etc, the
  // pre-compiled standard library cache) and its own stamps and progress.
  run('sandbox preparation', process.execPath, [join(ROOT, 'server/sandbox/prepare-cli.ts')]);
}

buildSite();
prepareSandbox();
