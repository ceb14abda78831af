/**
 * Every setting and limit of the lab server, in one place.
 *
 * Each limit is a named constant with its default next to what it limits;
 * the environment variable of the same name overrides it (tests shorten
 * time limits this way). Read once at start-up.
 */
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

function env(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
}

function int(name: string, fallback: number): number {
  const raw = env(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  }
  return value;
}

export interface LabConfig {
  /** Repository root: content/ and the built site live here. */
  root: string;
  host: string;
  port: number;
  /** Learner workspaces and session caches. */
  dataDir: string;
  /** The prepared sandbox (synthetic /etc, pty host, std build cache); made by prepare.ts. */
  sandboxDir: string;
  /** The built static site (Astro's dist/). */
  siteDir: string;
  /** Lesson starting files: content/<lesson id>/files/. */
  contentDir: string;

  /** Host uid/gid sandboxed commands run as when the server runs as root. */
  sandboxUid: number;
  sandboxGid: number;

  /** Wall clock of one Run command (build and run together, for now). */
  RUN_TIMEOUT_MS: number;
  /** Bytes of stdout+stderr one Run may produce before it is stopped. */
  RUN_OUTPUT_LIMIT_BYTES: number;
  /** A terminal with no input for this long is closed. */
  TERMINAL_IDLE_MS: number;
  /** A terminal is closed after this long, active or not. */
  TERMINAL_MAX_MS: number;
  /** Size of one file a client may save or run. */
  MAX_FILE_BYTES: number;
}

export function loadConfig(): LabConfig {
  const dataDir = resolve(env('DATA_DIR') ?? join(ROOT, '.data'));
  return {
    root: ROOT,
    host: env('HOST') ?? '0.0.0.0',
    port: int('PORT', 4321),
    dataDir,
    sandboxDir: resolve(env('SANDBOX_DIR') ?? join(dataDir, 'sandbox')),
    siteDir: resolve(env('SITE_DIR') ?? join(ROOT, 'dist')),
    contentDir: resolve(env('CONTENT_DIR') ?? join(ROOT, 'content')),
    sandboxUid: int('SANDBOX_UID', 61000),
    sandboxGid: int('SANDBOX_GID', 61000),
    RUN_TIMEOUT_MS: int('RUN_TIMEOUT_MS', 30_000),
    RUN_OUTPUT_LIMIT_BYTES: int('RUN_OUTPUT_LIMIT_BYTES', 1024 * 1024),
    TERMINAL_IDLE_MS: int('TERMINAL_IDLE_MS', 15 * 60_000),
    TERMINAL_MAX_MS: int('TERMINAL_MAX_MS', 2 * 60 * 60_000),
    MAX_FILE_BYTES: int('MAX_FILE_BYTES', 256 * 1024),
  };
}

/** True when the server must drop to the sandbox uid (it runs as root). */
export function runsAsRoot(): boolean {
  return process.getuid?.() === 0;
}
