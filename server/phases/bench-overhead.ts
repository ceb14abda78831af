// Instrumentation overhead on a warm hello-world `go build`: observing the build must cost at most 10%.
//
//   ./node_modules/.bin/node server/phases/bench-overhead.ts [N]
//
// Copies fixtures/src/hello to a scratch dir, warms a private GOCACHE, then runs
// `go build -o hello .` N times without and N times with
// -debug-trace/-debug-actiongraph, alternating (plain, traced, plain, ...),
// and prints the median wall time of each and their ratio.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const N = Number(process.argv[2] ?? 41);
const HERE = dirname(fileURLToPath(import.meta.url));
const dir = '/tmp/gbl-bench/hello';
rmSync('/tmp/gbl-bench', { recursive: true, force: true });
mkdirSync('/tmp/gbl-bench', { recursive: true });
cpSync(join(HERE, 'fixtures/src/hello'), dir, { recursive: true });
const env = {
  PATH: '/usr/local/go/bin:/usr/bin:/bin',
  HOME: '/tmp/gbl-bench/home',
  GOPATH: '/tmp/gbl-bench/gopath',
  GOCACHE: '/tmp/gbl-bench/cache',
  GOTOOLCHAIN: 'local',
  GOPROXY: 'off',
  CGO_ENABLED: '0',
};
const plain = ['build', '-o', 'hello', '.'];
// WHICH=trace or WHICH=graph measures one of the two flags alone.
const which = process.env.WHICH ?? 'both';
const flags = {
  both: ['-debug-trace=/tmp/gbl-bench/t.json', '-debug-actiongraph=/tmp/gbl-bench/g.json'],
  trace: ['-debug-trace=/tmp/gbl-bench/t.json'],
  graph: ['-debug-actiongraph=/tmp/gbl-bench/g.json'],
}[which];
if (!flags) throw new Error(`WHICH=${which}: expected both, trace or graph`);
const traced = ['build', ...flags, '-o', 'hello', '.'];
const run = (args: string[]) => {
  const t = performance.now();
  const r = spawnSync('/usr/local/go/bin/go', args, { cwd: dir, env });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`go ${args.join(' ')}: ${r.stderr}`);
  return ms;
};
run(plain);
run(traced);
run(plain);
run(traced); // warm cache and page cache
const a: number[] = [];
const b: number[] = [];
for (let i = 0; i < N; i++) {
  a.push(run(plain));
  b.push(run(traced));
}
const med = (x: number[]) => {
  const s = [...x].sort((p, q) => p - q);
  return s[Math.floor(s.length / 2)];
};
const ma = med(a),
  mb = med(b);
console.log(
  JSON.stringify({
    flags: which,
    runs: N,
    plainMedianMs: +ma.toFixed(1),
    tracedMedianMs: +mb.toFixed(1),
    ratio: +(mb / ma).toFixed(3),
    plainMinMs: +Math.min(...a).toFixed(1),
    tracedMinMs: +Math.min(...b).toFixed(1),
  }),
);
