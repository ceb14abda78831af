/**
 * POST /api/run against the real server and the real sandbox: output streams
 * as NDJSON, compile errors and limits end with the right exit event, and
 * every bad input gets a 4xx with a message (and the server stays up).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitingSandboxes } from '../helpers/host.ts';
import { MAX_BODY_BYTES, MAX_FILES } from '../../src/lib/protocol.ts';
import { startServer, type LabServer } from '../helpers/server.ts';
import { newSession, postRun, streamRun } from '../helpers/api.ts';
import { waitFor } from '../helpers/wait.ts';

const LESSON = 'go-run/what-go-run-does';
const GO_MOD = 'module example.com/t\n\ngo 1.26\n';
const program = (body: string, imports = '"fmt"') => `package main\n\nimport (${imports})\n\nfunc main() {\n${body}\n}\n`;

describe('POST /api/run', () => {
  let lab: LabServer;
  before(async () => {
    lab = await startServer({ env: { RUN_TIMEOUT_MS: '4000', PROGRAM_TIMEOUT_MS: '3000', RUN_OUTPUT_LIMIT_BYTES: '65536' } });
  });
  after(() => lab?.stop());

  test('hello world prints its line and exits 0', async () => {
    const r = await postRun(lab.url, { files: { 'main.go': program('fmt.Println("hello from the sandbox")'), 'go.mod': GO_MOD }, command: 'go run .' });
    assert.equal(r.status, 200);
    assert.match(r.contentType, /^application\/x-ndjson/);
    assert.equal(r.stdout, 'hello from the sandbox\n');
    assert.equal(r.exit?.code, 0, r.stderr);
    assert.equal(r.exit?.reason, 'exited');
    assert.equal(r.events.at(-1)?.type, 'exit', 'the exit event comes last');
    assert.ok(typeof r.exit?.durationMs === 'number' && r.exit.durationMs > 0);
  });

  test("merge: stdout and stderr in the order the program wrote them (the Go Playground's stdout_stderr_merge)", async () => {
    // A to stdout, B to stderr, then A, A: two pipes often deliver A A A B; one stream never does.
    const main = program(
      'fmt.Fprintln(os.Stdout, "A")\n\tfmt.Fprintln(os.Stderr, "B")\n\tfmt.Fprintln(os.Stdout, "A")\n\tfmt.Fprintln(os.Stdout, "A")',
      '"fmt"; "os"',
    );
    await postRun(lab.url, { files: { 'main.go': main, 'go.mod': GO_MOD }, command: 'go build -o p .', observe: false });
    for (let i = 0; i < 10; i++) {
      const r = await postRun(lab.url, { files: { 'main.go': main, 'go.mod': GO_MOD }, command: 'go build -o p . && ./p', merge: true, observe: false });
      assert.equal(r.exit?.code, 0, r.stderr);
      assert.equal(r.stdout, 'A\nB\nA\nA\n', `run ${i}`);
      assert.equal(r.stderr, '', 'merged: everything arrives as stdout');
    }
    const bad = await fetch(`${lab.url}/api/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ files: {}, command: 'true', merge: 'yes' }),
    });
    assert.equal(bad.status, 400);
    assert.match((await bad.json()).error, /"merge" must be true or false/);
  });

  test('a compile error exits non-zero with the compiler message on stderr', async () => {
    const r = await postRun(lab.url, { files: { 'main.go': program('fmt.Println(undefinedThing)'), 'go.mod': GO_MOD }, command: 'go run .' });
    assert.equal(r.status, 200);
    assert.notEqual(r.exit?.code, 0);
    assert.equal(r.exit?.reason, 'exited');
    assert.match(r.stderr, /main\.go:\d+:\d+: undefined: undefinedThing/);
  });

  test("the program's own exit status comes back through go run", async () => {
    const r = await postRun(lab.url, { files: { 'main.go': program('os.Exit(3)', '"os"'), 'go.mod': GO_MOD }, command: 'go build -o prog . && ./prog' });
    assert.equal(r.exit?.code, 3);
  });

  test('a program that runs forever is stopped at the run time limit, partial output kept', async () => {
    const r = await postRun(lab.url, {
      files: { 'main.go': program('fmt.Println("started")\nfor {\n}'), 'go.mod': GO_MOD },
      command: 'go run .',
    });
    assert.equal(r.exit?.reason, 'timeout');
    assert.match(r.exit?.message ?? '', /^stopped after 3 s \(run time limit\)$/);
    assert.equal(r.stdout, 'started\n');
    const started = r.events.find((e) => e.type === 'phase' && e.phase === 'run' && e.state === 'start');
    assert.ok(started, "the program's start came from the toolchain's trace");
    assert.ok(r.exit!.durationMs >= 3000 && r.exit!.durationMs < 8000, `took ${r.exit!.durationMs} ms`);
  });

  test('a build that takes too long is stopped at the build time limit', async () => {
    const r = await postRun(lab.url, { files: { 'go.mod': GO_MOD }, command: 'go vet std' });
    assert.equal(r.exit?.reason, 'timeout');
    assert.equal(r.exit?.message, 'build timed out (4 s limit)');
  });

  test('a shell command that runs forever is stopped at the command time limit', async () => {
    const r = await postRun(lab.url, { files: {}, command: 'echo waiting; sleep 600' });
    assert.equal(r.exit?.reason, 'timeout');
    assert.equal(r.exit?.message, 'stopped after 4 s (time limit)');
    assert.equal(r.stdout, 'waiting\n');
  });

  test('endless output is cut at the output limit', async () => {
    const r = await postRun(lab.url, { files: {}, command: 'yes "all work and no play"' });
    assert.equal(r.exit?.reason, 'output-limit');
    assert.match(r.exit?.message ?? '', /output truncated after 64 KiB/);
    assert.equal(Buffer.byteLength(r.stdout), 65536);
    assert.match(r.stdout, /^all work and no play\n/);
  });

  test('the sandbox: an unprivileged learner, no network, read-only system, own /etc', async () => {
    const r = await postRun(lab.url, {
      files: {},
      command: [
        'id -un; id -u',
        'cat /etc/passwd | cut -d: -f1 | tr "\\n" " "; echo',
        'touch /usr/x 2>/dev/null && echo usr-writable || echo usr-read-only',
        `(exec 3<>/dev/tcp/127.0.0.1/${lab.port}) 2>/dev/null && echo net-open || echo net-closed`,
        'ls /home',
        'echo "env: $(env | cut -d= -f1 | sort | tr "\\n" " ")"',
      ].join('; '),
    });
    assert.equal(r.exit?.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], 'learner');
    assert.equal(lines[1], '1000');
    assert.equal(lines[2].trim(), 'root learner nobody');
    assert.equal(lines[3], 'usr-read-only');
    assert.equal(lines[4], 'net-closed', "the lab's own port must not be reachable from the sandbox");
    assert.equal(lines[5], 'learner');
    assert.doesNotMatch(r.stdout, /DATA_DIR|SANDBOX_DIR|npm_/, 'no host environment leaks in');
  });

  test('one Run at a time per session', async () => {
    const { cookie } = await newSession(lab.url, LESSON);
    const running = streamRun(lab.url, { files: {}, command: 'echo started; sleep 1.5', lesson: LESSON }, cookie);
    await running.output(/started/);
    const first = running.done;
    const second = await postRun(lab.url, { files: {}, command: 'true', lesson: LESSON }, cookie);
    assert.equal(second.status, 409);
    assert.match(second.error ?? '', /already in progress/);
    assert.equal((await first).exit?.code, 0);
    assert.equal((await postRun(lab.url, { files: {}, command: 'true', lesson: LESSON }, cookie)).exit?.code, 0);
  });

  test("after a Run, the session's next sandbox waits ready, and the next Run uses it", async () => {
    const waiting = () => waitingSandboxes(lab.pid);
    const { cookie } = await newSession(lab.url, LESSON);
    const before = waiting();
    const first = await postRun(lab.url, { files: {}, command: 'echo first > marker.txt', lesson: LESSON }, cookie);
    assert.equal(first.exit?.code, 0);
    await waitFor(() => waiting() > before, 'a sandbox started for the next Run', { seen: waiting });
    assert.ok(waiting() > before, 'a sandbox was started for the next Run');
    const second = await postRun(lab.url, { files: {}, command: 'cat marker.txt; pwd; echo "cgo=$CGO_ENABLED"', lesson: LESSON }, cookie);
    assert.equal(second.stdout, `first\n/home/learner/${LESSON}\ncgo=0\n`, JSON.stringify({ exit: second.exit, stderr: second.stderr }));
  });

  const ok = { files: { 'main.go': 'package main\n' }, command: 'true' };
  const badInputs: Array<[string, unknown, number, RegExp]> = [
    ['malformed JSON', '{"files": {', 400, /malformed JSON/],
    ['empty body', '', 400, /empty/],
    ['a JSON array', '[]', 400, /JSON object/],
    ['missing files', { command: 'true' }, 400, /missing field "files"/],
    ['files not an object', { files: ['main.go'], command: 'true' }, 400, /"files" must be an object/],
    ['missing command', { files: {} }, 400, /missing field "command"/],
    ['command not a string', { files: {}, command: 42 }, 400, /"command" must be a string/],
    ['empty command', { files: {}, command: '  ' }, 400, /"command" is empty/],
    ['absolute file name', { ...ok, files: { '/etc/passwd': 'x' } }, 400, /is absolute/],
    ['file name with ..', { ...ok, files: { '../escape.go': 'x' } }, 400, /contains "\.\."/],
    ['nested file name with ..', { ...ok, files: { 'a/../../b.go': 'x' } }, 400, /contains "\.\."/],
    ['file name with NUL', { ...ok, files: { 'ma\0in.go': 'x' } }, 400, /NUL/],
    ['file name with backslash', { ...ok, files: { 'a\\b.go': 'x' } }, 400, /backslash/],
    ['empty file name', { ...ok, files: { '': 'x' } }, 400, /empty/],
    ['file contents not a string', { ...ok, files: { 'main.go': 1 } }, 400, /must be a string/],
    [
      `more than ${MAX_FILES} files`,
      { ...ok, files: Object.fromEntries(Array.from({ length: MAX_FILES + 1 }, (_, i) => [`f${i}.go`, ''])) },
      400,
      /too many files/,
    ],
    ['body over 1 MiB', { ...ok, files: { 'big.txt': 'x'.repeat(MAX_BODY_BYTES) } }, 413, /larger than 1048576 bytes/],
    ['unknown lesson', { ...ok, lesson: 'no/such-lesson' }, 404, /unknown lesson/],
    ['lesson id that is a path trick', { ...ok, lesson: '../../etc' }, 404, /unknown lesson/],
  ];
  for (const [name, body, status, message] of badInputs) {
    test(`bad input: ${name} -> ${status}`, async () => {
      const r = await postRun(lab.url, body);
      assert.equal(r.status, status);
      assert.match(r.error ?? '', message);
    });
  }

  test('bad input: not JSON content type -> 415', async () => {
    const res = await fetch(`${lab.url}/api/run`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'go run .' });
    assert.equal(res.status, 415);
    assert.match((await res.json()).error, /must be JSON/);
  });

  test('bad input: wrong method -> 405, unknown endpoint -> 404', async () => {
    const get = await fetch(`${lab.url}/api/run`);
    assert.equal(get.status, 405);
    assert.match((await get.json()).error, /GET is not allowed/);
    const unknown = await fetch(`${lab.url}/api/nothing-here`);
    assert.equal(unknown.status, 404);
    assert.match((await unknown.json()).error, /no API endpoint/);
  });

  test('after all of that the server is still healthy', async () => {
    const res = await fetch(`${lab.url}/healthz`);
    assert.equal(res.status, 200);
    assert.match((await res.json()).go, /^go1\./);
  });
});
