/** The go command's -debug-actiongraph reader (server/phases/graph.ts) against graphs recorded from the lab's Go version (fixtures/). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseActionGraph, GraphFormatError } from '../../../server/phases/graph.ts';
import { readTrace } from '../../../server/phases/trace.ts';
import { CASES, fixture } from './fixtures.ts';

function finalGraph(c: string) {
  const f = fixture(c);
  return parseActionGraph(f.graph, { ran: readTrace(f.trace).info.ran });
}
const find = (g: ReturnType<typeof finalGraph>, mode: string, pkg: string) => {
  const a = g.actions.filter((x) => x.mode === mode && x.package === pkg);
  assert.equal(a.length, 1, `one ${mode} ${pkg}`);
  return a[0];
};

test('every recorded graph parses; the pre-build copy has no timings and nothing cached', () => {
  for (const c of CASES) {
    const f = fixture(c);
    assert.ok(f.graphPre, `${c}: the pre-build graph was caught while the command ran`);
    const pre = parseActionGraph(f.graphPre!);
    const fin = parseActionGraph(f.graph);
    assert.equal(pre.final, false, c);
    assert.equal(fin.final, true, c);
    assert.ok(
      pre.actions.every((a) => a.ms === null && a.cached === null),
      c,
    );
    assert.ok(
      fin.actions.every((a) => typeof a.ms === 'number' && a.ms >= 0),
      c,
    );
    assert.deepEqual(
      pre.actions.map((a) => [a.id, a.mode, a.package, a.deps]),
      fin.actions.map((a) => [a.id, a.mode, a.package, a.deps]),
      `${c}: same actions before and after`,
    );
  }
});

test('cold hello world: the main package and link are fresh compiles, std too', () => {
  const g = finalGraph('hello-cold');
  assert.equal(find(g, 'build', 'example.com/hello').cached, false);
  assert.equal(find(g, 'build', 'fmt').cached, false);
  assert.equal(find(g, 'link', 'example.com/hello').cached, false);
  assert.equal(find(g, 'link-install', 'example.com/hello').cached, null, 'link-install never runs a tool');
  assert.equal(find(g, 'built-in package', 'unsafe').cached, null);
  assert.ok(find(g, 'link', 'example.com/hello').ms! > 10);
  const link = find(g, 'link', 'example.com/hello');
  assert.ok(link.deps.includes(find(g, 'build', 'example.com/hello').id));
});

test('warm hello world: everything from the cache, including the link', () => {
  const g = finalGraph('hello-warm');
  assert.equal(find(g, 'build', 'example.com/hello').cached, true);
  assert.equal(find(g, 'link', 'example.com/hello').cached, true);
  assert.ok(g.actions.filter((a) => a.mode === 'build').every((a) => a.cached === true));
});

test('multi-package module: the three module packages compile, the std comes from the cache', () => {
  const g = finalGraph('multi');
  for (const p of ['example.com/multi', 'example.com/multi/internal/greet', 'example.com/multi/internal/shout']) {
    assert.equal(find(g, 'build', p).cached, false, p);
  }
  const std = g.actions.filter((a) => a.mode === 'build' && !a.package.startsWith('example.com/'));
  // strings is the one std package hello world (which warmed the cache) did not need
  assert.equal(find(g, 'build', 'strings').cached, false);
  const others = std.filter((a) => a.package !== 'strings');
  assert.ok(others.length > 50 && others.every((a) => a.cached === true));
});

test('build error: the failed compile is not cached, the skipped link is not called cached', () => {
  const g = finalGraph('build-error');
  assert.equal(find(g, 'build', 'example.com/broken').cached, false);
  assert.equal(find(g, 'link', 'example.com/broken').cached, null);
  // Without the trace's ran set, Cmd:null would make the skipped link look like a cache hit:
  const naive = parseActionGraph(fixture('build-error').graph);
  assert.equal(naive.actions.find((a) => a.mode === 'link')!.cached, true);
});

test('go run: link fresh on the first run, from the cache on the second (Go 1.24+)', () => {
  assert.equal(find(finalGraph('run-cold'), 'link', 'example.com/runner').cached, false);
  assert.equal(find(finalGraph('run-warm'), 'link', 'example.com/runner').cached, true);
  assert.equal(find(finalGraph('run-warm'), 'go run', '').cached, null);
});

test('go vet: the vetted package is not compiled (NeedBuild false), vet runs', () => {
  const g = finalGraph('vet');
  assert.equal(find(g, 'vet', 'example.com/vetme').cached, false);
  assert.equal(find(g, 'build', 'example.com/vetme').cached, null);
});

test('cgo: cgo run and the C compiles are tool runs', () => {
  const g = finalGraph('cgo');
  assert.equal(find(g, 'cgo run', 'example.com/cgodemo').cached, false);
  assert.ok(g.actions.some((a) => a.mode.startsWith('cgo compile ') && a.package === 'example.com/cgodemo' && a.cached === false));
});

test('unknown or malformed graphs fail loudly', () => {
  const ok = { ID: 0, Mode: 'build', Package: 'p', TimeStart: '0001-01-01T00:00:00Z', TimeDone: '0001-01-01T00:00:00Z', Cmd: null };
  const bad: Array<[string, RegExp]> = [
    ['', /not JSON/],
    ['{}', /expected a JSON array/],
    ['[]', /the action list is empty/],
    [JSON.stringify([{ ...ok, Mode: 'teleport' }]), /action 0: unknown mode "teleport"/],
    [JSON.stringify([{ ...ok, ID: 3 }]), /has ID 3/],
    [JSON.stringify([{ ...ok, Deps: [7] }]), /unknown action 7/],
    [JSON.stringify([{ ...ok, Cmd: 'x' }]), /"Cmd" is neither null nor a list/],
    [JSON.stringify([{ ...ok, TimeStart: '2026-01-01T00:00:00Z', TimeDone: 'yesterday' }]), /time "yesterday" is not RFC 3339/],
    [JSON.stringify([ok, { ...ok, ID: 1, TimeStart: '2026-01-01T00:00:00Z', TimeDone: '2026-01-01T00:00:01Z' }]), /neither the pre-build nor the final/],
    [fixture('hello-warm').graph.slice(0, 500), /not JSON/],
  ];
  for (const [text, re] of bad) {
    assert.throws(
      () => parseActionGraph(text),
      (e: unknown) => e instanceof GraphFormatError && re.test(e.message),
      text.slice(0, 60),
    );
  }
});

test('durations keep nanosecond timestamps to the microsecond', () => {
  const g = parseActionGraph(
    JSON.stringify([
      { ID: 0, Mode: 'link', Package: 'p', TimeStart: '2026-11-22T22:53:30.617813843Z', TimeDone: '2026-11-22T22:53:30.833294765Z', Cmd: ['link ...'] },
    ]),
  );
  assert.equal(g.actions[0].ms, 215.481);
  assert.equal(g.actions[0].cached, false);
});
