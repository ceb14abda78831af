/**
 * The host-side chain that starts bwrap, each link doing one thing before it
 * exec()s the next, so that by the time any learner code runs, every limit is
 * already in force and nothing can be raised from inside:
 *
 *   sh -c 'echo $$ > cgroup.procs …'   join the command's cgroups (as root)
 *   prlimit --nofile --fsize --core    rlimits, inherited by everything inside
 *   setpriv --reuid U --regid U        drop to the session's sandbox uid (as root)
 *   bwrap …                            namespaces, mounts, seccomp (bwrap.ts)
 *
 * The pid stays the same through the execs, so killing the spawned child kills
 * bwrap, whose pid-1 death takes the whole sandbox with it.
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
  /** Host uid/gid to become (only when the server is root). */
  hostUser: { uid: number; gid: number } | null;
}

/** Exit status of the launcher when it could not join a cgroup (never bwrap's). */
export const LAUNCH_FAILED_STATUS = 125;

/** argv (program first) that runs `bwrapArgs` under the given limits. */
export function launcherArgv(o: LaunchOptions, bwrapArgs: string[]): string[] {
  let argv = ['bwrap', ...bwrapArgs];
  if (o.hostUser) {
    argv = ['setpriv', '--reuid', String(o.hostUser.uid), '--regid', String(o.hostUser.gid), '--clear-groups', '--', ...argv];
  }
  const { openFiles, fileSizeBytes } = o.rlimits;
  argv = ['prlimit', `--nofile=${openFiles}:${openFiles}`, `--fsize=${fileSizeBytes}:${fileSizeBytes}`, '--core=0:0', '--', ...argv];
  if (o.cgroupProcs.length) {
    // The cgroup paths are ours (no learner input); passed as arguments, not spliced into the script.
    const script = `n=$1; shift; i=0; while [ $i -lt $n ]; do echo $$ > "$1" || exit ${LAUNCH_FAILED_STATUS}; shift; i=$((i+1)); done; exec "$@"`;
    argv = ['/bin/sh', '-c', script, 'lab-launch', String(o.cgroupProcs.length), ...o.cgroupProcs, ...argv];
  }
  return argv;
}
