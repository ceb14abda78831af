/**
 * The lab's one HTTP server: static site, API routes, terminal WebSocket.
 * createLab() wires the parts; main.ts listens.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import sirv from 'sirv';
import { TERMINAL_PATH } from '../src/lib/protocol.ts';
import { runsAsRoot, type LabConfig } from './config.ts';
import { loadLessons } from './lessons.ts';
import { sendError, sendJson } from './http/json.ts';
import { loadSandbox } from './sandbox/prepare.ts';
import { setServerMemoryBudget, sweepCgroups } from './sandbox/cgroup.ts';
import { bytes } from './sandbox/sandbox.ts';
import { ConnectionCaps } from './fairness/connections.ts';
import { WarmPool } from './sandbox/warm.ts';
import { HeavyClients } from './fairness/heavy-clients.ts';
import { SessionStore } from './sessions.ts';
import { PlainStorage, QuotaStorage } from './workspace/storage.ts';
import { HttpError } from './http/errors.ts';
import { UnsafePathError } from './workspace/beneath.ts';
import { clientOf, type Lab } from './lab.ts';
import { stageOf } from './api/context.ts';
import { Admission, Busy } from './fairness/admission.ts';
import { TokenBuckets } from './fairness/token-bucket.ts';
import { postRun } from './api/run.ts';
import { postCheck } from './api/check.ts';
import { getFiles, putFiles, resetFiles } from './api/workspace.ts';
import { getArtifact } from './api/artifact.ts';
import { getWorkspaceList } from './api/workspace-list.ts';
import { terminalSlotsFor, terminalStatusHandler, terminalUpgradeHandler } from './api/terminal.ts';
import { openClassroom, type ClassroomService } from './classroom/routes.ts';
import { Router, type RouteHandler } from './http/router.ts';
import { observeLab, refused } from './observability/metrics.ts';
import { serveObservability } from './observability/routes.ts';
import { log } from './observability/log.ts';

type Handler = (lab: Lab, req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** An API request still open after this long is logged with its stage (Runs end within their limits, well before). */
const REQUEST_STALL_LOG_MS = 120_000;

/** The lab's own API routes; the classroom adds its routes to the same router (classroom/routes.ts). */
const LAB_ROUTES: ReadonlyArray<[method: string, path: string, handler: Handler]> = [
  ['POST', '/api/run', postRun],
  ['POST', '/api/check', postCheck],
  ['GET', '/api/workspace/files', getFiles],
  ['PUT', '/api/workspace/files', putFiles],
  ['POST', '/api/workspace/reset', resetFiles],
  ['GET', '/api/workspace/artifact', getArtifact],
  ['GET', '/api/workspace/list', getWorkspaceList],
];

/** How often Node looks for connections past their header or request time-out (its default is 30 s). */
const CONNECTIONS_CHECK_MS = 1000;

/** How long a client counts as heavy after a long command (fairness/heavy-clients.ts). */
const HEAVY_CLIENT_MEMORY_MS = 60_000;

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

