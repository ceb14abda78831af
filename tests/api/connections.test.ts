/**
 * Connection floods: thousands of idle or slow sockets from one
 * address must not take the server's file descriptors from everyone else.
 * Per-address and total connection caps refuse the excess as it arrives;
 * header and keep-alive time-outs close slow and idle ones. Every test comes
 * from loopback: 127.0.0.1 is the attacker, 127.0.0.2 and up are others
 * (Linux answers the whole 127/8 on lo).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { startServer, type LabServer } from '../helpers/server.ts';
import { waitFor } from '../helpers/wait.ts';

const PER_CLIENT = 50;
const TOTAL = 200;
const HEADERS_TIMEOUT_MS = 2000;
const KEEP_ALIVE_MS = 1000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/**
 * How long the refusals of a flood may take to arrive. Below the header
 * time-out on purpose: after it, the accepted idle sockets close as well, and
 * a missing cap would look like a kept one.
 */
const REFUSALS_WITHIN_MS = HEADERS_TIMEOUT_MS / 2;

/** A socket from `from`, with what it received and whether it is closed. */
interface Probe {
  socket: Socket;
  received: string;
  closed: boolean;
  closedAt: number;
}

function probe(lab: LabServer, from: string): Promise<Probe> {
  return new Promise((resolve, reject) => {
    const p: Probe = { socket: connect({ port: lab.port, host: '127.0.0.1', localAddress: from }), received: '', closed: false, closedAt: 0 };
    p.socket.on('data', (d) => {
      p.received += d;
    });
    p.socket.on('close', () => {
      p.closed = true;
      p.closedAt = Date.now();
    });
    p.socket.once('connect', () => resolve(p));
    p.socket.once('error', (err) => {
      if (!p.closed) reject(err);
    });
  });
}

/** GET /healthz from an address: the status, or the error. */
function health(lab: LabServer, from: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request({ port: lab.port, host: '127.0.0.1', localAddress: from, path: '/healthz', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (err) => resolve(err.message));
    req.setTimeout(5000, () => req.destroy(new Error('no answer in 5 s')));
    req.end();
  });
}

describe('connection floods', () => {
  let lab: LabServer;
  before(async () => {
    lab = await startServer({
      env: {
        MAX_CONNECTIONS_PER_CLIENT: String(PER_CLIENT),
        MAX_CONNECTIONS: String(TOTAL),
        HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
        HTTP_KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_MS),
      },
    });
  });
  after(() => lab?.stop());

  test('1200 idle sockets from one address: it keeps its cap, the rest are refused at once, others are answered', async () => {
    const probes: Probe[] = [];
    for (let batch = 0; batch < 12; batch++) {
      probes.push(...(await Promise.all(Array.from({ length: 100 }, () => probe(lab, '127.0.0.1')))));
    }
    await waitFor(() => probes.filter((p) => !p.closed).length <= PER_CLIENT, `the flood's refusals (at most ${PER_CLIENT} open)`, {
      timeoutMs: REFUSALS_WITHIN_MS,
      seen: () => probes.filter((p) => !p.closed).length,
    });
    const open = probes.filter((p) => !p.closed);
    console.log(`1200 sockets from 127.0.0.1: ${open.length} still open, ${probes.length - open.length} refused`);
    assert.ok(open.length <= PER_CLIENT, `${open.length} sockets from one address are open`);
    const refused = probes.find((p) => p.closed);
    assert.match(refused?.received ?? '', /^HTTP\/1.1 503 .*too many connections from your address \(limit 50\)/s);
    // Another address is answered while the flood holds its share.
    assert.equal(await health(lab, '127.0.0.2'), 200);
    // The flooding address itself gets the 503, not a hang.
    assert.equal(await health(lab, '127.0.0.1'), 503);
    for (const p of probes) p.socket.destroy();
    await waitFor(async () => (await health(lab, '127.0.0.1')) === 200, 'the server to see the sockets closed');
    assert.equal(await health(lab, '127.0.0.1'), 200, 'its slots are back once its sockets close');
  });

  test('many addresses together stop at the total cap', async () => {
    const probes: Probe[] = [];
    for (const from of ['127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6', '127.0.0.7']) {
      probes.push(...(await Promise.all(Array.from({ length: 45 }, () => probe(lab, from)))));
    }
    await waitFor(() => probes.filter((p) => !p.closed).length <= TOTAL, `the refusals beyond the total cap (${TOTAL})`, {
      timeoutMs: REFUSALS_WITHIN_MS,
      seen: () => probes.filter((p) => !p.closed).length,
    });
    const open = probes.filter((p) => !p.closed).length;
    assert.ok(open <= TOTAL && open >= TOTAL - 5, `${open} of ${probes.length} open (total cap ${TOTAL})`);
    assert.match(probes.find((p) => p.closed)?.received ?? '', /too many connections open/);
    for (const p of probes) p.socket.destroy();
    await waitFor(async () => (await health(lab, '127.0.0.2')) === 200, 'the server to see the sockets closed');
    assert.equal(await health(lab, '127.0.0.2'), 200);
  });

  test('slow request heads are cut off after the header time-out, idle keep-alive connections after theirs', async () => {
    const slow = await Promise.all(Array.from({ length: 40 }, () => probe(lab, '127.0.0.8')));
    const started = Date.now();
    for (const p of slow) p.socket.write('GET /healthz HTTP/1.1\r\nHost: lab\r\nX-Slow: ');
    // One byte every half second: never a complete head.
    const drip = setInterval(() => {
      for (const p of slow) if (!p.closed) p.socket.write('a');
    }, 500);
    const idle = await probe(lab, '127.0.0.9');
    idle.socket.write('GET /healthz HTTP/1.1\r\nHost: lab\r\n\r\n');
    const idleSince = Date.now();
    try {
      const deadline = Date.now() + HEADERS_TIMEOUT_MS + 3000;
      while ((slow.some((p) => !p.closed) || !idle.closed) && Date.now() < deadline) await sleep(100);
    } finally {
      clearInterval(drip);
    }
    assert.ok(
      slow.every((p) => p.closed),
      'every slow head was cut off',
    );
    const latest = Math.max(...slow.map((p) => p.closedAt)) - started;
    console.log(`slow heads closed within ${latest} ms (time-out ${HEADERS_TIMEOUT_MS} ms); idle keep-alive closed after ${idle.closedAt - idleSince} ms`);
    assert.ok(latest < HEADERS_TIMEOUT_MS + 2000, `closed after ${latest} ms`);
    assert.match(slow[0].received, /^HTTP\/1.1 408/);
    assert.match(idle.received, /^HTTP\/1.1 200/);
    assert.ok(idle.closed && idle.closedAt - idleSince < KEEP_ALIVE_MS + 2000, 'the idle keep-alive connection was closed');
  });
});
