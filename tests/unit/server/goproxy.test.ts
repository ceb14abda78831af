/**
 * The sandbox's module proxy (server/sandbox/goproxy/build.ts and the
 * modproxy tool): the real tree as set-up writes it, read by the go command
 * through GOPROXY=file://, and rebuilt only when its sources change.
 * (modproxy's own Go tests run in the go suite, scripts/test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureGoProxy } from '../../../server/sandbox/goproxy/build.ts';
import { SANDBOX_GONOSUMDB } from '../../../server/sandbox/bwrap.ts';

const GO = process.env.GO || 'go';
/** The machine's own build cache: the standard library is compiled there already. */
const HOST_GOCACHE = execFileSync(GO, ['env', 'GOCACHE'], { encoding: 'utf8' }).trim();

test("the proxy tree serves the lab's modules to the go command, and is written once per change", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-goproxy-'));
  try {
    const target = join(dir, 'goproxy');
    const stamp = join(dir, 'goproxy.stamp');
    assert.equal(await ensureGoProxy(target, stamp, 'go-test'), true);
    assert.equal(await ensureGoProxy(target, stamp, 'go-test'), false, 'up to date: not written again');
    assert.equal(readFileSync(join(target, 'golab.example/greet/@v/list'), 'utf8'), 'v1.0.0\nv1.1.0\n');
    assert.deepEqual(JSON.parse(readFileSync(join(target, 'golab.example/greet/@v/v1.0.0.info'), 'utf8')), { Version: 'v1.0.0', Time: '2024-01-01T00:00:00Z' });
    assert.equal(readFileSync(join(target, 'golab.example/greet/v2/@v/list'), 'utf8'), 'v2.0.0\n');

    const env = {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      GOFLAGS: '-modcacherw',
      GOTOOLCHAIN: 'local',
      GOPROXY: `file://${target}`,
      GONOSUMDB: SANDBOX_GONOSUMDB,
      GOMODCACHE: join(dir, 'modcache'),
      GOCACHE: HOST_GOCACHE,
    };
    const info = JSON.parse(
      execFileSync(GO, ['mod', 'download', '-json', 'golab.example/greet@v1.0.0'], { cwd: dir, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
    );
    assert.equal(info.Error, undefined);
    assert.match(info.Sum, /^h1:/);
    // A command at a version: its module, its dependency (at the version its go.mod asks for), built and run.
    const out = execFileSync(GO, ['run', 'golab.example/cmd/hello@v1.0.0', 'test'], { cwd: dir, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.equal(out, 'Hello, test! (golab.example/cmd/hello v1.0.0, greet v1.1.0)\n');
    const versions = execFileSync(GO, ['list', '-m', '-versions', 'golab.example/shout'], {
      cwd: dir,
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    assert.equal(versions, 'golab.example/shout v1.0.0\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
