/**
 * The sandbox's go wrapper (server/sandbox/gowrap) decides which flags to add
 * to a learner's go command; its Go tests pin that (flags right after the
 * subcommand, -C first, go run's program arguments untouched, the learner's
 * own debug flags winning, other subcommands untouched).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

test('gowrap: go test passes', () => {
  const out = execFileSync(process.env.GO || 'go', ['test', '-count=1', '.'], {
    cwd: join(import.meta.dirname, '..', '..', '..', 'server', 'sandbox', 'gowrap'),
    env: { ...process.env, GOFLAGS: '-mod=readonly', CGO_ENABLED: '0' },
    encoding: 'utf8',
  });
  assert.match(out, /^ok\s+golab\/gowrap/m);
});
