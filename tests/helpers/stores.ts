/**
 * The classroom store on each engine, for tests that must hold on both:
 * SQLite in a temporary file, PostgreSQL in a fresh database of the test
 * cluster (postgres.ts). `reopen` opens another store on the same database.
 * Both are removed when the importing test file's tests have all ended.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { after } from 'node:test';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresStore } from '../../server/classroom/postgres-store.ts';
import { SqliteStore } from '../../server/classroom/sqlite-store.ts';
import type { ClassroomStore } from '../../server/classroom/store.ts';
import { dropTestDatabases, testDatabase } from './postgres.ts';

const dirs: string[] = [];
// Registered when a test file imports this module, so at its root: runs once all its tests have ended.
after(async () => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  await dropTestDatabases();
});

export interface StoreEngine {
  name: 'sqlite' | 'postgres';
  open(): Promise<{ store: ClassroomStore; reopen(): Promise<ClassroomStore> }>;
}

export const STORE_ENGINES: StoreEngine[] = [
  {
    name: 'sqlite',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'clb-db-'));
      dirs.push(dir);
      const path = join(dir, 'classroom.sqlite');
      return { store: new SqliteStore(path), reopen: async () => new SqliteStore(path) };
    },
  },
  {
    name: 'postgres',
    async open() {
      const { url } = await testDatabase();
      return { store: await PostgresStore.open(url), reopen: () => PostgresStore.open(url) };
    },
  },
];
