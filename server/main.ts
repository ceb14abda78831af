/**
 * `node server/main.ts`: the lab server (npm start runs set-up first).
 * Configuration: server/config.ts (PORT, HOST, DATA_DIR, limits).
 */
import { loadConfig } from './config.ts';
import { createLab } from './app.ts';
import { sweepCgroups } from './sandbox/cgroup.ts';
import { log } from './observability/log.ts';
import { setDraining } from './observability/routes.ts';

const config = loadConfig();
let started: Awaited<ReturnType<typeof createLab>>;
try {
  started = await createLab(config);
} catch (err) {
  log.error((err as Error).message);
  process.exit(1);
}
const { server } = started;
server.listen(config.port, config.host, () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  // Tests and scripts read this line to learn the port (PORT=0 picks a free one).
  log.info(`listening on http://localhost:${port}`, { port });
});
server.on('error', (err) => {
  log.error(`cannot listen on ${config.host}:${config.port}: ${err.message}`, { host: config.host, port: config.port });
  process.exit(1);
});
/** How long a clean stop may take before the process exits anyway (a hung unmount, say). */
const SHUTDOWN_TIMEOUT_MS = 15_000;
let stopping = false;
/**
 * A clean stop (SIGTERM, SIGINT) leaves nothing behind: no sandbox process,
 * no cgroup, no workspace mount, no loop device. Sandboxes go first, so
 * nothing holds a workspace's mount when it is unmounted.
 */
const shutdown = async () => {
  if (stopping) return; // a second signal while stopping: the first stop goes on
  stopping = true;
  setDraining();
  setTimeout(() => {
    log.error('shutdown took too long; exiting with things possibly left behind');
    process.exit(1);
  }, SHUTDOWN_TIMEOUT_MS).unref();
  server.close();
  server.closeAllConnections();
  started.lab.warm.close();
  // Every sandbox dies with us (--die-with-parent), but only after we exit:
  // this kills them now and removes their cgroups.
  const sweep = () => sweepCgroups(started.lab.sandbox.cgroups, true).catch((err) => log.error('removing cgroups at shutdown failed', {}, err));
  await sweep();
  await started.lab.sessions.closeAll().catch((err) => log.error('closing workspaces at shutdown failed', {}, err));
  // Requests that were past their checks when the signal came may have started
  // a sandbox meanwhile (a Run's cold start, a terminal): those go too.
  await sweep();
  started.classroom.close();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
