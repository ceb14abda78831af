/**
 * The bubblewrap command line every learner command runs under: Run requests,
 * the terminal's shell, and set-up's own standard-library build (so its cache
 * keys match what learners compute).
 *
 * Inside, the learner is uid 1000 "learner" with HOME=/home/learner (their
 * workspace, the only writable host directory) and a private /tmp; the system,
 * the Go toolchain and the lab's module proxy (/opt/lab/goproxy) are read-only;
 * there is no network and no way back to
 * any outside terminal (--new-session), and nothing outlives the server
 * (--die-with-parent). See docs/security.md.
 */
import { SANDBOX_CACHE_PARENT, SANDBOX_GOCACHE, SANDBOX_HOME } from '../workspace/mounts.ts';
import { join } from 'node:path';

/** Where things appear inside the sandbox. */
export const SANDBOX_TOOLS = '/opt/lab/bin';
/** The lab's read-only module proxy (prepare.ts, goproxy/build.ts): GOPROXY=file://SANDBOX_GOPROXY. */
export const SANDBOX_GOPROXY = '/opt/lab/goproxy';
/**
 * Module path patterns the go command does not look up in the checksum
 * database: the lab's own modules are in no public database (and sum.golang.org
 * is unreachable anyway). go.sum is still written and still checked.
 */
export const SANDBOX_GONOSUMDB = 'golab.example';
export const SANDBOX_USER = 'learner';
export const SANDBOX_INNER_UID = 1000;
export const SANDBOX_INNER_GID = 1000;

/** What prepare.ts made, and the toolchain it found. */
export interface SandboxLayout {
  /** Directory with passwd, group, hosts (synthetic, host-side, read-only). */
  etcDir: string;
  /** Directory with the lab's own tools (ptyhost), mounted at SANDBOX_TOOLS. */
  toolsDir: string;
  /** The module proxy tree (GOPROXY protocol layout), mounted read-only at SANDBOX_GOPROXY. */
  goproxyDir: string;
  /** GOROOT of the toolchain learners use. */
  goroot: string;
}

export interface BwrapOptions {
  layout: SandboxLayout;
  /** Host directory mounted read-write at SANDBOX_HOME. */
  home: string;
  /** Host directory mounted read-write at SANDBOX_GOCACHE (null: it is inside home). */
  gocache?: string | null;
  /** Working directory inside the sandbox (absolute, under SANDBOX_HOME). */
  cwd: string;
  /** Environment on top of the base one (e.g. CGO_ENABLED=1, TERM). */
  env?: Record<string, string>;
  /** Descriptor number (in the child) of the seccomp program, if any. */
  seccompFd?: number;
  /** Extra read-write binds: host path -> sandbox path (set-up's cache build). */
  extraBinds?: Array<[string, string]>;
  /** Extra read-only binds: host path -> sandbox path (the grader's test binary). */
  roBinds?: Array<[string, string]>;
  /** The command to run inside. */
  command: string[];
}

/** The environment every sandboxed command starts from (nothing from the host). */
export function sandboxEnv(layout: SandboxLayout, extra: Record<string, string> = {}): Record<string, string> {
  return {
    // The lab's go wrapper (gowrap) comes first; it runs ${GOROOT}/bin/go.
    PATH: `${SANDBOX_TOOLS}:${layout.goroot}/bin:/usr/local/bin:/usr/bin:/bin`,
    LAB_REAL_GO: `${layout.goroot}/bin/go`,
    HOME: SANDBOX_HOME,
    USER: SANDBOX_USER,
    LOGNAME: SANDBOX_USER,
    SHELL: '/bin/bash',
    LANG: 'C.UTF-8',
    GOCACHE: SANDBOX_GOCACHE,
    GOPATH: `${SANDBOX_HOME}/go`,
    GOTOOLCHAIN: 'local',
    CGO_ENABLED: '0',
    // No network in the sandbox: modules come from the lab's own read-only
    // proxy (no ",direct" fallback), and the checksum database is not asked
    // about the lab's modules. GOSUMDB keeps its default (sum.golang.org):
    // a module from elsewhere is not in the proxy, so it fails before that.
    GOPROXY: `file://${SANDBOX_GOPROXY}`,
    GONOSUMDB: SANDBOX_GONOSUMDB,
    GOFLAGS: '',
    TMPDIR: '/tmp',
    ...extra,
  };
}

export function bwrapArgv(o: BwrapOptions): string[] {
  const args = [
    '--unshare-all', // user, pid, net, ipc, uts, cgroup namespaces: no network at all
    '--unshare-user',
    '--disable-userns', // no nested user namespaces (the kernel surface behind many escapes)
    '--uid',
    String(SANDBOX_INNER_UID),
    '--gid',
    String(SANDBOX_INNER_GID),
    '--hostname',
    'lab',
    '--die-with-parent',
    '--new-session', // no TIOCSTI into a terminal outside
    '--ro-bind',
    '/usr',
    '/usr',
    '--symlink',
    'usr/lib',
    '/lib',
    '--symlink',
    'usr/lib64',
    '/lib64',
    '--symlink',
    'usr/bin',
    '/bin',
    '--symlink',
    'usr/sbin',
    '/sbin',
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--tmpfs',
    '/tmp',
    // The whole /etc is the synthetic one (passwd, group, hosts), read-only.
    '--ro-bind',
    o.layout.etcDir,
    '/etc',
    '--ro-bind',
    o.layout.toolsDir,
    SANDBOX_TOOLS,
    '--ro-bind',
    o.layout.goproxyDir,
    SANDBOX_GOPROXY,
  ];
  if (!o.layout.goroot.startsWith('/usr/')) args.push('--ro-bind', o.layout.goroot, o.layout.goroot);
  args.push('--bind', o.home, SANDBOX_HOME);
  if (o.gocache) {
    // ~/.cache becomes a mount point of its own first (see SANDBOX_CACHE_PARENT):
    // the host made it a real directory just before this start, and no
    // learner process of an earlier sandbox can have swapped it since.
    args.push('--bind', join(o.home, SANDBOX_CACHE_PARENT.slice(SANDBOX_HOME.length + 1)), SANDBOX_CACHE_PARENT);
    args.push('--bind', o.gocache, SANDBOX_GOCACHE);
  }
  for (const [host, inside] of o.extraBinds ?? []) args.push('--bind', host, inside);
  for (const [host, inside] of o.roBinds ?? []) args.push('--ro-bind', host, inside);
  // The sandbox's own root (a tmpfs holding the mount points) becomes read-only:
  // only the workspace, its cache and /tmp are writable.
  args.push('--remount-ro', '/');
  args.push('--chdir', o.cwd, '--clearenv');
  for (const [k, v] of Object.entries(sandboxEnv(o.layout, o.env))) args.push('--setenv', k, v);
  if (o.seccompFd !== undefined) args.push('--seccomp', String(o.seccompFd));
  args.push('--', ...o.command);
  return args;
}