export async function createLab(config: LabConfig): Promise<{ server: Server; lab: Lab; classroom: ClassroomService }> {
  const sandbox = await loadSandbox(config);
  const lessons = loadLessons(config.siteDir, config.contentDir);
  const swept = await sweepCgroups(sandbox.cgroups);
  if (swept) log.warn(`killed ${swept} sandboxed processes left behind by a previous server`, { processes: swept });
  if (sandbox.cgroups === 'none') {
    log.warn('no cgroups (not root, or none mounted): memory, task and CPU limits fall back to rlimits only');
  } else {
    // All sandboxes together (Runs, terminals, waiting ones) stay inside the machine.
    await setServerMemoryBudget(sandbox.cgroups, config.MEMORY_BUDGET_BYTES);
    log.info(`memory budget of all sandboxes together: ${bytes(config.MEMORY_BUDGET_BYTES)}`, { bytes: config.MEMORY_BUDGET_BYTES });
  }
  const uidPool = runsAsRoot() ? { base: config.SANDBOX_UID_BASE, count: config.SANDBOX_UID_COUNT } : null;
  const storage = runsAsRoot()
    ? new QuotaStorage(sandbox.gocacheBase, config.DISK_QUOTA_BYTES, config.DISK_QUOTA_INODES)
    : new PlainStorage(sandbox.gocacheBase);
  if (storage.kind === 'plain') log.warn('not root: workspaces have no disk quota');
  // A Run without a session gets a tmpfs of the same size: cheap to make, nothing on disk.
  const scratchStorage = storage.kind === 'quota' ? new QuotaStorage(sandbox.gocacheBase, config.DISK_QUOTA_BYTES, config.DISK_QUOTA_INODES, 'tmpfs') : storage;
  const sessions = new SessionStore({ dataDir: config.dataDir, storage, scratchStorage, uidPool });
  await sessions.init();
  const lab: Lab = {
    config,
    lessons,
    sessions,
    sandbox,
    folders: { lessons, maxFileBytes: config.MAX_FILE_BYTES },
    activeRuns: new Set(),
    warm: new WarmPool(sandbox, config.WARM_SANDBOXES, config.WARM_SANDBOX_IDLE_MS),
    heavyClients: new HeavyClients(HEAVY_CLIENT_MEMORY_MS),
    admission: new Admission({
      slots: config.MAX_CONCURRENT_COMMANDS,
      backgroundSlots: config.MAX_BACKGROUND_COMMANDS,
      maxQueued: config.MAX_QUEUED_COMMANDS,
      perLearner: config.MAX_COMMANDS_PER_LEARNER,
      perAddress: config.MAX_COMMANDS_PER_ADDRESS,
    }),
    apiRate: new TokenBuckets(config.API_REQUESTS_BURST, config.API_REQUESTS_PER_SECOND),
    runRate: new TokenBuckets(config.RUNS_BURST, config.RUN_INTERVAL_MS > 0 ? 1000 / config.RUN_INTERVAL_MS : 1e9),
    addressRunRate: new TokenBuckets(config.ADDRESS_RUNS_BURST, config.ADDRESS_RUNS_PER_SECOND),
    sessionRate: new TokenBuckets(config.NEW_SESSIONS_PER_MINUTE, config.NEW_SESSIONS_PER_MINUTE / 60),
  };
  // Teachers, classes and submissions (server/classroom/): its routes, with parameters, and its database.
  const classroom = await openClassroom(lab);
  const router = new Router<RouteHandler>();
  for (const [method, path, handler] of LAB_ROUTES) router.add(method, path, (req, res) => handler(lab, req, res));
  // The terminal's slots: shared by its WebSocket upgrades and the page's question why it got none.
  const terminalSlots = terminalSlotsFor(lab);
  const terminalStatus = terminalStatusHandler(terminalSlots);
  router.add('GET', '/api/terminal/status', (req, res) => terminalStatus(lab, req, res));
  classroom.mount(router);

  const serveStatic = sirv(config.siteDir, { etag: true, extensions: ['html'], dotfiles: false });
  const notFoundPage = join(config.siteDir, '404.html');
  const notFound = existsSync(notFoundPage) ? readFileSync(notFoundPage) : Buffer.from('<!doctype html><title>Not found</title><h1>Not found</h1>');

  // Requests in flight, for the stall log: an API request open far longer than
  // any limit allows is logged once with the stage it is stuck in.
  const inFlight = new Map<IncomingMessage, { path: string; started: number; logged: boolean }>();
  const stallCheck = setInterval(() => {
    const now = Date.now();
    for (const [req, r] of inFlight) {
      if (!r.logged && now - r.started > REQUEST_STALL_LOG_MS) {
        r.logged = true;
        log.error(`stalled: ${req.method} ${r.path} open for ${Math.round((now - r.started) / 1000)} s, at stage "${stageOf(req)}"`, {
          method: req.method,
          path: r.path,
          stage: stageOf(req),
        });
      }
    }
  }, REQUEST_STALL_LOG_MS / 4);
  stallCheck.unref();

  const refusedSockets = new WeakSet<Socket>();
  const server = createServer(
    {
      // Slow or silent clients cannot hold a connection (and a file descriptor) for long;
      // Node checks these time-outs every connectionsCheckingInterval.
      headersTimeout: config.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeout: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      connectionsCheckingInterval: Math.min(CONNECTIONS_CHECK_MS, config.HTTP_HEADERS_TIMEOUT_MS),
    },
    async (req, res) => {
      if (refusedSockets.has(req.socket)) return void req.socket.destroy();
      for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
      const path = new URL(req.url ?? '/', 'http://lab').pathname;
      if (path.startsWith('/api/') && path !== TERMINAL_PATH) {
        inFlight.set(req, { path, started: Date.now(), logged: false });
        res.on('close', () => inFlight.delete(req));
      }
      try {
        if (await serveObservability({ metricsToken: config.METRICS_TOKEN, dataDir: config.dataDir }, req, res, path)) return;
        if (path === '/healthz') {
          sendJson(res, 200, { ok: true, go: sandbox.toolchain.version, lessons: lessons.all().length });
          return;
        }
        if (path.startsWith('/api/')) {
          const client = clientOf(lab, req);
          if (!lab.apiRate.take(client)) {
            throw new Busy('too many requests from your address; slow down', lab.apiRate.waitSeconds(client), 'api-rate');
          }
          const match = router.match(req.method ?? '', path);
          if (!match) return sendError(res, 404, `no API endpoint ${path}`);
          if ('allowed' in match) {
            res.setHeader('allow', match.allowed.join(', '));
            return sendError(res, 405, `${req.method} is not allowed on ${path} (use ${match.allowed.join(' or ')})`);
          }
          await match.handler(req, res, match.params);
          return;
        }
        serveStatic(req, res, () => {
          res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
          res.end(notFound);
        });
      } catch (err) {
        if (err instanceof HttpError) return sendError(res, err.status, err.message);
        if (err instanceof Busy) {
          refused(err.reason);
          if (!res.headersSent) res.setHeader('retry-after', String(err.retryAfterSeconds));
          return sendError(res, 429, err.message);
        }
        if (err instanceof UnsafePathError) return sendError(res, 409, err.message);
        log.error(`${req.method} ${path} failed`, { method: req.method, path }, err);
        sendError(res, 500, `internal error: ${(err as Error).message}`);
      }
    },
  );

  // Connection caps: one address's thousands of sockets are refused as they are
  // accepted, before they cost more than a descriptor for a moment, and others
  // are still answered. First among the listeners, so a refused socket is
  // answered before the HTTP parser reads from it; a request it parses anyway
  // is never served (refusedSockets).
  const caps = new ConnectionCaps(config.TRUST_PROXY ? Infinity : config.MAX_CONNECTIONS_PER_CLIENT, config.MAX_CONNECTIONS);
  server.prependListener('connection', (socket: Socket) => {
    const refusal = caps.admit(socket);
    if (!refusal) return;
    refused('connections');
    refusedSockets.add(socket);
    socket.on('error', () => {});
    socket.end(
      `HTTP/1.1 503 Service Unavailable\r\nretry-after: 10\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(refusal)}\r\nconnection: close\r\n\r\n${refusal}`,
    );
    socket.destroySoon();
  });

  observeLab(lab.admission, terminalSlots, server);
  const onUpgrade = terminalUpgradeHandler(lab, terminalSlots);
  server.on('upgrade', (req, socket, head) => {
    if (refusedSockets.has(socket as Socket)) return void socket.destroy();
    const path = new URL(req.url ?? '/', 'http://lab').pathname;
    if (path !== TERMINAL_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n', () => socket.destroy());
      return;
    }
    onUpgrade(req, socket, head).catch((err) => {
      log.error('terminal upgrade failed', {}, err);
      socket.destroy();
    });
  });
  // Malformed HTTP from a client: answer 400, never crash.
  // A request head or body slower than its time-out: 408, so a slow network's browser can say why.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return void socket.destroy();
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      const body = 'the request took too long to arrive; try again\n';
      socket.end(`HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    } else {
      socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    }
  });
  // The reaper: idle workspaces are closed and trimmed, old ones deleted.
  const reaper = setInterval(() => {
    sessions
      .reap(config.SESSION_IDLE_MS, config.WORKSPACE_RETENTION_MS, (dir) => lab.warm.drop(dir))
      .then(({ closed, deleted }) => {
        if (closed || deleted) log.info(`reaper: closed ${closed} idle workspaces, deleted ${deleted} expired ones`, { closed, deleted });
      })
      .catch((err) => log.error('reaper failed', {}, err));
  }, config.REAP_INTERVAL_MS);
  reaper.unref();
  server.on('close', () => {
    clearInterval(reaper);
    classroom.close();
  });
  return { server, lab, classroom };
}
