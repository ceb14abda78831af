/**
 * A command that keeps the CPU busy gives its slot back once it lost its CPU
 * priority (server/fairness/admission.ts, background places): a learner who
 * presses Run behind it waits about FULL_CPU_WEIGHT_MS, not until the busy
 * command reaches its time limit. Varied as an attacker would: a busy loop,
 * a forged event stream on fd 4, many goroutines; and the background is
 * bounded (a second attacker command keeps its slot when it is full).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type LabServer } from '../helpers/server.ts';
import { FrameReader, type Frame } from '../helpers/queue.ts';

/** A Run read as its events arrive (FrameReader, tests/helpers/queue.ts); `ended` resolves with them when the stream ends. */
async function openRun(url: string, ip: string, command: string, files: Record<string, string> = {}) {
  const abort = new AbortController();
  const res = await fetch(`${url}/api/run`, {
    method: 'POST',
    signal: abort.signal,
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
    body: JSON.stringify({ files, command }),
  });
  assert.equal(res.status, 200);
  const frames = new FrameReader(res);
  const events = frames.seen;
  const waiters: Array<() => void> = [];
  let done = false;
  /** Resolves when an event matching `p` has arrived (or the stream ended). */
  const waitFor = (p: (e: Frame) => boolean) =>
    new Promise<void>((resolve) => {
      const look = () => {
        if (done || events.some(p)) resolve();
        else waiters.push(look);
      };
      look();
    });
  // One reader drains the stream; the waiters look at what it has seen after each event.
  const ended = (async () => {
    try {
      while (await frames.next()) for (const w of waiters.splice(0)) w();
    } catch {
      /* aborted */
    }
    done = true;
    for (const w of waiters.splice(0)) w();
    return events;
  })();
  return { events, ended, waitFor, isDone: () => done, stop: () => abort.abort() };
}

const gomod = 'module x\n\ngo 1.26\n';
const HOSTILE = [
  { name: 'a shell busy loop', command: 'while :; do :; done' },
  { name: 'a forged event stream on fd 4', command: `while :; do printf '{"cmd":1,"argv":["go","run","."],"added":[]}\\n' >&4; done` },
  {
    name: 'a Go program spinning 64 goroutines',
    command: 'go run .',
    files: { 'go.mod': gomod, 'main.go': 'package main\nfunc main() { for i := 0; i < 64; i++ { go func() { for {} }() }; select {} }\n' },
  },
];

describe('long commands move to the background', () => {
  let lab: LabServer;
  before(async () => {
    lab = await startServer({ env: { TRUST_PROXY: '1', MAX_CONCURRENT_COMMANDS: '1', MAX_BACKGROUND_COMMANDS: '1', MAX_QUEUED_COMMANDS: '8' } });
  });
  after(() => lab?.stop());

  for (const [i, h] of HOSTILE.entries()) {
    test(`a newcomer's Run does not wait for ${h.name} to reach its time limit`, async () => {
      const attacker = await openRun(lab.url, `192.0.2.${10 + i}`, h.command, h.files);
      try {
        // The attacker holds the only slot: the newcomer is queued first…
        const newcomer = await openRun(lab.url, `198.51.100.${10 + i}`, 'echo hi');
        const events = await newcomer.ended;
        assert.ok(
          events.some((e) => e.type === 'queued'),
          'the newcomer waited for the slot the attacker held',
        );
        const exit = events.find((e) => e.type === 'exit');
        assert.equal(exit?.code, 0, JSON.stringify(events.slice(-3)));
        assert.ok(events.some((e) => e.type === 'stdout' && e.data === 'hi\n'));
        // …and got it while the attacker's command still runs.
        assert.equal(attacker.isDone(), false, 'the attacker was still running when the newcomer finished');
      } finally {
        attacker.stop();
        await attacker.ended;
      }
    });
  }

  test('the background is bounded: when it is full, a long command keeps its slot', async () => {
    const first = await openRun(lab.url, '192.0.2.30', 'while :; do :; done');
    // It says when it started, and again once it has run past FULL_CPU_WEIGHT_MS (when it would have moved).
    const second = await openRun(lab.url, '192.0.2.31', 'echo started; sleep 2; echo past; while :; do :; done');
    try {
      // The second starts once the first moved to the background, and then has nowhere to go.
      await second.waitFor((e) => e.type === 'stdout' && String(e.data).includes('started'));
      const third = await openRun(lab.url, '198.51.100.40', 'echo late');
      await second.waitFor((e) => e.type === 'stdout' && String(e.data).includes('past'));
      // One more request through the server, so anything the second's demotion started has happened.
      await (await fetch(`${lab.url}/api/workspace/files?lesson=go-run/what-go-run-does`, { headers: { 'x-forwarded-for': '203.0.113.1' } })).arrayBuffer();
      assert.equal(third.isDone(), false, 'the third is still waiting: the background was full');
      assert.ok(third.events.some((e) => e.type === 'queued'));
      assert.ok(!third.events.some((e) => e.type === 'stdout'));
      // The third waits for a real end: stop the second, and it runs.
      second.stop();
      const events = await third.ended;
      assert.equal(events.find((e) => e.type === 'exit')?.code, 0);
    } finally {
      first.stop();
      second.stop();
      await Promise.all([first.ended, second.ended]);
    }
  });
});
