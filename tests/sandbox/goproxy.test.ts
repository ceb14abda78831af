/**
 * The sandbox's module proxy (server/sandbox/goproxy/): the lab's own modules
 * are served read-only at /opt/lab/goproxy through GOPROXY=file://..., so
 * module commands work without a network, go.sum is still written and
 * checked, the learner cannot change what the proxy serves, and any other
 * module fails with a clear error.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type LabServer } from '../helpers/server.ts';
import { newSession, postRun } from '../helpers/api.ts';

const GO_MOD = 'module example.com/deps\n\ngo 1.26\n';
const MAIN = 'package main\n\nimport (\n\t"fmt"\n\n\t"golab.example/greet"\n)\n\nfunc main() { fmt.Println(greet.Hello("proxy")) }\n';
const LESSON = 'go-run/what-go-run-does';

describe('the module proxy in the sandbox', () => {
  let lab: LabServer;
  let cookie = '';
  before(async () => {
    lab = await startServer();
    cookie = (await newSession(lab.url, LESSON)).cookie;
  });
  after(() => lab?.stop());

  const run = (command: string, files: Record<string, string> = { 'go.mod': GO_MOD }) => postRun(lab.url, { files, command, lesson: LESSON }, cookie);

  test('the environment points the go command at the read-only proxy', async () => {
    const r = await run('go env GOPROXY GONOSUMDB GOSUMDB GOMODCACHE');
    assert.equal(r.exit?.code, 0, r.stderr);
    assert.equal(r.stdout, 'file:///opt/lab/goproxy\ngolab.example\nsum.golang.org\n/home/learner/go/pkg/mod\n');
  });

  test("go mod download golab.example/greet@v1.0.0 works, into the session's module cache", async () => {
    const r = await run('go clean -modcache && go mod download -json golab.example/greet@v1.0.0');
    assert.equal(r.exit?.code, 0, r.stderr);
    const info = JSON.parse(r.stdout) as Record<string, string>;
    assert.equal(info.Version, 'v1.0.0');
    assert.equal(info.Dir, '/home/learner/go/pkg/mod/golab.example/greet@v1.0.0');
    assert.match(info.Sum, /^h1:[A-Za-z0-9+/]{43}=$/);
    assert.equal(info.Error, undefined);
  });

  test('go get writes go.mod and go.sum, and the program builds and runs', async () => {
    const r = await run('go get golab.example/greet@v1.1.0 && go run . && grep -c "^golab.example/greet v1.1.0" go.sum', { 'go.mod': GO_MOD, 'main.go': MAIN });
    assert.equal(r.exit?.code, 0, r.stderr);
    assert.match(r.stderr, /^go: added golab\.example\/greet v1\.1\.0$/m);
    assert.equal(r.stdout, 'Hello, proxy!\n2\n');
  });

  test('a tampered go.sum is refused: SECURITY ERROR', async () => {
    const r = await run(
      'go get golab.example/greet@v1.0.0 && sed -i "1s/h1:.*/h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=/" go.sum && go build -o /dev/null .',
      { 'go.mod': GO_MOD, 'main.go': MAIN },
    );
    assert.equal(r.exit?.code, 1, r.stderr);
    assert.match(r.stderr, /verifying golab\.example\/greet@v1\.0\.0: checksum mismatch/);
    assert.match(r.stderr, /^SECURITY ERROR$/m);
  });

  test('the proxy is read-only to the learner', async () => {
    const r = await run(
      [
        'p=/opt/lab/goproxy/golab.example/greet/@v',
        'touch /opt/lab/goproxy/new 2>&1',
        '{ echo v9.9.9 >> $p/list; } 2>&1',
        'rm -f $p/v1.0.0.zip 2>&1',
        'chmod u+w $p 2>&1',
        'cat $p/list',
      ].join('; '),
    );
    assert.match(r.stdout, /touch: cannot touch '\/opt\/lab\/goproxy\/new': Read-only file system/);
    assert.match(r.stdout, /list: (Read-only file system|Permission denied)/);
    assert.match(r.stdout, /rm: cannot remove '[^']*v1\.0\.0\.zip': (Read-only file system|Permission denied)/);
    assert.match(r.stdout, /chmod: changing permissions of '[^']*': (Read-only file system|Operation not permitted)/);
    assert.match(r.stdout, /^v1\.0\.0\nv1\.1\.0\n$/m, 'the proxy still serves what set-up wrote');
  });

  test('a module that is not in the proxy fails with a clear error, without trying the network', async () => {
    const r = await run('go get github.com/google/uuid@v1.6.0');
    assert.equal(r.exit?.code, 1);
    assert.equal(
      r.stderr,
      'go: github.com/google/uuid@v1.6.0: reading file:///opt/lab/goproxy/github.com/google/uuid/@v/v1.6.0.info: no such file or directory\n',
    );
    const missing = await run('go get golab.example/nope');
    assert.equal(missing.exit?.code, 1);
    assert.match(
      missing.stderr,
      /^go: module golab\.example\/nope: reading file:\/\/\/opt\/lab\/goproxy\/golab\.example\/nope\/@v\/list: no such file or directory$/m,
    );
  });

  test('go run and go install of a command at a version', async () => {
    const r = await run('cd /tmp && go run golab.example/cmd/hello@v1.0.0 Ada && go install golab.example/cmd/hello@v1.0.0 && ~/go/bin/hello');
    assert.equal(r.exit?.code, 0, r.stderr);
    assert.equal(r.stdout, 'Hello, Ada! (golab.example/cmd/hello v1.0.0, greet v1.1.0)\nHello, gopher! (golab.example/cmd/hello v1.0.0, greet v1.1.0)\n');
  });
});
