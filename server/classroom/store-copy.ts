/**
 * Copies a classroom from its SQLite file into an empty PostgreSQL database,
 * for a school moving from the embedded default to DATABASE_URL
 * (scripts/copy-sqlite-to-postgres.ts is the command; docs/operations.md).
 *
 * The SQLite file is brought to the newest schema first (as the lab does at
 * start) and read inside one read transaction, so a lab still running on it
 * cannot give the copy half of a change. The PostgreSQL side is migrated,
 * must hold no classroom data yet, and is written in one transaction: a
 * failed copy leaves it empty. Rows go in SQLite's stored order, so the
 * orders that rest on it (ties in creation times) survive the move.
 */
import { existsSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { migrate } from './migrations.ts';
import { migratePostgres } from './postgres-store.ts';

/** Every classroom table, parents before the tables that refer to them; each with the order rows were stored in. */
const TABLES: ReadonlyArray<{ name: string; order: string }> = [
  { name: 'teachers', order: 'rowid' },
  { name: 'teacher_sessions', order: 'rowid' },
  { name: 'classes', order: 'rowid' },
  { name: 'learners', order: 'rowid' },
  { name: 'learner_sessions', order: 'rowid' },
  { name: 'assignments', order: 'rowid' },
  { name: 'assignment_lessons', order: 'rowid' },
  { name: 'submissions', order: 'seq' },
  { name: 'learner_progress', order: 'rowid' },
  { name: 'learner_files', order: 'rowid' },
];
/** Stand-ins for the stored order; PostgreSQL numbers the rows again as they arrive in that order. */
const NOT_COPIED = new Set(['seq']);
/** PostgreSQL takes at most 65535 parameters in one statement; rows are sent in batches below that. */
const MAX_PARAMETERS_PER_INSERT = 30_000;

export class CopyError extends Error {}

/** Copies every row; answers how many rows each table received. */
export async function copySqliteToPostgres(sqliteFile: string, databaseUrl: string): Promise<Record<string, number>> {
  if (!existsSync(sqliteFile)) throw new CopyError(`${sqliteFile}: no such file`);
  const db = new DatabaseSync(sqliteFile);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  try {
    db.exec('PRAGMA foreign_keys = ON');
    migrate(db);
    const present = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as Array<{ name: string }>).map(
      (r) => r.name,
    );
    const unknown = present.filter((t) => !TABLES.some((x) => x.name === t));
    // A migration that adds a table must add it here too, or its rows would be left behind.
    if (unknown.length) throw new CopyError(`the SQLite file has tables this copy does not know: ${unknown.join(', ')}`);

    await migratePostgres(pool);
    const client = await pool.connect();
    const counts: Record<string, number> = {};
    try {
      await client.query('BEGIN');
      for (const { name } of TABLES) {
        const n = Number((await client.query(`SELECT COUNT(*) AS n FROM ${name}`)).rows[0].n);
        if (n) throw new CopyError(`the PostgreSQL database already holds classroom data (${n} rows in ${name}); copy into an empty database`);
      }
      db.exec('BEGIN'); // one snapshot of the SQLite file for every table
      try {
        for (const { name, order } of TABLES) {
          const columns = (db.prepare(`PRAGMA table_info(${name})`).all() as Array<{ name: string }>).map((c) => c.name).filter((c) => !NOT_COPIED.has(c));
          const perBatch = Math.max(1, Math.floor(MAX_PARAMETERS_PER_INSERT / columns.length));
          let batch: unknown[][] = [];
          const flush = async () => {
            if (!batch.length) return;
            const values = batch.map((_, r) => `(${columns.map((__, c) => `$${r * columns.length + c + 1}`).join(', ')})`).join(', ');
            await client.query(`INSERT INTO ${name} (${columns.join(', ')}) VALUES ${values}`, batch.flat());
            batch = [];
          };
          counts[name] = 0;
          for (const row of db.prepare(`SELECT ${columns.join(', ')} FROM ${name} ORDER BY ${order}`).iterate() as Iterable<Record<string, unknown>>) {
            batch.push(columns.map((c) => row[c]));
            counts[name]++;
            if (batch.length >= perBatch) await flush();
          }
          await flush();
        }
      } finally {
        db.exec('COMMIT');
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
    return counts;
  } finally {
    db.close();
    await pool.end();
  }
}
