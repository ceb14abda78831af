/** The relay (server/phases/relay.ts) that turns the go wrapper's frames into command, phase and end events, and stops loudly on input it cannot read. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PhaseRelay, type RelayEvent } from '../../../server/phases/relay.ts';

const frame = (o: unknown) => JSON.stringify(o) + '\n';
const ev = (name: string, ph: string, ts: number) => JSON.stringify({ name, ph, ts, pid: 0, tid: 1 });

test('frames of a go command become command, phase events (split anywhere), and end', () => {
  const out: RelayEvent[] = [];
  const relay = new PhaseRelay((e) => out.push(e));
  const trace =
    [
      '[',
      ev('Running build command', 'B', 1000),
      ',' + ev('load.PackagesAndErrors', 'B', 2000),
      ',' + ev('load.PackagesAndErrors', 'E', 5000),
      ',' + ev('Executing action (build example.com/x)', 'B', 6000),
      ',' + ev('Executing action (build example.com/x)', 'E', 9000),
      '',
    ].join('\n') + ']';
  const text =
    frame({ cmd: 7, argv: ['go', 'build', '.'], added: ['-debug-trace=/dev/fd/3'] }) + frame({ cmd: 7, trace }) + frame({ cmd: 7, exit: 2, ts: 9500 });
  for (let i = 0; i < text.length; i += 13) relay.push(text.slice(i, i + 13));
  assert.deepEqual(
    out.map((e) => (e.type === 'phase' ? `${e.phase}:${e.state}:${e.t}:${e.cmd}` : e.type)),
    ['command', 'load:start:1:7', 'load:end:4:7', 'compile:start:5:7', 'compile:end:8:7', 'command-end'],
  );
  assert.deepEqual(out.at(-1), { type: 'command-end', cmd: 7, code: 2, t: 8.5 }, "the go command's own status, on the trace's clock");
  assert.deepEqual(
    out.filter((e) => e.type === 'phase').map((e) => (e as { ts: number }).ts),
    [2, 5, 6, 9],
    "ts: the toolchain's own µs clock, in ms",
  );
});

test('unreadable or unknown input ends the view with a message, once', () => {
  const out: RelayEvent[] = [];
  const relay = new PhaseRelay((e) => out.push(e));
  relay.push(frame({ cmd: 1, argv: ['go', 'build'] }) + frame({ cmd: 1, trace: '[\n{"name":"Mystery span","ph":"B","ts":1,"pid":0,"tid":1}\n' }));
  relay.push(frame({ cmd: 1, trace: ',{"name":"x","ph":"B","ts":2,"pid":0,"tid":1}\n' }));
  assert.deepEqual(out.filter((e) => e.type === 'phase-error').length, 1);
  assert.match((out.find((e) => e.type === 'phase-error') as { message: string }).message, /first event should be a "Running <cmd> command"/);
  relay.push('garbage\n');
  relay.push(frame({ cmd: 2, argv: ['go', 'run'] }));
  const errors = out.filter((e) => e.type === 'phase-error') as Array<{ cmd: number; message: string }>;
  assert.equal(errors.length, 2);
  assert.match(errors[1].message, /unreadable event line "garbage"/);
  assert.equal(out.filter((e) => e.type === 'command').length, 1, 'after garbage the channel is not trusted any more');
});
