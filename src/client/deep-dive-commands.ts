/**
 * The commands of the compiler deep dives, exactly as they run in the
 * learner's sandbox (and as the page shows them), and the small pure helpers
 * around GOSSAFUNC. No DOM: unit tests in tests/unit/client/.
 */

/** Inlining and escape analysis: the compiler's -m report (on stderr). */
export const INLINING_COMMAND = 'go build -gcflags=-m -o /dev/null .';
/** The compiler's assembly listing (on stderr). */
export const ASSEMBLY_COMMAND = 'go build -gcflags=-S -o /dev/null .';
/**
 * The build information the go command stamps into an executable. The binary
 * goes to the sandbox's private /tmp, which ends with the command, so it
 * takes no room in the learner's workspace.
 */
export const BUILD_INFO_COMMAND = 'go build -o /tmp/hello . && go version -m /tmp/hello';

/**
 * GOSSAFUNC is part of every package's cache key (cmd/go's "magic" variables),
 * so a dump recompiles every package the program imports (about 30 MB of cache
 * for fmt's), and a cache hit replays "dumped SSA" without writing ssa.html
 * again. A throwaway cache in the sandbox's private /tmp avoids both.
 */
export const SSA_CACHE = '/tmp/lab-ssa-cache';
/** What the compiler writes, in the go command's working directory (the lesson folder). */
export const SSA_FILE = 'ssa.html';
const MAX_FUNC_NAME = 200;

/** Why `name` cannot be a GOSSAFUNC value here, or null. */
export function ssaFuncProblem(name: string): string | null {
  if (!name) return 'empty';
  if (name.length > MAX_FUNC_NAME) return 'too long';
  // Single quotes would end the shell quoting below; whitespace and control characters are never in Go names.
  if (/['\s\x00-\x1f\x7f]/.test(name)) return 'contains a quote, a space or a control character';
  return null;
}

/** The SSA command for a function (quoted for the shell when it needs to be). */
export function ssaCommand(name: string): string {
  const value = /^[A-Za-z0-9_.]+$/.test(name) ? name : `'${name}'`;
  return `GOCACHE=${SSA_CACHE} GOSSAFUNC=${value} go build -o /dev/null .`;
}

/**
 * The compiler's `dumped SSA for (*Counter).Add,1 to ./ssa.html` lines: which
 * function (with its ABI number) went to which file, in output order.
 */
export function parseSsaDumped(output: string): Array<{ func: string; path: string }> {
  const out: Array<{ func: string; path: string }> = [];
  for (const m of output.matchAll(/^dumped SSA for (.+) to (.+)$/gm)) out.push({ func: m[1]!, path: m[2]!.replace(/\r$/, '') });
  return out;
}

/**
 * The GOSSAFUNC names of the functions declared in the learner's Go files
 * (tests excluded: go build does not compile them): `main`, `greet`,
 * `Rect.Area` for a value receiver, `(*Counter).Add` for a pointer receiver.
 */
export function goFunctionNames(files: Record<string, string>): string[] {
  const names: string[] = [];
  const decl = /^func[ \t]*(?:\([ \t]*(?:\w+[ \t]+)?(\*?)[ \t]*(\w+)(?:\[[^\]]*\])?[ \t]*\)[ \t]*)?(\w+)/gm;
  for (const [file, text] of Object.entries(files)) {
    if (!file.endsWith('.go') || file.endsWith('_test.go')) continue;
    for (const m of text.matchAll(decl)) {
      const [, star, recv, fn] = m;
      const name = recv ? (star ? `(*${recv}).${fn}` : `${recv}.${fn}`) : fn!;
      if (!names.includes(name)) names.push(name);
    }
  }
  return names;
}
