/**
 * A real PostgreSQL server for tests: a throw-away cluster (initdb) in a
 * temporary directory, listening only on a unix socket there, run by pg_ctl
 * and removed afterwards. PostgreSQL refuses to run as root, so as root the
 * cluster belongs to the `postgres` user that Debian's package creates.
 *
 * scripts/test.ts starts one cluster for a whole run and hands its address
 * to the suites as LAB_TEST_POSTGRES_URL; a test file run on its own starts
 * its own (stopped when its process exits). Either way each test gets a
 * fresh database (freshDatabase, testDatabase). When
 * PostgreSQL cannot start, this throws: the tests fail, never skip.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Where Debian's postgresql package puts the server's programs (not on PATH). */
const DEBIAN_POSTGRES_LIB = '/usr/lib/postgresql';
/** util-linux's runuser on Debian. */
const RUNUSER = '/usr/sbin/runuser';
/** The environment variable that carries a running test cluster's address to the suites. */
export const TEST_POSTGRES_ENV = 'LAB_TEST_POSTGRES_URL';
/** The cluster's superuser (trust authentication: only the socket's directory gives access). */
const SUPERUSER = 'lab';

/** The directory of initdb and pg_ctl: on PATH, else Debian's newest version. */
function postgresBinDir(): string {
  try {
    const onPath = execFileSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).trim();
    if (onPath) return join(onPath, '..');
  } catch {
    /* not on PATH */
  }
  const versions = existsSync(DEBIAN_POSTGRES_LIB)
    ? readdirSync(DEBIAN_POSTGRES_LIB)
        .filter((v) => existsSync(join(DEBIAN_POSTGRES_LIB, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions.length) throw new Error('PostgreSQL is not installed (initdb not found): install it with apt-get install -y postgresql (npm test does)');
  return join(DEBIAN_POSTGRES_LIB, versions[0], 'bin');
}

export interface TestCluster {
  /** A connection string for the cluster's `postgres` database, as the superuser. */
  url: string;
  stop(): void;
}

/** Initialises and starts a cluster in a new temporary directory; throws with PostgreSQL's log when it cannot. */
export function startCluster(): TestCluster {
  const bin = postgresBinDir();
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'lab-pg-'));
  try {
    if (root) {
      const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
      chownSync(dir, id('-u'), id('-g'));
    }
    chmodSync(dir, 0o700);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `could not prepare a PostgreSQL test cluster's directory: ${(err as Error).message}${root ? " (as root it belongs to the postgres user, which Debian's postgresql package creates)" : ''}`,
    );
  }
  // As root: run PostgreSQL's programs as the postgres user (runuser is util-linux, always
  // there on Debian, in /usr/sbin: not on every root's PATH).
  const runuser = existsSync(RUNUSER) ? RUNUSER : 'runuser';
  const run = (program: string, args: string[]) =>
    execFileSync(root ? runuser : join(bin, program), root ? ['-u', 'postgres', '--', join(bin, program), ...args] : args, {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
    });
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  const fail = (what: string, err: unknown): never => {
    const detail = existsSync(log) ? readFileSync(log, 'utf8').slice(-4000) : String((err as { stderr?: string }).stderr ?? err);
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not ${what} a PostgreSQL test cluster (as ${root ? 'postgres' : userInfo().username}): ${detail}`);
  };
  try {
    // --no-sync: a throw-away cluster need not survive a power cut.
    run('initdb', ['-D', data, '-U', SUPERUSER, '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  } catch (err) {
    fail('initialise', err);
  }
  try {
    // Only a unix socket in the private directory: no port to collide with, nothing on the network.
    // -w: pg_ctl returns once the server accepts connections.
    run('pg_ctl', ['-D', data, '-l', log, '-w', '-o', `-k ${dir} -c listen_addresses='' -c fsync=off`, 'start']);
  } catch (err) {
    fail('start', err);
  }
  let stopped = false;
  return {
    url: `postgresql://${SUPERUSER}@localhost/postgres?host=${encodeURIComponent(dir)}`,
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** A connection string for another database on the same server as url. */
function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export interface TestDatabase {
  url: string;
  /** Drops the database (WITH FORCE: connections still open to it are cut). */
  drop(): Promise<void>;
}

let own: TestCluster | null = null;

/**
 * An empty database of its own for one test: in the cluster scripts/test.ts
 * started (LAB_TEST_POSTGRES_URL), else in one this process starts (and stops at exit).
 */
export async function freshDatabase(): Promise<TestDatabase> {
  let admin = process.env[TEST_POSTGRES_ENV];
  if (!admin) {
    if (!own) {
      own = startCluster();
      const cluster = own;
      process.once('exit', () => cluster.stop());
    }
    admin = own.url;
  }
  const name = `lab_test_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return {
    url: withDatabase(admin, name),
    async drop() {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

const made: TestDatabase[] = [];
/** A fresh database (freshDatabase), dropped by dropTestDatabases. */
export async function testDatabase(): Promise<TestDatabase> {
  const d = await freshDatabase();
  made.push(d);
  return d;
}

/** Drops every database testDatabase made (a test file's root-level `after` hook: once its tests have all ended). */
export async function dropTestDatabases(): Promise<void> {
  for (const d of made.splice(0)) await d.drop();
}
