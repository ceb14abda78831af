/**
 * `node server/main.ts`: the lab server (npm start runs set-up first).
 * Configuration: server/config.ts (PORT, HOST, DATA_DIR, limits).
 */
import { loadConfig } from './config.ts';
import { createLab } from './app.ts';
import { sweepCgroups } from './sandbox/cgroup.ts';

const config = loadConfig();
let started;
try {
  started = await createLab(config);
} catch (err) {
  process.stderr.write(`\x1b[31m[lab] error:\x1b[0m ${(err as Error).message}\n`);
  process.exit(1);
}
const { server } = started;
server.listen(config.port, config.host, () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  // Tests and scripts read this line to learn the port (PORT=0 picks a free one).
  process.stdout.write(`[lab] listening on http://localhost:${port}\n`);
});
server.on('error', (err) => {
  process.stderr.write(`\x1b[31m[lab] error:\x1b[0m cannot listen on ${config.host}:${config.port}: ${err.message}\n`);
  process.exit(1);
});
const shutdown = async () => {
  server.close();
  server.closeAllConnections();
  // Every sandbox dies with us (--die-with-parent); this removes their cgroups too.
  await sweepCgroups(started.lab.sandbox.cgroups, true).catch(() => {});
  started.lab.warm.dropAll();
  await started.lab.sessions.closeAll();
  started.classroom.close();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
