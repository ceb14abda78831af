/**
 * The host-side chain that starts bwrap, so that by the time any learner code
 * runs, every limit is already in force and nothing can be raised from inside:
 *
 *   (spawned as the session's uid)      Node drops to the sandbox uid and clears groups
 *   sh -c 'echo $$ > cgroup.procs …     join the command's cgroups (their cgroup.procs
 *          ulimit -n … -f … -c 0        files are delegated to that uid), set rlimits
 *   bash -c 'exec {fd}>&- …             close every descriptor but the command's own
 *          exec bwrap …'                namespaces, mounts, seccomp (bwrap.ts)
 *
 * Each link exec()s the next, so the pid stays the same: killing the spawned
 * child kills bwrap, whose pid-1 death takes the whole sandbox with it. On
 * cgroup v2 a process may only be moved by a writer who can write the common
 * ancestor's cgroup.procs, so there the shell runs as root and `setpriv` drops
 * to the uid after joining (a few ms slower).
 *
 * Descriptors: spawn() gives the child its stdio, and also every descriptor
 * the server itself inherited without close-on-exec from whatever started it
 * (a supervisor's socket, a log file, a test harness's pipe); bwrap would pass
 * them all on into the sandbox. A step of its own closes every descriptor from
 * `keepFds` up, so the learner's command gets only its own (docs/security.md).
 * bash, because dash cannot name a descriptor above 9 in a redirection.
 */

export interface Rlimits {
  /** Open file descriptors per process. */
  openFiles: number;
  /** Largest file a process may write, bytes (SIGXFSZ beyond). */
  fileSizeBytes: number;
}

export interface LaunchOptions {
  /** cgroup.procs files to join (empty: no cgroups on this machine). */
  cgroupProcs: string[];
  rlimits: Rlimits;
  /** The sandbox uid/gid (only when the server is root). */
  hostUser: { uid: number; gid: number } | null;
  /** Drop to hostUser with setpriv after joining the cgroups (cgroup v2), instead of before. */
  dropAfterJoin: boolean;
  /**
   * Descriptors 0 .. keepFds-1 are the command's (its stdio, bwrap's seccomp
   * program): every other one is closed before bwrap starts. Unset: none is
   * closed (only for callers that start no sandbox, e.g. tests of the script).
   */
  keepFds?: number;
}

export interface Launch {
  argv: string[];
  /** uid/gid for spawn() itself, when the drop happens before the shell. */
  spawnAs: { uid: number; gid: number } | null;
}

/** The shell's job: join each cgroup named in its arguments, set rlimits, exec the rest. */
const SCRIPT = [
  'n=$1; shift',
  'while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n-1)); done',
  // dash counts file sizes in 512-byte blocks.
  'ulimit -n "$1" && ulimit -f "$2" && ulimit -c 0 || exit 125; shift 2',
  'exec "$@"',
].join('\n');

/**
 * The closing step: every descriptor from $1 up. The glob is expanded (and the
 * directory's own descriptor closed) before the loop closes anything.
 */
const CLOSE_SCRIPT = ['keep=$1; shift', 'for f in /proc/$$/fd/*; do fd=${f##*/}; [ "$fd" -ge "$keep" ] && exec {fd}>&-; done', 'exec "$@"'].join('\n');

/** How to spawn `bwrap bwrapArgs` under the given limits. */
export function launch(o: LaunchOptions, bwrapArgs: string[]): Launch {
  let rest = ['bwrap', ...bwrapArgs];
  let spawnAs = o.hostUser;
  if (o.hostUser && o.dropAfterJoin) {
    rest = ['setpriv', '--reuid', String(o.hostUser.uid), '--regid', String(o.hostUser.gid), '--clear-groups', '--', ...rest];
    spawnAs = null;
  }
  if (o.keepFds !== undefined) rest = ['/bin/bash', '--noprofile', '--norc', '-c', CLOSE_SCRIPT, 'lab-close-fds', String(o.keepFds), ...rest];
  const blocks = Math.floor(o.rlimits.fileSizeBytes / 512);
  // The cgroup paths are ours (no learner input); passed as arguments, never spliced into the script.
  const argv = ['/bin/sh', '-c', SCRIPT, 'lab-launch', String(o.cgroupProcs.length), ...o.cgroupProcs, String(o.rlimits.openFiles), String(blocks), ...rest];
  return { argv, spawnAs };
}
