/** Starts one real lab server for the whole run; returns the teardown that stops it. */
import { startServer } from '../helpers/server.ts';

export default async function globalSetup(): Promise<() => Promise<void>> {
  const server = await startServer();
  process.env.LAB_URL = server.url;
  return async () => {
    await server.stop();
  };
}
