#!/bin/sh
# lab-program PROGRAM [ARGS...] (installed in the sandbox as /opt/lab/bin/lab-program)
#
# Runs a learner's program under the program limits: `go run` starts the
# program through it because the lab's go wrapper adds -exec=/opt/lab/bin/lab-program
# (announced to the learner with the other added flags). It moves itself into
# the program's cgroup, whose cgroup.procs files the sandbox binds at
# /run/lab/program/<controller>.procs (server/sandbox/cgroup.ts), then becomes
# the program: same pid, descriptors, arguments and exit status.
for f in /run/lab/program/*.procs; do
	[ -e "$f" ] || continue
	if ! echo $$ >"$f"; then
		echo "lab-program: could not put the program under its limits ($f)" >&2
		exit 125
	fi
done
exec "$@"
