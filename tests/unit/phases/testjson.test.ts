import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestJsonReader, TestJsonFormatError } from '../../../server/phases/testjson.ts';
import { readTrace } from '../../../server/phases/trace.ts';
import { fixture } from './fixtures.ts';

function mapped(c: string) {
  const f = fixture(c);
  const { info, events } = readTrace(f.trace);
  const r = new TestJsonReader(info.t0Us!);
  return { tests: [...r.push(f.stdout), ...r.end()], trace: events };
}

test('go test -json: package start, each test start/end with its outcome, package end', () => {
  const { tests, trace } = mapped('test-json');
  assert.deepEqual(tests.map(({ t, ...e }) => e), [
    { type: 'phase', phase: 'test', state: 'start', package: 'example.com/calc' },
    { type: 'phase', phase: 'test', state: 'start', package: 'example.com/calc', test: 'TestAdd' },
    { type: 'phase', phase: 'test', state: 'end', package: 'example.com/calc', test: 'TestAdd', outcome: 'pass' },
    { type: 'phase', phase: 'test', state: 'start', package: 'example.com/calc', test: 'TestSub' },
    { type: 'phase', phase: 'test', state: 'end', package: 'example.com/calc', test: 'TestSub', outcome: 'fail' },
    { type: 'phase', phase: 'test', state: 'end', package: 'example.com/calc', outcome: 'fail', cached: false },
  ]);
  // Same clock as the trace: the test events fall inside the trace's "test run" span.
  const run = trace.filter((e) => e.phase === 'test');
  for (const e of tests) assert.ok(e.t >= run[0].t && e.t <= run[1].t, `${e.t} within [${run[0].t}, ${run[1].t}]`);
});

test('a cached test result is reported cached', () => {
  const { tests } = mapped('test-json-cached');
  const end = tests.at(-1)!;
  assert.equal(end.test, undefined);
  assert.equal(end.outcome, 'pass');
  assert.equal(end.cached, true);
});

test('lines split across chunks at every position give the same events', () => {
  const f = fixture('test-json');
  const t0 = readTrace(f.trace).info.t0Us!;
  const whole = new TestJsonReader(t0).push(f.stdout);
  for (let at = 0; at <= f.stdout.length; at++) {
    const r = new TestJsonReader(t0);
    assert.deepEqual([...r.push(f.stdout.slice(0, at)), ...r.push(f.stdout.slice(at)), ...r.end()], whole, `split at ${at}`);
  }
});

test('non-JSON lines and unknown actions fail loudly', () => {
  const r = () => new TestJsonReader(1);
  assert.throws(() => r().push('PASS\n'), (e: unknown) => e instanceof TestJsonFormatError && /line 1 is not JSON: "PASS"/.test(e.message));
  assert.throws(() => r().push('{"Time":"2026-01-01T00:00:00Z","Action":"explode","Package":"p"}\n'), /unknown Action "explode"/);
  assert.throws(() => r().push('{"Time":"2026-01-01T00:00:00Z","Action":"run","Package":"p"}\n'), /"run" event without "Test"/);
  assert.throws(() => r().push('{"Action":"pass","Package":"p"}\n'), /"pass" event without "Time"/);
  assert.throws(() => r().push('{"Time":"x","Action":"pass","Package":"p"}\n'), /is not RFC 3339/);
  assert.throws(() => new TestJsonReader(Number.NaN), /no start time/);
  // build events of go test -json (Go 1.24+) are known and carry no phase
  assert.deepEqual(r().push('{"ImportPath":"p","Action":"build-fail"}\n'), []);
});
