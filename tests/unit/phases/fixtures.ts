// Loads the recorded toolchain fixtures of server/phases/fixtures/<case>/.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../server/phases/fixtures');

export interface Fixture {
  caseJson: { command: string[]; exitCode: number; goVersion: string; env: Record<string, string> };
  trace: string;
  graph: string;
  graphPre: string | null;
  stdout: string;
  stderr: string;
}

export function fixture(name: string): Fixture {
  const dir = join(DIR, name);
  const gz = (f: string) => gunzipSync(readFileSync(join(dir, f))).toString('utf8');
  return {
    caseJson: JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')),
    trace: gz('trace.json.gz'),
    graph: gz('graph.json.gz'),
    graphPre: existsSync(join(dir, 'graph.pre.json.gz')) ? gz('graph.pre.json.gz') : null,
    stdout: readFileSync(join(dir, 'stdout.txt'), 'utf8'),
    stderr: readFileSync(join(dir, 'stderr.txt'), 'utf8'),
  };
}

export const CASES = [
  'hello-cold',
  'hello-warm',
  'hello-warm-json-x',
  'multi',
  'multi-json-x',
  'build-error',
  'build-error-json',
  'run-cold',
  'run-warm',
  'test-json',
  'test-json-cached',
  'vet',
  'cgo',
];
