//go:build linux && amd64

package main

import (
	"golang.org/x/sys/unix"
)

// The policy is data: docs/security.md quotes it (run the generator with
// -list to print it as a Markdown table). Everything not listed here is
// allowed; see README.md for why the filter is allow-by-default.
//
// Syscall numbers come from golang.org/x/sys/unix for linux/amd64, which is
// the only architecture the filter admits (see the header in compile.go).

// Match says which calls of a syscall a rule denies.
type Match int

const (
	// Always denies every call.
	Always Match = iota
	// LowBitsAny denies when uint32(arg[Arg]) & Values[0] != 0.
	LowBitsAny
	// LowIn denies when uint32(arg[Arg]) is one of Values.
	LowIn
	// LowNotIn denies when uint32(arg[Arg]) is none of Values.
	LowNotIn
)

// Arguments are compared on their low 32 bits only, on purpose: the kernel
// declares the flags of clone, the cmd of ioctl and the persona of
// personality as 32-bit (unsigned) ints and ignores the upper half of the
// register, so comparing all 64 bits would let a caller slip past a rule by
// setting a high bit (the classic TIOCSTI bypass of 0x1_0000_5412).

// Rule denies (some calls of) one syscall.
type Rule struct {
	Name   string     // syscall name as in the man pages
	Nr     uint32     // x86_64 syscall number
	Match  Match      // which calls
	Arg    int        // argument index for the non-Always matches
	Values []uint32   // see Match
	Errno  unix.Errno // returned to the caller instead of running the call
	Reason string     // one line, quoted by docs/security.md
}

// Namespace flags that clone(2) accepts in its flags word. CLONE_NEWTIME
// (0x80) is not here: in clone(2) the low byte is the exit signal, and a new
// time namespace can only be asked for through clone3 (ENOSYS here) or
// unshare (EPERM here).
const cloneNewMask = unix.CLONE_NEWNS | unix.CLONE_NEWCGROUP | unix.CLONE_NEWUTS |
	unix.CLONE_NEWIPC | unix.CLONE_NEWUSER | unix.CLONE_NEWPID | unix.CLONE_NEWNET

// personality(2) values that stay allowed: PER_LINUX (0) and the query
// 0xffffffff that returns the current persona without changing it.
const (
	perLinux = 0x0
	perQuery = 0xffffffff
)

const (
	ePERM  = unix.EPERM
	eNOSYS = unix.ENOSYS
)

func deny(name string, nr uint32, reason string) Rule {
	return Rule{Name: name, Nr: nr, Match: Always, Errno: ePERM, Reason: reason}
}

