/**
 * Where a workspace appears inside the sandbox. The workspace code lays out
 * its folders for these mount points, and the sandbox's bubblewrap command
 * line (server/sandbox/bwrap.ts) mounts them there: the workspace layer is
 * below the sandbox layer, so the sandbox imports these, never the reverse.
 */

/** The learner's HOME inside the sandbox: the workspace, the only writable host directory. */
export const SANDBOX_HOME = '/home/learner';
/**
 * The parent of GOCACHE, bound onto itself in every sandbox that mounts a
 * cache: a mount point cannot be renamed, removed or swapped from inside
 * (EBUSY), so while any of a session's sandboxes runs, no learner process can
 * put a symlink where the next sandbox's set-up will mount the cache.
 */
export const SANDBOX_CACHE_PARENT = `${SANDBOX_HOME}/.cache`;
/** GOCACHE inside the sandbox: in the workspace, so it is the session's own. */
export const SANDBOX_GOCACHE = `${SANDBOX_CACHE_PARENT}/go-build`;
