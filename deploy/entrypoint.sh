#!/bin/sh
# The image's entry point: makes the container's cgroup v2 tree usable by the
# lab, then runs the command (the server, or the sandbox's set-up).
#
# Why: in a container the server starts in the root of its cgroup namespace,
# and cgroup v2 lets a group hand controllers (memory, pids, cpu) to child
# groups only when it holds no process itself. The lab puts each command in a
# child group with its own limits (server/sandbox/cgroup.ts), so every process
# here moves to a leaf group, "init", first (as docker's own dind image does).
# Without a writable cgroupfs (not privileged) this does nothing, and the lab
# warns that limits fall back to rlimits.
#
# Only as the container's own init (pid 1) at the root of its own cgroup v2
# namespace ("0::/"): run by hand on a host, it would move the host's
# processes, so there it does nothing.
set -eu
CG=/sys/fs/cgroup
if [ "$$" = 1 ] && [ "$(cat /proc/self/cgroup)" = "0::/" ] \
  && [ -f "$CG/cgroup.controllers" ] && [ -w "$CG/cgroup.subtree_control" ] && [ ! -d "$CG/init" ]; then
  mkdir "$CG/init"
  # Each pid on its own write: cgroup.procs takes one per write.
  xargs -rn1 < "$CG/cgroup.procs" > "$CG/init/cgroup.procs" 2>/dev/null || :
  sed -e 's/ / +/g' -e 's/^/+/' < "$CG/cgroup.controllers" > "$CG/cgroup.subtree_control" || :
fi
exec "$@"
