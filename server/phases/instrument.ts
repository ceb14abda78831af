/**
 * Decides which flags the lab adds to a learner's go command so that it can
 * watch the build, without changing what the command means.
 *
 *   go build .          -> go build -debug-trace=T -debug-actiongraph=G .
 *   go run . -x a b     -> go run -debug-trace=T -debug-actiongraph=G . -x a b
 *   go test ./... -v    -> go test -debug-trace=T -debug-actiongraph=G ./... -v
 *   ls -l               -> unchanged
 *
 * The flags go right after the subcommand (after `-C dir`, which must come
 * first), so they can never land among packages, after `--`, or among the
 * program's arguments of `go run`. Only build, install, run, test and vet take
 * these build flags; other go commands are left alone. If the learner already
 * passes one of the flags, the command is left unchanged for it (adding ours
 * would override theirs: the last one wins) and the learner's file is reported.
 *
 * Works on an argv (e.g. from a `go` wrapper in the sandbox's PATH): no shell
 * parsing here.
 */

const OBSERVED = new Set(['build', 'install', 'run', 'test', 'vet']);

export interface InstrumentFiles {
  /** Absolute path for -debug-trace. */
  trace: string;
  /** Absolute path for -debug-actiongraph. */
  graph: string;
}

export interface Instrumented {
  /** The argv to run. */
  argv: string[];
  /** The arguments the lab added, in order (empty: nothing added), to show the learner. */
  added: string[];
  /** The go subcommand, or null when argv is not a go command. */
  subcommand: string | null;
  /** Where the trace / graph will be written (the learner's own path if they gave one), or null. */
  traceFile: string | null;
  graphFile: string | null;
  /** Why nothing was added, when nothing was. */
  reason?: string;
}

function isGo(arg0: string | undefined): boolean {
  // 'go' from PATH or an absolute path to a go binary; './go' is some other program.
  return arg0 === 'go' || (arg0 !== undefined && arg0.startsWith('/') && arg0.endsWith('/go'));
}

/** Build flags of `go help build` (and -exec of go run/test) that take a separate value. */
const VALUE_FLAGS = new Set([
  'C', 'o', 'p', 'asmflags', 'buildmode', 'compiler', 'gccgoflags', 'gcflags', 'installsuffix',
  'ldflags', 'mod', 'modfile', 'overlay', 'pgo', 'pkgdir', 'tags', 'toolexec', 'exec', 'coverpkg',
  'covermode', 'debug-actiongraph', 'debug-runtime-trace', 'debug-trace', 'vettool',
]);

/**
 * The value the learner gave to flag `name` (as -name=v, --name=v, -name v), if any.
 * flagsOnly: stop at the first argument that is not a flag (go run: the rest is the program's).
 */
function userFlag(args: string[], name: string, flagsOnly: boolean): string | null | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') break;
    if (flagsOnly) {
      if (!a.startsWith('-') || a === '-') break;
      const bare = a.replace(/^--?/, '');
      if (!bare.includes('=') && VALUE_FLAGS.has(bare) && bare !== name) {
        i++; // skip the flag's value
        continue;
      }
    }
    for (const p of [`-${name}`, `--${name}`]) {
      if (a === p) return args[i + 1] ?? null;
      if (a.startsWith(p + '=')) return a.slice(p.length + 1);
    }
  }
  return undefined;
}

export function instrumentGoArgv(argv: ReadonlyArray<string>, files: InstrumentFiles): Instrumented {
  const same = (reason: string, subcommand: string | null = null): Instrumented => ({
    argv: [...argv], added: [], subcommand, traceFile: null, graphFile: null, reason,
  });
  if (!isGo(argv[0])) return same('not a go command');
  if (!files.trace.startsWith('/') || !files.graph.startsWith('/')) {
    throw new Error('instrumentGoArgv: the trace and graph paths must be absolute (the learner may use -C)');
  }
  const sub = argv[1];
  if (sub === undefined || sub.startsWith('-')) return same('no go subcommand');
  if (!OBSERVED.has(sub)) return same(`go ${sub} builds nothing to observe`, sub);
  // -C dir must stay the first flag after the subcommand.
  let at = 2;
  if (argv[2] === '-C' || argv[2] === '--C') at = 4;
  else if (argv[2]?.startsWith('-C=') || argv[2]?.startsWith('--C=')) at = 3;
  if (at > argv.length) return same('incomplete -C flag', sub);

  // For go run, the program's own arguments follow the package: only look at the go flags.
  const goArgs = argv.slice(2);
  const userTrace = userFlag(goArgs, 'debug-trace', sub === 'run');
  const userGraph = userFlag(goArgs, 'debug-actiongraph', sub === 'run');
  const added: string[] = [];
  if (userTrace === undefined) added.push(`-debug-trace=${files.trace}`);
  if (userGraph === undefined) added.push(`-debug-actiongraph=${files.graph}`);
  const out: Instrumented = {
    argv: [...argv.slice(0, at), ...added, ...argv.slice(at)],
    added,
    subcommand: sub,
    traceFile: userTrace === undefined ? files.trace : userTrace,
    graphFile: userGraph === undefined ? files.graph : userGraph,
  };
  if (added.length === 0) out.reason = 'the command already asks for both files';
  return out;
}