// Rules is the deny list, in the order the filter checks it.
var Rules = []Rule{
	// Looking into or controlling other processes.
	deny("ptrace", unix.SYS_PTRACE, "tracing reads and rewrites another process's memory and registers; learners have no debugger here"),
	deny("process_vm_readv", unix.SYS_PROCESS_VM_READV, "reads another process's memory directly"),
	deny("process_vm_writev", unix.SYS_PROCESS_VM_WRITEV, "writes another process's memory directly"),
	deny("pidfd_getfd", unix.SYS_PIDFD_GETFD, "steals an open file descriptor from another process (ptrace-level access)"),
	deny("process_madvise", unix.SYS_PROCESS_MADVISE, "changes another process's memory handling (ptrace-level access)"),
	deny("kcmp", unix.SYS_KCMP, "compares kernel objects of other processes; an information leak with no use here"),

	// Large kernel attack surface that ordinary programs do not need.
	deny("bpf", unix.SYS_BPF, "loads programs into the kernel; a frequent source of kernel exploits"),
	deny("perf_event_open", unix.SYS_PERF_EVENT_OPEN, "kernel profiling interface; leaks kernel addresses and timing, frequent exploit target"),
	deny("userfaultfd", unix.SYS_USERFAULTFD, "lets a program stall the kernel mid-copy, the standard trick to win kernel race conditions"),
	deny("io_uring_setup", unix.SYS_IO_URING_SETUP, "io_uring is a large, often exploited kernel surface and bypasses per-syscall filtering"),
	deny("io_uring_enter", unix.SYS_IO_URING_ENTER, "io_uring: see io_uring_setup"),
	deny("io_uring_register", unix.SYS_IO_URING_REGISTER, "io_uring: see io_uring_setup"),
	deny("keyctl", unix.SYS_KEYCTL, "kernel keyrings are not namespaced; a learner could read or plant keys seen by others of the same uid"),
	deny("add_key", unix.SYS_ADD_KEY, "kernel keyrings: see keyctl"),
	deny("request_key", unix.SYS_REQUEST_KEY, "kernel keyrings: see keyctl; may also start a helper on the host"),
	deny("fanotify_init", unix.SYS_FANOTIFY_INIT, "filesystem-wide event monitoring; no use here (inotify stays allowed)"),
	deny("open_by_handle_at", unix.SYS_OPEN_BY_HANDLE_AT, "opens files by handle, bypassing the path (the 'shocker' container escape)"),

	// Mounts and namespaces: the sandbox's view of the filesystem is fixed by bwrap.
	deny("mount", unix.SYS_MOUNT, "the sandbox's mounts are fixed by bwrap"),
	deny("umount2", unix.SYS_UMOUNT2, "unmounting could uncover what bwrap hid"),
	deny("pivot_root", unix.SYS_PIVOT_ROOT, "changes the root filesystem"),
	deny("chroot", unix.SYS_CHROOT, "changes the root directory; no use here"),
	deny("move_mount", unix.SYS_MOVE_MOUNT, "new mount API: see mount"),
	deny("open_tree", unix.SYS_OPEN_TREE, "new mount API: clones mounts"),
	deny("open_tree_attr", unix.SYS_OPEN_TREE_ATTR, "new mount API: clones mounts and changes their attributes"),
	deny("fsopen", unix.SYS_FSOPEN, "new mount API: creates a filesystem context"),
	deny("fsconfig", unix.SYS_FSCONFIG, "new mount API: configures a filesystem context"),
	deny("fsmount", unix.SYS_FSMOUNT, "new mount API: turns a context into a mount"),
	deny("fspick", unix.SYS_FSPICK, "new mount API: reconfigures an existing mount"),
	deny("mount_setattr", unix.SYS_MOUNT_SETATTR, "new mount API: changes mount flags (e.g. read-only)"),
	deny("unshare", unix.SYS_UNSHARE, "new namespaces open kernel code paths meant for root; bwrap already made the ones the sandbox needs"),
	deny("setns", unix.SYS_SETNS, "joining another namespace could leave the sandbox"),
	{Name: "clone", Nr: unix.SYS_CLONE, Match: LowBitsAny, Arg: 0, Values: []uint32{cloneNewMask}, Errno: ePERM,
		Reason: "only with a CLONE_NEW* flag (new namespaces: see unshare); plain fork and threads stay allowed"},
	{Name: "clone3", Nr: unix.SYS_CLONE3, Match: Always, Errno: eNOSYS,
		Reason: "its flags sit in memory where the filter cannot read them; ENOSYS makes libc and Go fall back to clone"},

	// Terminals.
	{Name: "ioctl", Nr: unix.SYS_IOCTL, Match: LowIn, Arg: 1, Values: []uint32{unix.TIOCSTI, unix.TIOCLINUX}, Errno: ePERM,
		Reason: "only TIOCSTI and TIOCLINUX: they push keystrokes into a terminal's input, i.e. type commands into someone else's shell"},

	// The machine itself.
	deny("kexec_load", unix.SYS_KEXEC_LOAD, "loads a new kernel"),
	deny("kexec_file_load", unix.SYS_KEXEC_FILE_LOAD, "loads a new kernel"),
	deny("init_module", unix.SYS_INIT_MODULE, "loads kernel modules"),
	deny("finit_module", unix.SYS_FINIT_MODULE, "loads kernel modules"),
	deny("delete_module", unix.SYS_DELETE_MODULE, "unloads kernel modules"),
	deny("acct", unix.SYS_ACCT, "switches process accounting on or off for the whole machine"),
	deny("swapon", unix.SYS_SWAPON, "adds swap for the whole machine"),
	deny("swapoff", unix.SYS_SWAPOFF, "removes swap for the whole machine"),
	deny("reboot", unix.SYS_REBOOT, "reboots or halts the machine"),
	deny("settimeofday", unix.SYS_SETTIMEOFDAY, "sets the machine's clock"),
	deny("clock_settime", unix.SYS_CLOCK_SETTIME, "sets the machine's clock"),
	deny("adjtimex", unix.SYS_ADJTIMEX, "tunes the machine's clock"),
	deny("clock_adjtime", unix.SYS_CLOCK_ADJTIME, "tunes the machine's clock"),
	deny("syslog", unix.SYS_SYSLOG, "reads or clears the kernel log, which leaks kernel addresses and other users' activity"),
	deny("quotactl", unix.SYS_QUOTACTL, "disk quota administration"),
	deny("quotactl_fd", unix.SYS_QUOTACTL_FD, "disk quota administration"),
	deny("sethostname", unix.SYS_SETHOSTNAME, "host identity; no use here"),
	deny("setdomainname", unix.SYS_SETDOMAINNAME, "host identity; no use here"),
	deny("iopl", unix.SYS_IOPL, "raw access to I/O ports"),
	deny("ioperm", unix.SYS_IOPERM, "raw access to I/O ports"),
	deny("vhangup", unix.SYS_VHANGUP, "hangs up the current terminal"),
	{Name: "personality", Nr: unix.SYS_PERSONALITY, Match: LowNotIn, Arg: 0, Values: []uint32{perLinux, perQuery}, Errno: ePERM,
		Reason: "anything but the default persona or a query: flags such as ADDR_NO_RANDOMIZE and READ_IMPLIES_EXEC weaken exploit defences"},
}

// Architecture handling, applied before the rules (see compile.go).
const (
	archNote = "any architecture but x86_64 (e.g. i386 through int 0x80): the process is killed, since syscall numbers differ there and would slip past the rules"
	x32Note  = "the x32 ABI (syscall numbers with bit 30 set) fails with ENOSYS, as on a kernel built without x32"
)
