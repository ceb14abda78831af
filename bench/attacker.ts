/**
 * A worker thread that keeps hostile commands going against the lab, so the
 * benchmark's own event loop (which times the benign learner) is not busy
 * reading the attackers' output. workerData: { url, ips, cases }; post 'stop' to end;
 * it answers with { attacks, reasons }.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { timedRun } from './lib.ts';

interface Case {
  name: string;
  files: Record<string, string>;
  command: string;
}
const { url, ips, cases } = workerData as { url: string; ips: string[]; cases: Case[] };

let attacking = true;
let attacks = 0;
const reasons: Record<string, number> = {};
parentPort!.on('message', (m) => {
  if (m === 'stop') attacking = false;
});

async function attacker(ip: string, offset: number): Promise<void> {
  for (let i = offset; attacking; i++) {
    const h = cases[i % cases.length];
    const r = await timedRun(url, { files: h.files, command: h.command }, { 'x-forwarded-for': ip });
    if (r.status === 429) {
      // Refused by the rate limit: a real attacker would retry; wait as told.
      await new Promise((res) => setTimeout(res, 500));
    }
    attacks++;
    const key = `${h.name}: ${r.status === 200 ? r.reason : `HTTP ${r.status}`}`;
    reasons[key] = (reasons[key] ?? 0) + 1;
  }
}

// Each attacker address keeps two hostile commands going (its share).
await Promise.all(ips.flatMap((ip, k) => [attacker(ip, k), attacker(ip, k + 2)]));
parentPort!.postMessage({ attacks, reasons });
