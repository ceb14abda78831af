/** The sandbox's bubblewrap argv and environment (server/sandbox/bwrap.ts): isolated as docs/security.md says, built from the lab's values only. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bwrapArgv, sandboxEnv } from '../../../server/sandbox/bwrap.ts';

const layout = { etcDir: '/data/sandbox/etc', toolsDir: '/data/sandbox/bin', goproxyDir: '/data/sandbox/goproxy', goroot: '/usr/local/go' };

test('the sandbox is isolated the way docs/security.md says', () => {
  const argv = bwrapArgv({ layout, home: '/data/s/home', cwd: '/home/learner/l', command: ['bash', '-c', 'go run .'], seccompFd: 3 });
  for (const flag of ['--unshare-all', '--unshare-user', '--disable-userns', '--die-with-parent', '--new-session', '--clearenv']) {
    assert.ok(argv.includes(flag), flag);
  }
  const pairs = (flag: string) => argv.flatMap((a, i) => (a === flag ? [`${argv[i + 1]} ${argv[i + 2]}`] : []));
  assert.deepEqual(pairs('--bind'), ['/data/s/home /home/learner'], 'the workspace is the only writable host directory');
  assert.ok(pairs('--ro-bind').includes('/usr /usr'));
  assert.ok(pairs('--ro-bind').includes('/data/sandbox/etc /etc'));
  assert.ok(pairs('--ro-bind').includes('/data/sandbox/goproxy /opt/lab/goproxy'), 'the module proxy is mounted read-only');
  assert.equal(argv[argv.indexOf('--seccomp') + 1], '3');
  assert.deepEqual(argv.slice(argv.indexOf('--') + 1), ['bash', '-c', 'go run .']);
});

test('a GOROOT outside /usr is mounted read-only', () => {
  const argv = bwrapArgv({ layout: { ...layout, goroot: '/opt/go' }, home: '/h', cwd: '/home/learner', command: ['true'] });
  const i = argv.indexOf('/opt/go');
  assert.equal(argv[i - 1], '--ro-bind');
});

test("the environment is built from nothing but the lab's values", () => {
  const env = sandboxEnv(layout, { CGO_ENABLED: '1' });
  assert.equal(env.GOTOOLCHAIN, 'local');
  assert.equal(env.GOPROXY, 'file:///opt/lab/goproxy', 'the lab\'s read-only proxy, with no ",direct" fallback');
  assert.equal(env.GONOSUMDB, 'golab.example', "the lab's modules are in no public checksum database");
  assert.equal(env.GOSUMDB, undefined, "GOSUMDB keeps the toolchain's default");
  assert.equal(env.GOPRIVATE, undefined, 'GOPRIVATE would also set GONOPROXY (direct fetches)');
  assert.equal(env.CGO_ENABLED, '1');
  assert.equal(env.HOME, '/home/learner');
  assert.match(env.PATH, /^\/opt\/lab\/bin:\/usr\/local\/go\/bin:/, "the lab's go wrapper first, then the real toolchain");
  assert.equal(env.LAB_REAL_GO, '/usr/local/go/bin/go');
  assert.equal(
    Object.keys(env).some((k) => k.startsWith('npm_') || k === 'DATA_DIR'),
    false,
  );
});
