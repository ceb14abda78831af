/**
 * The browser's build-phase model (src/client/phase-model.ts) over event
 * streams recorded from the real server (fixtures/: POST /api/run of the
 * go-run lesson: a warm `go run .`, a compile error, a `go vet` finding).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunEventSchema, type GraphAction } from '../../../src/lib/protocol.ts';
import { parseEvent } from '../../../src/client/wire.ts';
import {
  actionGraphMermaid,
  BuildTracker,
  isStandardLibrary,
  parseDiagnostic,
  phaseBindings,
  reproduceCommand,
  summarizeGraph,
} from '../../../src/client/phase-model.ts';

const events = (name: string) =>
  readFileSync(join(import.meta.dirname, 'fixtures', `${name}.ndjson`), 'utf8')
    .split('\n')
    .map((line) => parseEvent(RunEventSchema, line))
    .filter((e) => e !== null);

function replay(name: string, until?: (t: BuildTracker) => boolean): BuildTracker {
  const t = new BuildTracker();
  for (const e of events(name)) {
    t.apply(e);
    if (until?.(t)) break;
  }
  return t;
}

const TEXT = {
  stdBuild: (n: number, c: number | undefined) => `${n} std${c === undefined ? '' : `, ${c} cached`}`,
  stdOther: (m: string, n: number) => `${n} std ${m}`,
  fromCache: 'cache',
  ran: (ms: number | null) => `ran ${ms}`,
  planned: 'planned',
};

test('a warm go run: every step done, progress full, cache summary from the final graph', () => {
  const t = replay('go-run-warm');
  assert.deepEqual(t.argv, ['go', 'run', '.']);
  assert.equal(t.buildTotal, 61);
  assert.equal(t.buildDone, 61);
  for (const p of ['load', 'compile', 'link', 'run'] as const) assert.equal(t.steps.get(p)?.state, 'done', p);
  assert.equal(t.current(), undefined);
  assert.deepEqual(summarizeGraph(t.finalGraph!), { packages: 61, cached: 60, compiled: 1 });
  assert.deepEqual(t.diagramStates(), { load: 'done', compile: 'done', link: 'done', run: 'done' });
  const link = t.duration(t.steps.get('link')!)!;
  assert.ok(link > 0 && link < 10_000);
  assert.equal(t.exit?.code, 0);
});

test('while it runs: the current phase follows the events, compile stays current until link starts', () => {
  const compiling = replay('go-run-warm', (t) => t.buildDone === 10);
  assert.equal(compiling.current()?.phase, 'compile');
  assert.equal(compiling.steps.get('load')?.state, 'done');
  assert.equal(compiling.steps.get('link')?.state, 'pending', 'planned by the pre-build graph');
  const linking = replay('go-run-warm', (t) => t.steps.get('link')?.state === 'active');
  assert.equal(linking.current()?.phase, 'link');
  assert.equal(linking.steps.get('compile')?.state, 'done');
  assert.deepEqual(linking.diagramStates(), { load: 'done', compile: 'done', link: 'active' });
});

test('a compile error: compile failed, link never started', () => {
  const t = replay('go-run-compile-error');
  assert.equal(t.steps.get('compile')?.state, 'failed');
  assert.equal(t.steps.get('link')?.state, 'pending');
  assert.equal(t.exit?.code, 1);
});

test('a new command resets; a phase error stops the view loudly', () => {
  const t = replay('go-run-warm');
  t.apply({ type: 'command', cmd: 9, argv: ['go', 'build', '.'], added: [] });
  assert.equal(t.steps.size, 0);
  assert.equal(t.exit, undefined);
  t.apply({ type: 'phase', cmd: 9, phase: 'load', state: 'start', t: 1 });
  t.apply({ type: 'phase', cmd: 3, phase: 'link', state: 'start', t: 2 });
  assert.equal(t.steps.has('link'), false, 'events of another command are ignored');
  t.apply({ type: 'phase-error', cmd: 9, message: 'the build view stopped: bad trace' });
  assert.equal(t.phaseError, 'the build view stopped: bad trace');
  assert.equal(t.steps.get('load')?.state, 'failed');
});

test('a command typed in the terminal ends with its own status (no Run exit event)', () => {
  const t = new BuildTracker();
  t.apply({ type: 'command', cmd: 4, argv: ['go', 'run', '.'], added: [] });
  t.apply({ type: 'phase', cmd: 4, phase: 'run', state: 'start', t: 10 });
  assert.equal(t.apply({ type: 'command-end', cmd: 5, code: 0 }), false, "another command's end is not ours");
  assert.equal(t.finished, false);
  assert.equal(t.apply({ type: 'command-end', cmd: 4, code: 1, t: 30 }), true);
  assert.deepEqual(t.commandEnd, { type: 'command-end', cmd: 4, code: 1, t: 30 });
  assert.equal(t.finished, true);
  assert.equal(t.steps.get('run')?.state, 'failed', 'a go command that failed while its program ran');
  t.apply({ type: 'command', cmd: 6, argv: ['go', 'build', '.'], added: [] });
  assert.equal(t.commandEnd, undefined, 'a new command starts over');
});

test('queued shows the position until the command starts', () => {
  const t = new BuildTracker();
  t.apply({ type: 'queued', position: 2 });
  assert.equal(t.queued, 2);
  t.apply({ type: 'command', cmd: 1, argv: ['go', 'run', '.'], added: [] });
  assert.equal(t.queued, undefined);
});

test('diagnostics: compiler and vet lines of lesson files, headers ignored', () => {
  const files = ['main.go', 'go.mod', 'sub/x.go'];
  assert.deepEqual(parseDiagnostic('./main.go:6:14: undefined: x', files, false), {
    file: 'main.go',
    line: 6,
    column: 14,
    message: 'undefined: x',
    severity: 'error',
  });
  assert.equal(parseDiagnostic('main.go:6:14: fmt.Printf format %d has arg "s" of wrong type string', files, true)?.severity, 'warning');
  assert.equal(parseDiagnostic('vet: ./main.go:6:14: undefined: x', files, true)?.severity, 'error');
  assert.equal(parseDiagnostic('sub/x.go:3:1: syntax error', files, false)?.file, 'sub/x.go');
  assert.deepEqual(parseDiagnostic('go.mod:3: unknown directive: foo', files, false)?.column, undefined);
  assert.equal(parseDiagnostic('# example.com/hello', files, false), null);
  assert.equal(parseDiagnostic('/usr/lib/go/src/fmt/print.go:1:1: x', files, false), null);
  assert.equal(parseDiagnostic('other.go:1:1: not a lesson file', files, false), null);
  // The recorded streams.
  const stderr = (name: string) =>
    events(name)
      .flatMap((e) => (e.type === 'stderr' ? [e.data] : []))
      .join('');
  const found = (name: string, vet: boolean) =>
    stderr(name)
      .split('\n')
      .map((l) => parseDiagnostic(l, files, vet))
      .filter(Boolean);
  assert.deepEqual(
    found('go-run-compile-error', false).map((d) => [d!.line, d!.column, d!.severity]),
    [[6, 14, 'error']],
  );
  assert.deepEqual(
    found('go-vet-finding', true).map((d) => [d!.line, d!.column, d!.severity]),
    [[6, 14, 'warning']],
  );
});

test('phase bindings: node ids by convention, %% phases: lines for others', () => {
  const src = 'flowchart LR\n  %% phases: a=load, b = compile, c=nonsense\n  a --> b --> link --> other';
  assert.deepEqual([...phaseBindings(src, ['a', 'b', 'link', 'other', 'run'])].sort(), [
    ['a', 'load'],
    ['b', 'compile'],
    ['link', 'link'],
    ['run', 'run'],
  ]);
});

test('the action graph: own packages as nodes, the standard library collapsed, cache hits styled', () => {
  const t = replay('go-run-warm');
  const src = actionGraphMermaid(t.finalGraph!, TEXT);
  assert.match(src, /^flowchart LR/);
  assert.match(src, /std_build\["60 std, 60 cached"\]:::cached/);
  assert.match(src, /\["build example\.com\/hello<br\/>ran [\d.]+"\]:::fresh/);
  assert.match(src, /\["link example\.com\/hello<br\/>ran [\d.]+"\]:::fresh/);
  assert.match(src, /std_build --> a2/);
  assert.match(src, /a2 --> a1/);
  assert.match(src, /a1 --> a0/);
  assert.ok(src.split('\n').length < 20, 'small');
  assert.ok(!/internal\//.test(src));
  const pre = actionGraphMermaid(t.preGraph as GraphAction[], TEXT);
  assert.match(pre, /std_build\["60 std"\]:::other/);
});

test('helpers', () => {
  assert.equal(isStandardLibrary('fmt'), true);
  assert.equal(isStandardLibrary('internal/runtime/atomic'), true);
  assert.equal(isStandardLibrary('example.com/hello'), false);
  assert.equal(isStandardLibrary('command-line-arguments'), false);
  assert.equal(
    reproduceCommand(['go', 'run', '.'], ['-debug-trace=/dev/fd/3', '-debug-actiongraph=/tmp/lab-actiongraph-2.json']),
    'go run -debug-trace=trace.json -debug-actiongraph=actiongraph.json .',
  );
  assert.equal(reproduceCommand(['go', 'test', '-run', 'Test A'], []), "go test -run 'Test A'");
});
