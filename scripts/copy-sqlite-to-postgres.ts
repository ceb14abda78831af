/**
 * `npm run copy-sqlite-to-postgres -- <classroom.sqlite> <postgres-url>`:
 * copies the classroom from the embedded SQLite file into an empty
 * PostgreSQL database (server/classroom/store-copy.ts), then says how many
 * rows each table received. Stop the lab first; start it again with
 * DATABASE_URL set to the same URL (docs/operations.md).
 */
import { copySqliteToPostgres, CopyError } from '../server/classroom/store-copy.ts';
import { describeDatabaseUrl } from '../server/classroom/postgres-store.ts';

const [file, url] = process.argv.slice(2);
if (!file || !url) {
  process.stderr.write(
    'usage: npm run copy-sqlite-to-postgres -- <classroom.sqlite> <postgres://user:password@host/database>\n' +
      '(the lab keeps its SQLite classroom in .data/classroom/classroom.sqlite)\n',
  );
  process.exit(2);
}
try {
  const counts = await copySqliteToPostgres(file, url);
  for (const [table, n] of Object.entries(counts)) process.stdout.write(`${table.padEnd(20)} ${n}\n`);
  process.stdout.write(`copied ${file} to ${describeDatabaseUrl(url)}\n`);
} catch (err) {
  process.stderr.write(`copy failed: ${err instanceof CopyError ? err.message : (err as Error).stack}\n`);
  process.exit(1);
}
