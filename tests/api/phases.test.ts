/**
 * Build phases from the real toolchain, through the Run API: the lab's go
 * wrapper relays -debug-trace and -debug-actiongraph; the server turns them
 * into command, phase and graph events (server side).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { GraphEvent, PhaseEvent } from '../../src/lib/protocol.ts';
import { startServer, type LabServer } from '../helpers/server.ts';
import { newSession, postRun, type RunResponse } from '../helpers/api.ts';

const LESSON = 'go-run/what-go-run-does';
const phases = (r: RunResponse) => r.events.filter((e) => e.type === 'phase') as unknown as PhaseEvent[];
const finalGraph = (r: RunResponse) => (r.events.filter((e) => e.type === 'graph') as unknown as GraphEvent[]).find((g) => g.final);

describe('build phases', () => {
  let lab: LabServer;
  let cookie: string;
  before(async () => {
    lab = await startServer();
    cookie = (await newSession(lab.url, LESSON)).cookie;
  });
  after(() => lab?.stop());
  const run = (command: string, extra: Record<string, unknown> = {}) => postRun(lab.url, { files: {}, command, lesson: LESSON, ...extra }, cookie);

  test('the first build compiles the main package (not cached), the second takes it from the cache', async () => {
    const first = await run('go build -o hello .');
    assert.equal(first.exit?.code, 0, first.stderr);
    const cmd = first.events.find((e) => e.type === 'command');
    assert.deepEqual(
      cmd && { argv: cmd.argv, added: (cmd.added as string[]).map((a) => a.replace(/=.*/, '=')) },
      { argv: ['go', 'build', '-o', 'hello', '.'], added: ['-debug-trace=', '-debug-actiongraph='] },
      'the learner sees exactly what the lab added',
    );
    const p = phases(first);
    assert.deepEqual(
      p.slice(0, 2).map((e) => `${e.phase}:${e.state}`),
      ['load:start', 'load:end'],
    );
    assert.ok(p.some((e) => e.phase === 'compile' && e.state === 'end' && e.package === 'example.com/hello'));
    assert.ok(p.some((e) => e.phase === 'link' && e.state === 'end'));
    for (const e of p) assert.ok(typeof e.t === 'number' && e.t >= 0, 't is milliseconds since the command started');
    const main1 = finalGraph(first)?.actions.find((a) => a.mode === 'build' && a.package === 'example.com/hello');
    assert.equal(main1?.cached, false);
    const fmt1 = finalGraph(first)?.actions.find((a) => a.mode === 'build' && a.package === 'fmt');
    assert.equal(fmt1?.cached, true, 'the standard library comes from the seeded cache');

    const end = first.events.filter((e) => e.type === 'command-end');
    assert.deepEqual(
      end.map((e) => [e.cmd, e.code]),
      [[cmd?.cmd, 0]],
      "the go command's own end, once",
    );
    assert.ok(typeof end[0].t === 'number' && end[0].t >= p.at(-1)!.t, 'after its last phase, on the same clock');

    const second = await run('go build -o hello .');
    const main2 = finalGraph(second)?.actions.find((a) => a.mode === 'build' && a.package === 'example.com/hello');
    assert.equal(main2?.cached, true);
  });

  test("go run: link, then run around the program's output, then exit", async () => {
    const r = await run('echo "// $RANDOM$RANDOM" >> main.go && go run .');
    assert.equal(r.exit?.code, 0, r.stderr);
    const order = r.events.map((e) => (e.type === 'phase' ? `${e.phase}:${e.state}` : e.type)).filter((x) => /^(link|run):|exit/.test(x));
    assert.deepEqual(order, ['link:start', 'link:end', 'run:start', 'run:end', 'exit']);
    // The program's output comes on its own pipe: after the link began, before the exit.
    const at = (pred: (e: { type: string; [k: string]: unknown }) => boolean) => r.events.findIndex(pred);
    const out = at((e) => e.type === 'stdout');
    assert.ok(out > at((e) => e.type === 'phase' && e.phase === 'link') && out < at((e) => e.type === 'exit'));
    // Back to the starting main.go for the tests after this one.
    assert.equal((await fetch(`${lab.url}/api/workspace/reset?lesson=${LESSON}`, { method: 'POST', headers: { cookie } })).status, 200);
  });

  test('go test reports test phases', async () => {
    const files = {
      'calc/calc.go': 'package calc\n\nfunc Add(a, b int) int { return a + b }\n',
      'calc/calc_test.go': 'package calc\n\nimport "testing"\n\nfunc TestAdd(t *testing.T) {\n\tif Add(2, 2) != 4 {\n\t\tt.Fatal("no")\n\t}\n}\n',
    };
    const r = await postRun(lab.url, { files, command: 'go test ./calc', lesson: LESSON }, cookie);
    assert.equal(r.exit?.code, 0, r.stderr + r.stdout);
    const t = phases(r).filter((e) => e.phase === 'test');
    assert.deepEqual(
      t.map((e) => e.state),
      ['start', 'end'],
    );
    assert.equal(t[0].package, 'example.com/hello/calc');
  });

  test('observe:false runs the command exactly as typed, with no phase events', async () => {
    const r = await run('go run -x . 2>&1 | grep -c debug-trace || true', { observe: false });
    assert.equal(r.stdout, '0\n');
    assert.equal(
      r.events.some((e) => e.type === 'command' || e.type === 'phase'),
      false,
    );
  });

  test("the learner's own -debug-trace wins: that command is not observed", async () => {
    const r = await run('go build -debug-trace=mine.json -o hello . && head -c 1 mine.json');
    assert.equal(r.stdout, '[');
    assert.equal(
      r.events.some((e) => e.type === 'command'),
      false,
    );
  });

  test('a cgo package: cgo phases for the package, then its compile, with gcc in the sandbox', async () => {
    const files = {
      'go.mod': 'module example.com/cgodemo\n\ngo 1.26\n',
      'main.go':
        'package main\n\n/*\nstatic int twice(int x) { return 2 * x; }\n*/\nimport "C"\n\nimport "fmt"\n\nfunc main() { fmt.Println("twice 21 =", C.twice(21)) }\n',
    };
    // A throwaway workspace (no session): CGO_ENABLED=1 typed by the learner, as a lesson would.
    const r = await postRun(lab.url, { files, command: 'CGO_ENABLED=1 go run .' });
    assert.equal(r.exit?.code, 0, r.stderr);
    assert.equal(r.stdout, 'twice 21 = 42\n');
    const p = phases(r);
    const cgo = p.filter((e) => e.phase === 'cgo' && e.package === 'example.com/cgodemo');
    assert.ok(
      cgo.some((e) => e.state === 'start') && cgo.some((e) => e.state === 'end'),
      JSON.stringify(p.map((e) => `${e.phase}:${e.state}:${e.package ?? ''}`)),
    );
    const compile = p.findIndex((e) => e.phase === 'compile' && e.state === 'start' && e.package === 'example.com/cgodemo');
    assert.ok(
      compile > p.findIndex((e) => e.phase === 'cgo' && e.state === 'start' && e.package === 'example.com/cgodemo'),
      'cgo generates the Go files the compile then reads',
    );
    assert.ok(p.some((e) => e.phase === 'link' && e.state === 'end') && p.some((e) => e.phase === 'run' && e.state === 'end'));
    const graph = finalGraph(r)!;
    assert.ok(
      graph.actions.some((a) => a.mode === 'cgo run' && a.package === 'example.com/cgodemo' && a.cached === false),
      'cgo ran for it',
    );
  });

  test('garbage on the event channel stops the view loudly; the command goes on', async () => {
    const r = await run('echo "not an event" >&4; echo done');
    assert.equal(r.stdout, 'done\n');
    const err = r.events.find((e) => e.type === 'phase-error');
    assert.match(String(err?.message), /the build view stopped: unreadable event line/);
  });
});
