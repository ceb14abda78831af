/**
 * The learners' shell helpers (server/sandbox/helpers/, installed by
 * prepare.ts): on the sandbox's PATH, read-only to the learner, and each
 * doing what the "Helpers" page and the lesson blocks that use them say,
 * against the real toolchain, including when the command they wrap fails.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type LabServer } from '../helpers/server.ts';
import { newSession, postRun } from '../helpers/api.ts';
import { HELPERS } from '../../server/sandbox/prepare.ts';

const LESSON = 'go-test/the-test-binary';
const FILES = {
  'go.mod': 'module example.com/calc\n\ngo 1.26\n',
  'calc.go': 'package calc\n\nfunc Add(a, b int) int { return a + b }\n',
  'calc_test.go': 'package calc\n\nimport "testing"\n\nfunc TestAdd(t *testing.T) {\n\tif Add(2, 3) != 5 {\n\t\tt.Fatal("Add(2, 3) != 5")\n\t}\n}\n',
  'cmd/hello/main.go': 'package main\n\nfunc main() { println("hi") }\n',
  '.hidden': 'dot files are copied too\n',
};

describe("the learners' helpers in the sandbox", () => {
  let lab: LabServer;
  let cookie = '';
  before(async () => {
    lab = await startServer();
    cookie = (await newSession(lab.url, LESSON)).cookie;
  });
  after(() => lab?.stop());

  const run = (command: string) => postRun(lab.url, { files: FILES, command, lesson: LESSON }, cookie);

  test('every helper is on PATH, from the read-only tools mount', async () => {
    const r = await run(`for h in ${HELPERS.join(' ')}; do command -v $h; done; echo x > /opt/lab/bin/lab-steps && echo writable || echo read-only`);
    assert.equal(r.exit?.code, 0, r.stderr);
    assert.equal(r.stdout, `${HELPERS.map((h) => `/opt/lab/bin/${h}\n`).join('')}read-only\n`);
  });

  test('unobserved commands (exercise checks) keep the helpers, after the real go command', async () => {
    const r = await postRun(lab.url, { files: FILES, command: 'command -v go lab-steps', lesson: LESSON, observe: false }, cookie);
    assert.equal(r.exit?.code, 0, r.stderr);
    assert.match(r.stdout, /^\/\S+\/bin\/go\n\/opt\/lab\/bin\/lab-steps\n$/);
    assert.doesNotMatch(r.stdout, /^\/opt\/lab\/bin\/go$/m);
  });

  test('lab-scratch: a new copy under /tmp each time, dot files included; edits there leave the lesson alone', async () => {
    const r = await run(
      [
        'a=$(lab-scratch) && b=$(lab-scratch)',
        'case "$a" in /tmp/scratch.*) echo under-tmp;; esac',
        '[ "$a" != "$b" ] && echo distinct',
        'cat "$a/.hidden" "$a/cmd/hello/main.go" | head -1',
        'echo changed > "$a/calc.go" && head -1 calc.go',
        'lab-scratch no-such-dir; echo "status $?"',
      ].join('\n'),
    );
    assert.equal(r.exit?.code, 0, r.stderr);
    assert.equal(r.stdout, 'under-tmp\ndistinct\ndot files are copied too\npackage calc\nstatus 2\n');
    assert.match(r.stderr, /lab-scratch: no-such-dir is not a folder/);
  });

  test('lab-steps counts the compiles (naming the packages) and links a build ran', async () => {
    const r = await run(
      [
        'cd "$(lab-scratch)"',
        'go build -o hello ./cmd/hello',
        'lab-steps go build -o hello ./cmd/hello',
        'echo "// $(date +%s%N)" >> cmd/hello/main.go',
        'lab-steps go build -o hello ./cmd/hello',
        // A script's go commands are counted too (GOFLAGS reaches them); -q drops its own output.
        // (go build ./... links cmd/hello to check it, and discards it.)
        'echo "// $(date +%s%N)" >> calc.go',
        'printf "echo from-the-script\\ngo build ./...\\n" > build.sh',
        'lab-steps sh build.sh',
        'echo "// $(date +%s%N)" >> calc.go',
        'lab-steps -q sh build.sh',
      ].join('\n'),
    );
    assert.equal(r.exit?.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      'compile: 0\nlink: 0\ncompile: 1 (main)\nlink: 1\nfrom-the-script\ncompile: 1 (example.com/calc)\nlink: 1\ncompile: 1 (example.com/calc)\nlink: 1\n',
    );
  });

  test("lab-steps passes the command's output through, and on failure shows its errors and keeps its status", async () => {
    const r = await run('cd "$(lab-scratch)" && echo "func Broken() int { return \\"x\\" }" >> calc.go && lab-steps go build .');
    assert.equal(r.exit?.code, 1);
    assert.match(r.stderr, /cannot use "x" \(untyped string constant\) as int value in return statement/);
    assert.match(r.stdout, /^compile: 1 \(example\.com\/calc\)\nlink: 0\n$/);
  });

  // Few go test commands per Run: the sandbox stops a command 10 s after its first test binary starts.
  test('lab-cached tells a run from a cached result, and names packages without tests', async () => {
    const r = await run(['cd "$(lab-scratch)"', 'go clean -testcache', 'lab-cached go test .', 'lab-cached go test .', 'lab-cached go test ./...'].join('\n'));
    assert.equal(r.exit?.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      ['example.com/calc: ran, ok', 'example.com/calc: cached, ok', 'example.com/calc: cached, ok', 'example.com/calc/cmd/hello: no test files', ''].join('\n'),
    );
  });

  test('lab-cached reports a failure, shows its output and keeps the status', async () => {
    const r = await run('cd "$(lab-scratch)" && sed -i "s/a + b/a - b/" calc.go && lab-cached go test .; echo "status $?"');
    assert.equal(r.exit?.code, 0, r.stderr);
    assert.equal(r.stdout, 'example.com/calc: ran, fail\nstatus 1\n');
    assert.match(r.stderr, /--- FAIL: TestAdd/);
  });
});
