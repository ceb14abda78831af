import { test } from 'node:test';
import assert from 'node:assert/strict';
import { instrumentGoArgv } from '../../../server/phases/instrument.ts';

const files = { trace: '/tmp/lab/t.json', graph: '/tmp/lab/g.json' };
const T = '-debug-trace=/tmp/lab/t.json';
const G = '-debug-actiongraph=/tmp/lab/g.json';
const argv = (line: string) => line.split(' ');

test('build flags go right after the subcommand', () => {
  const r = instrumentGoArgv(argv('go build .'), files);
  assert.deepEqual(r.argv, ['go', 'build', T, G, '.']);
  assert.deepEqual(r.added, [T, G]);
  assert.equal(r.subcommand, 'build');
  assert.equal(r.traceFile, files.trace);
  for (const sub of ['install', 'test', 'vet']) {
    assert.deepEqual(instrumentGoArgv(['go', sub, './...'], files).argv, ['go', sub, T, G, './...']);
  }
});

test('go run: program arguments and -- stay after the package, untouched', () => {
  assert.deepEqual(instrumentGoArgv(argv('go run . -x --debug-trace=mine a'), files).argv,
    ['go', 'run', T, G, '.', '-x', '--debug-trace=mine', 'a']);
  assert.deepEqual(instrumentGoArgv(argv('go run -race main.go -- b'), files).argv, ['go', 'run', T, G, '-race', 'main.go', '--', 'b']);
  // a -debug-trace after the package is the program's argument, not the learner's flag:
  assert.deepEqual(instrumentGoArgv(argv('go run -tags x . -debug-trace=prog.json'), files).added, [T, G]);
});

test('go test: flags after packages keep their place', () => {
  assert.deepEqual(instrumentGoArgv(argv('go test ./... -run TestX -v -args -n 1'), files).argv,
    ['go', 'test', T, G, './...', '-run', 'TestX', '-v', '-args', '-n', '1']);
});

test('-C dir stays the first flag', () => {
  assert.deepEqual(instrumentGoArgv(argv('go build -C sub -o x .'), files).argv, ['go', 'build', '-C', 'sub', T, G, '-o', 'x', '.']);
  assert.deepEqual(instrumentGoArgv(argv('go run -C=sub .'), files).argv, ['go', 'run', '-C=sub', T, G, '.']);
  assert.equal(instrumentGoArgv(argv('go build -C'), files).added.length, 0);
});

test('the learner\'s own -debug-trace is kept (adding ours would override it)', () => {
  const r = instrumentGoArgv(argv('go build -debug-trace=my.json .'), files);
  assert.deepEqual(r.argv, ['go', 'build', G, '-debug-trace=my.json', '.']);
  assert.deepEqual(r.added, [G]);
  assert.equal(r.traceFile, 'my.json');
  const both = instrumentGoArgv(argv('go test -debug-trace t -debug-actiongraph=g .'), files);
  assert.deepEqual(both.added, []);
  assert.deepEqual(both.argv, argv('go test -debug-trace t -debug-actiongraph=g .'));
  assert.equal(both.traceFile, 't');
});

test('non-go commands and go commands that build nothing are left alone', () => {
  for (const line of ['ls -l', 'gofmt -l .', './go build', 'go version', 'go env GOCACHE', 'go mod tidy', 'go', 'go -h', 'go tool nm x']) {
    const a = argv(line);
    const r = instrumentGoArgv(a, files);
    assert.deepEqual(r.argv, a, line);
    assert.deepEqual(r.added, [], line);
    assert.ok(r.reason, line);
  }
  assert.deepEqual(instrumentGoArgv(['/usr/local/go/bin/go', 'build'], files).argv, ['/usr/local/go/bin/go', 'build', T, G]);
  assert.throws(() => instrumentGoArgv(['go', 'build'], { trace: 't.json', graph: '/g' }), /must be absolute/);
});
