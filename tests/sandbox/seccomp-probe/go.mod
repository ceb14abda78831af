module gobuildlab/tests/sandbox/seccomp-probe

go 1.26.0

require golang.org/x/sys v0.49.0
