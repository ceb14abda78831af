/**
 * The operator's endpoints, answered before the API's rate limits (a probe
 * or a scraper must not be refused as a busy client, nor use a learner's
 * budget):
 *
 * - `GET /metrics`: Prometheus text format (metrics.ts). Who may read it:
 *   with METRICS_TOKEN set, a request bearing `Authorization: Bearer
 *   <METRICS_TOKEN>`, from anywhere (a Prometheus in another pod). Without it,
 *   only a client on this machine's loopback that did not come through a
 *   proxy (no X-Forwarded-For, Forwarded or X-Real-IP header): a reverse proxy
 *   on the same host must not turn loopback access into public access. The
 *   page holds counts and reasons only, never learner data (metrics.ts), but
 *   load and limits are still an attacker's map.
 * - `GET /readyz`: 200 while this server should get traffic, 503 with the
 *   failing checks otherwise (draining after SIGTERM, the data disk full,
 *   a check a part registered, such as the database's). Open to all: it
 *   says only which check failed, not why in detail.
 *
 * `GET /healthz` (liveness: the process answers) stays in app.ts as before.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import { statfs } from 'node:fs/promises';
import { sendError, sendJson } from '../http/json.ts';
import { registry } from './metrics.ts';

/**
 * Free space the data directory must have for the server to take traffic: a
 * workspace image is DISK_QUOTA_BYTES (128 MiB) at most, and the classroom
 * database grows with submissions; below this, new sessions would fail.
 */
export const READY_MIN_FREE_BYTES = 256 * 1024 * 1024;

/** How long one readiness check may take before it counts as failed (a probe times out at 1 s by default). */
export const READY_CHECK_TIMEOUT_MS = 800;

const PROXY_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip'];

type ReadinessCheck = () => Promise<void>;
const checks = new Map<string, ReadinessCheck>();
let draining = false;

/** A part of the server adds what it needs to serve (e.g. the database answers); a check throws when not ready. */
export function addReadinessCheck(name: string, check: ReadinessCheck): void {
  checks.set(name, check);
}

/** SIGTERM: stop getting new traffic (the load balancer sees 503) while what runs finishes. */
export function setDraining(): void {
  draining = true;
}

export interface ObservabilityOptions {
  /** The bearer token /metrics requires; null: loopback only. */
  metricsToken: string | null;
  dataDir: string;
}

/** Answers /metrics and /readyz; false for any other path. */
export async function serveObservability(o: ObservabilityOptions, req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
  if (path === '/metrics') {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      sendError(res, 405, `${req.method} is not allowed on /metrics`);
      return true;
    }
    const denied = metricsDenied(o, req);
    if (denied) {
      if (denied.status === 401) res.setHeader('www-authenticate', 'Bearer realm="metrics"');
      sendError(res, denied.status, denied.message);
      return true;
    }
    const body = await registry.metrics();
    res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  }
  if (path === '/readyz') {
    const failing = await failingChecks(o);
    sendJson(res, failing.length ? 503 : 200, { ready: failing.length === 0, failing });
    return true;
  }
  return false;
}

function metricsDenied(o: ObservabilityOptions, req: IncomingMessage): { status: number; message: string } | null {
  if (o.metricsToken !== null) {
    const m = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''));
    // Hashes compared: equal lengths for timingSafeEqual, and no length leak.
    const digest = (s: string) => createHash('sha256').update(s).digest();
    if (m && timingSafeEqual(digest(m[1]), digest(o.metricsToken))) return null;
    return { status: 401, message: 'metrics need the bearer token the operator set (METRICS_TOKEN)' };
  }
  const peer = req.socket.remoteAddress ?? '';
  const loopback = peer === '127.0.0.1' || peer === '::1' || peer.startsWith('::ffff:127.') || peer.startsWith('127.');
  if (loopback && !PROXY_HEADERS.some((h) => h in req.headers)) return null;
  return { status: 403, message: 'metrics are readable from this machine only, or with METRICS_TOKEN set' };
}

async function failingChecks(o: ObservabilityOptions): Promise<string[]> {
  if (draining) return ['draining'];
  const all: Array<[string, ReadinessCheck]> = [['disk', () => diskCheck(o.dataDir)], ...checks];
  const results = await Promise.all(
    all.map(async ([name, check]) => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), READY_CHECK_TIMEOUT_MS);
      });
      try {
        await Promise.race([check(), late]);
        return null;
      } catch {
        return name;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return results.filter((r): r is string => r !== null);
}

async function diskCheck(dir: string): Promise<void> {
  const s = await statfs(dir);
  if (s.bavail * s.bsize < READY_MIN_FREE_BYTES) throw new Error('data directory almost full');
}
