/** The go command's -debug-trace reader (server/phases/trace.ts) against traces recorded from the lab's Go version (fixtures/): phases, their order and times. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PhaseEvent } from '../../../src/lib/protocol.ts';
import { TraceReader, TraceFormatError, parseActionSpan, readTrace } from '../../../server/phases/trace.ts';
import { CASES, fixture } from './fixtures.ts';

const of = (events: PhaseEvent[], phase: string, pkg?: string) => events.filter((e) => e.phase === phase && (pkg === undefined || e.package === pkg));

test('every fixture was recorded with this Go version and reads without error', () => {
  for (const c of CASES) {
    const f = fixture(c);
    assert.match(f.caseJson.goVersion, /^go version go1\.26\.8 /, c);
    const { events, info } = readTrace(f.trace);
    assert.ok(events.length > 0, `${c}: no events`);
    assert.equal(info.closed, true, `${c}: the trace was closed with "]"`);
    assert.equal(f.caseJson.command[1], info.command, `${c}: subcommand from "Running <cmd> command"`);
    // start/end pairs balance for every phase+package
    const open = new Map<string, number>();
    for (const e of events) {
      const k = `${e.phase} ${e.package ?? ''}`;
      open.set(k, (open.get(k) ?? 0) + (e.state === 'start' ? 1 : -1));
      assert.ok(open.get(k)! >= 0, `${c}: ${k} ended before it started`);
    }
    for (const [k, n] of open) assert.equal(n, 0, `${c}: ${k} left open`);
  }
});

test('cold hello world: load, then compile of the main package and of fmt, then link', () => {
  const { events } = readTrace(fixture('hello-cold').trace);
  assert.deepEqual(events[0], { type: 'phase', phase: 'load', state: 'start', t: events[0].t });
  assert.ok(events[0].t >= 0 && events[0].t < 5, 'load starts right after the command');
  const main = of(events, 'compile', 'example.com/hello');
  assert.deepEqual(
    main.map((e) => e.state),
    ['start', 'end'],
  );
  assert.equal(main[0].cached, undefined, 'the trace alone cannot tell a cache hit');
  assert.equal(of(events, 'compile', 'fmt').length, 2);
  assert.equal(of(events, 'compile').length, 2 * 61, '61 build actions (60 std + main)');
  const link = of(events, 'link', 'example.com/hello');
  assert.deepEqual(
    link.map((e) => e.state),
    ['start', 'end'],
  );
  assert.ok(link[0].t >= main[1].t, 'link starts after the main package compiled');
  const loadEnd = of(events, 'load').find((e) => e.state === 'end')!;
  assert.ok(loadEnd.t <= main[0].t);
  assert.equal(of(events, 'run').length, 0);
});

test('go run: compile, link, then run, in that order', () => {
  for (const c of ['run-cold', 'run-warm']) {
    const { events } = readTrace(fixture(c).trace);
    const seq = events.filter((e) => e.phase !== 'compile' || e.package === 'example.com/runner').map((e) => `${e.phase}:${e.state}`);
    assert.deepEqual(seq, ['load:start', 'load:end', 'compile:start', 'compile:end', 'link:start', 'link:end', 'run:start', 'run:end'], c);
  }
});

test('build error: the failing compile is reported, no link', () => {
  const { events, info } = readTrace(fixture('build-error').trace);
  assert.deepEqual(
    of(events, 'compile', 'example.com/broken').map((e) => e.state),
    ['start', 'end'],
  );
  assert.equal(of(events, 'link').length, 0);
  assert.equal(info.ran.has('link|example.com/broken'), false, 'the skipped link has no span');
  assert.equal(info.ran.has('build|example.com/broken'), true);
});

test('go test: link of the test binary, then the test run of the package', () => {
  const { events } = readTrace(fixture('test-json').trace);
  assert.deepEqual(
    of(events, 'load').map((e) => e.state),
    ['start', 'end', 'start', 'end'],
    'load.PackagesAndErrors, then load.TestPackagesAndErrors',
  );
  assert.deepEqual(
    of(events, 'link').map((e) => `${e.package}:${e.state}`),
    ['example.com/calc.test:start', 'example.com/calc.test:end'],
  );
  const t = of(events, 'test');
  assert.deepEqual(
    t.map((e) => `${e.package}:${e.state}`),
    ['example.com/calc:start', 'example.com/calc:end'],
  );
  assert.ok(t[0].t >= of(events, 'link')[1].t);
  // the package under test is compiled as its test variant "p [p.test]": reported with its import path
  assert.equal(of(events, 'compile', 'example.com/calc').length, 2);
  assert.equal(of(events, 'vet', 'example.com/calc').length, 2, 'go test runs vet on the package');
});

test('go vet and cgo report their own phases', () => {
  const vet = readTrace(fixture('vet').trace).events;
  assert.deepEqual(
    of(vet, 'vet', 'example.com/vetme').map((e) => e.state),
    ['start', 'end'],
  );
  const cgo = readTrace(fixture('cgo').trace).events;
  assert.ok(of(cgo, 'cgo', 'example.com/cgodemo').length >= 2);
  assert.ok(of(cgo, 'cgo', 'runtime/cgo').length >= 2, 'runtime/cgo is built with cgo');
  assert.deepEqual(
    of(cgo, 'link').map((e) => e.state),
    ['start', 'end'],
  );
});

test('t comes from the trace timestamps: ms after the "Running build command" event', () => {
  const f = fixture('hello-warm');
  const lines = f.trace.split('\n');
  const t0 = JSON.parse(lines[1]).ts;
  const linkB = lines.find((l) => l.includes('"Executing action (link example.com/hello)","ph":"B"'))!;
  const ts = JSON.parse(linkB.slice(1)).ts;
  const { events } = readTrace(f.trace);
  assert.equal(of(events, 'link')[0].t, Math.round(ts - t0) / 1000);
});

test('chunk-splitting the trace at every byte position gives the same events', () => {
  // 1) The whole real build-error trace (~210 kB) fed one byte per chunk: every
  //    byte boundary is a chunk boundary once.
  const text = fixture('build-error').trace;
  const bytes = Buffer.from(text, 'utf8');
  const whole = readTrace(text).events;
  const one = new TraceReader();
  const got: PhaseEvent[] = [];
  for (let i = 0; i < bytes.length; i++) got.push(...one.push(bytes.subarray(i, i + 1)));
  got.push(...one.end());
  assert.deepEqual(got, whole);
  // 2) Two chunks split at every byte position, on an excerpt of real lines of the
  //    run-warm trace (its opening lines, every non-flow line about the runner
  //    package or go run, flow lines of the link, and the closing lines), to keep
  //    the test quick: a full re-read per position of a 200 kB file takes ~20 s.
  const lines = fixture('run-warm').trace.split('\n');
  const pick = lines.filter(
    (l, i) => i < 25 || i >= lines.length - 3 || (/runner|go run/.test(l) && (!l.includes('"cat":"flow"') || l.includes('-\\u003e Executing action (link'))),
  );
  const excerpt = Buffer.from(pick.join('\n'), 'utf8');
  const want = readTrace(pick.join('\n')).events;
  assert.deepEqual(
    want.map((e) => `${e.phase}:${e.state}`),
    ['load:start', 'compile:start', 'compile:end', 'link:start', 'link:end', 'run:start', 'run:end'],
    'the excerpt keeps the phases (its load end was cut with the load lines)',
  );
  for (let at = 0; at <= excerpt.length; at++) {
    const r = new TraceReader();
    const ev = [...r.push(excerpt.subarray(0, at)), ...r.push(excerpt.subarray(at)), ...r.end()];
    assert.deepEqual(ev, want, `split at byte ${at}`);
  }
});

test('a multi-byte character split across chunks is decoded', () => {
  const text =
    '[\n{"name":"Running build command","ph":"B","ts":1000,"pid":0,"tid":0}\n' +
    ',{"name":"Executing action (build example.com/é)","ph":"B","ts":3000,"pid":0,"tid":1}\n]';
  const b = Buffer.from(text);
  const at = b.indexOf(Buffer.from('é')) + 1;
  const r = new TraceReader();
  const ev = [...r.push(b.subarray(0, at)), ...r.push(b.subarray(at)), ...r.end()];
  assert.deepEqual(ev, [{ type: 'phase', phase: 'compile', state: 'start', package: 'example.com/é', t: 2 }]);
});

test('malformed or unknown input fails loudly, naming what was unexpected', () => {
  const head = '[\n{"name":"Running build command","ph":"B","ts":1000,"pid":0,"tid":0}\n';
  const cases: Array<[string, RegExp]> = [
    ['{"name":"x"}\n', /line 1 should be "\["/],
    [head + ',{"name":"Executing action (build fmt)","ph":"B","ts":1\n', /line 3 is not JSON/],
    [head + '{"name":"Executing action (build fmt)","ph":"B","ts":1,"tid":0}\n', /line 3 should start with ",\{"/],
    [head + ',{"name":"Executing action (build fmt)","ph":"X","ts":1,"tid":0}\n', /unknown event phase "ph":"X"/],
    [head + ',{"name":"Executing action (teleport fmt)","ph":"B","ts":1,"tid":0}\n', /unknown action mode in "Executing action \(teleport fmt\)"/],
    [head + ',{"name":"gc.Frobnicate","ph":"B","ts":1,"tid":0}\n', /unknown span "gc.Frobnicate"/],
    [head + ',{"name":"Executing action (build fmt)","ph":"B","tid":0}\n', /"ts" missing/],
    ['[\n{"name":"load.PackagesAndErrors","ph":"B","ts":1,"pid":0,"tid":0}\n', /first event should be a "Running <cmd> command" begin/],
  ];
  for (const [text, re] of cases) {
    const r = new TraceReader();
    assert.throws(
      () => r.push(text),
      (e: unknown) => e instanceof TraceFormatError && re.test(e.message),
      text,
    );
  }
  assert.throws(() => new TraceReader().end(), /the trace file is empty/);
  const r = new TraceReader();
  r.push(head + ',{"name":"Executing ac');
  assert.throws(() => r.end(), /unterminated last line/);
});

test('a trace cut off by a kill (no closing "]") keeps its events and says so', () => {
  const text = fixture('hello-warm').trace;
  const cut = text.slice(0, text.lastIndexOf('\n') + 1); // drop "]"
  const r = new TraceReader();
  const ev = [...r.push(cut), ...r.end()];
  assert.deepEqual(ev, readTrace(text).events);
  assert.equal(r.info.closed, false);
});

test('action span names split into mode and package', () => {
  assert.deepEqual(parseActionSpan('build check cache example.com/calc [example.com/calc.test]'), {
    mode: 'build check cache',
    package: 'example.com/calc',
    desc: 'example.com/calc [example.com/calc.test]',
  });
  assert.deepEqual(parseActionSpan('go run'), { mode: 'go run', package: '', desc: '' });
  assert.deepEqual(parseActionSpan('link-install example.com/hello'), { mode: 'link-install', package: 'example.com/hello', desc: 'example.com/hello' });
  assert.deepEqual(parseActionSpan('cgo compile /tmp/go-build1/b001/_cgo_export.c example.com/cgodemo'), {
    mode: 'cgo compile',
    package: 'example.com/cgodemo',
    desc: 'example.com/cgodemo',
    file: '/tmp/go-build1/b001/_cgo_export.c',
  });
  assert.throws(() => parseActionSpan('link a b'), /unexpected text in action "link a b"/);
});
