/**
 * Starts the real lab server (node server/main.ts) for tests and benchmarks:
 * a free port, a fresh data directory (unless one is given), the sandbox
 * that set-up prepared in ./.data/sandbox (shared: it is read-only), and the
 * built site in ./dist.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { freshDatabase } from './postgres.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const STARTUP_TIMEOUT_MS = 30_000;

export interface StartOptions {
  /** Extra environment (limits such as RUN_TIMEOUT_MS, SITE_DIR, ...). */
  env?: Record<string, string>;
  /** Reuse this data directory (e.g. to restart on the same workspaces); it is then not deleted. */
  dataDir?: string;
  /**
   * A file the server inherits open (without close-on-exec, as from a careless
   * supervisor) as each of these descriptors. Node marks low descriptors it
   * finds at start-up close-on-exec itself: use high ones (>= 100).
   */
  inheritFile?: { path: string; fds: number[] };
}

export interface LabServer {
  url: string;
  port: number;
  /** The server process (its cgroups live under golab/s<pid>). */
  pid: number;
  dataDir: string;
  /** The server's classroom database in PostgreSQL (LAB_TEST_STORE=postgres); undefined: SQLite under dataDir. */
  databaseUrl?: string;
  /** Everything the server printed so far. */
  output(): string;
  stop(): Promise<void>;
  /** SIGKILL the server (no shutdown handler runs: a crash) and wait for it to exit; the data directory is kept. */
  kill(): Promise<void>;
}

export function newDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lab-data-'));
  chmodSync(dir, 0o711); // the sandbox uid must reach its workspace below it
  return dir;
}

/**
 * LAB_TEST_STORE=postgres: each server keeps its classroom in PostgreSQL (a
 * fresh database of the test cluster, tests/helpers/postgres.ts) rather than
 * SQLite; a server restarted on the same data directory gets the same database.
 */
const POSTGRES_STORE = process.env.LAB_TEST_STORE === 'postgres';
const databaseOfDataDir = new Map<string, string>();

async function databaseFor(dataDir: string): Promise<Record<string, string>> {
  if (!POSTGRES_STORE) return {};
  let url = databaseOfDataDir.get(dataDir);
  if (!url) {
    url = (await freshDatabase()).url;
    databaseOfDataDir.set(dataDir, url);
  }
  return { DATABASE_URL: url };
}

/**
 * Rows of a query on a test server's classroom database, whichever engine it
 * uses (sql with ? placeholders), to check what is stored, not only what the API shows.
 */
export async function classroomRows(lab: LabServer, sql: string, ...params: Array<string | number>): Promise<Array<Record<string, unknown>>> {
  if (lab.databaseUrl) {
    const client = new pg.Client({ connectionString: lab.databaseUrl });
    await client.connect();
    try {
      let n = 0;
      return (
        await client.query(
          sql.replace(/\?/g, () => `$${++n}`),
          params,
        )
      ).rows;
    } finally {
      await client.end();
    }
  }
  const db = new DatabaseSync(join(lab.dataDir, 'classroom', 'classroom.sqlite'), { readOnly: true });
  try {
    return db.prepare(sql).all(...params) as Array<Record<string, unknown>>;
  } finally {
    db.close();
  }
}

export async function startServer(opts: StartOptions = {}): Promise<LabServer> {
  const ownDataDir = !opts.dataDir;
  const dataDir = opts.dataDir ?? newDataDir();
  const database = await databaseFor(dataDir);
  let argv = [process.execPath, join(ROOT, 'server/main.ts')];
  if (opts.inheritFile) {
    // bash opens the file on each descriptor, then execs the server (same pid).
    const opens = opts.inheritFile.fds.map((fd) => `${Number(fd)}<"$1"`).join(' ');
    argv = ['/bin/bash', '-c', `exec ${opens}; shift; exec "$@"`, 'lab-inherit', opts.inheritFile.path, ...argv];
  }
  const child = spawn(argv[0], argv.slice(1), {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      SANDBOX_DIR: process.env.SANDBOX_DIR ?? join(ROOT, '.data', 'sandbox'),
      // Every test comes from 127.0.0.1 and runs far more often than a learner:
      // no per-client Run rate unless a test asks for it (tests/api/rate.test.ts).
      RUN_INTERVAL_MS: '0',
      ...database,
      ...opts.env,
    },
  });
  let output = '';
  // LAB_SERVER_LOG_DIR: also keep each test server's output in a file (to read after a failure).
  const logFile = process.env.LAB_SERVER_LOG_DIR ? join(process.env.LAB_SERVER_LOG_DIR, `server-${child.pid}.log`) : null;
  const keep = (d: Buffer) => {
    output += d;
    if (logFile) appendFileSync(logFile, d);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`lab server did not start in ${STARTUP_TIMEOUT_MS} ms:\n${output}`)), STARTUP_TIMEOUT_MS);
    const check = () => {
      const m = output.match(/listening on http:\/\/localhost:(\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`lab server exited with ${code} before listening:\n${output}`));
    });
  });

  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    dataDir,
    databaseUrl: database.DATABASE_URL,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
