/**
 * `node server/sandbox/prepare-cli.ts`: prepares the sandbox (see prepare.ts).
 * Run by scripts/setup.ts for npm start / test / bench / build.
 */
import { loadConfig } from '../config.ts';
import { prepareSandbox } from './prepare.ts';

const config = loadConfig();
try {
  await prepareSandbox(config, (m) => process.stdout.write(`\x1b[1m[lab]\x1b[0m ${m}\n`));
  process.stdout.write(`\x1b[1m[lab]\x1b[0m sandbox is ready (${config.sandboxDir})\n`);
} catch (err) {
  process.stderr.write(`\x1b[31m[lab] error:\x1b[0m preparing the sandbox failed: ${(err as Error).message}\n`);
  process.exit(1);
}
