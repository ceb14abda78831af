/**
 * Opens the classroom store the configuration asks for: PostgreSQL when
 * DATABASE_URL is set, else the embedded SQLite file under the data
 * directory (what `npm start` with no configuration uses).
 */
import { join } from 'node:path';
import { describeDatabaseUrl, PostgresStore } from './postgres-store.ts';
import { SqliteStore } from './sqlite-store.ts';
import type { ClassroomStore } from './store.ts';

/** The SQLite database, under the data directory. */
export const SQLITE_DATABASE_FILE = join('classroom', 'classroom.sqlite');

export async function openStore(config: { dataDir: string; databaseUrl: string | null }): Promise<ClassroomStore> {
  if (!config.databaseUrl) return new SqliteStore(join(config.dataDir, SQLITE_DATABASE_FILE));
  const store = await PostgresStore.open(config.databaseUrl);
  console.log(`[lab] classroom: PostgreSQL at ${describeDatabaseUrl(config.databaseUrl)}`);
  return store;
}
