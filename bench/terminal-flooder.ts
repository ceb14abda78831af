/**
 * A worker thread of terminals that flood input at a shell that does not read
 * it (the soak's terminal attack). It runs apart from the benchmark's main
 * thread, which times the benign learner: building, masking and queueing
 * tens of megabytes a second of frames there would time the benchmark's own
 * event loop and garbage collector, not the lab. Each flooder sends as fast
 * as the server takes its frames (TCP backpressure: it waits while more than
 * IN_FLIGHT_BYTES are queued on its socket), so the attack is the strongest
 * the server's own flow control lets through, and the bench stays bounded.
 * workerData: { url, lesson, ips }; post 'stop' to end; it answers with
 * { frames, bytes } (what left this process, not what was merely queued).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { TerminalClient } from '../tests/helpers/api.ts';
import { newSession } from './lib.ts';

const { url, lesson, ips } = workerData as { url: string; lesson: string; ips: string[] };
const FRAME = 'x'.repeat(60 * 1024);
/** More than this waiting on one socket and the flooder waits for the server to read. */
const IN_FLIGHT_BYTES = 1024 * 1024;

let flooding = true;
let frames = 0;
let bytes = 0;
parentPort!.on('message', (m) => {
  if (m === 'stop') flooding = false;
});
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function flooder(ip: string): Promise<void> {
  while (flooding) {
    try {
      const { cookie } = await newSession(url, lesson, ip);
      const t = new TerminalClient(url, lesson, { cookie, 'x-forwarded-for': ip, origin: url });
      await t.opened();
      t.type('stty -icanon -echo; sleep 1000\r');
      while (flooding && t.ws.readyState === t.ws.OPEN) {
        if (t.ws.bufferedAmount > IN_FLIGHT_BYTES) {
          await pause(5);
          continue;
        }
        t.type(FRAME);
        frames++;
        bytes += FRAME.length;
        // Yield to the event loop so the socket can drain and closes are seen.
        await new Promise((r) => setImmediate(r));
      }
      t.close();
    } catch {
      await pause(1000);
    }
  }
}

await Promise.all(ips.map(flooder));
parentPort!.postMessage({ frames, bytes });
