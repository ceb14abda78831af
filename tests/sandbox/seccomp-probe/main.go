//go:build linux && amd64

// Command seccomp-probe is test material for tests/sandbox/seccomp.test.ts.
// Run inside the sandbox, it tries system calls that the lab's seccomp
// filter denies (and a few it must allow) with arguments that are harmless
// even when a call goes through, and prints one JSON object per attempt:
//
//	{"case":"mount","rule":"mount","ret":-1,"errno":1}
//
// "rule" names the policy rule the case exercises ("" for allowed calls).
// Mode "int80" makes one i386 system call and is run as a child of the
// main mode, which reports how that child ended.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

func int80(nr uint32) uint32

type result struct {
	Case   string `json:"case"`
	Rule   string `json:"rule"`
	Ret    int64  `json:"ret"`
	Errno  int    `json:"errno"`
	Detail string `json:"detail,omitempty"`
}

var out = json.NewEncoder(os.Stdout)

func report(name, rule string, r1 uintptr, e syscall.Errno) {
	ret := int64(r1)
	if e != 0 {
		ret = -1
	}
	out.Encode(result{Case: name, Rule: rule, Ret: ret, Errno: int(e)})
}

func sys(nr uintptr, a ...uintptr) (uintptr, syscall.Errno) {
	var args [6]uintptr
	copy(args[:], a)
	r1, _, e := unix.Syscall6(nr, args[0], args[1], args[2], args[3], args[4], args[5])
	return r1, e
}

// try makes the call and closes a file descriptor it may have returned.
func try(name, rule string, returnsFd bool, nr uintptr, a ...uintptr) {
	r1, e := sys(nr, a...)
	if e == 0 && returnsFd {
		unix.Close(int(r1))
	}
	report(name, rule, r1, e)
}

func cstr(s string) uintptr {
	p, err := unix.BytePtrFromString(s)
	if err != nil {
		panic(err)
	}
	return uintptr(unsafe.Pointer(p))
}

// rawClone forks with the given flags; a child that comes into being exits
// at once and is reaped.
func rawClone(name, rule string, flags uint64) {
	r1, _, e := unix.RawSyscall6(unix.SYS_CLONE, uintptr(flags), 0, 0, 0, 0, 0)
	if e == 0 && r1 == 0 {
		unix.RawSyscall(unix.SYS_EXIT_GROUP, 0, 0, 0)
	}
	if e == 0 {
		var ws unix.WaitStatus
		unix.Wait4(int(r1), &ws, 0, nil)
	}
	report(name, rule, r1, e)
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "int80" {
		const i386Getpid = 20
		fmt.Printf("int80 returned %d\n", int32(int80(i386Getpid)))
		return
	}
	runtime.LockOSThread() // keep unshare(CLONE_FS) etc. on one thread

	devnull, err := unix.Open("/dev/null", unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		panic(err)
	}
	pid := uintptr(os.Getpid())
	var word, word2 uint64 = 0x1122334455667788, 0
	local := unix.Iovec{Base: (*byte)(unsafe.Pointer(&word2)), Len: 8}
	remote := unix.Iovec{Base: (*byte)(unsafe.Pointer(&word)), Len: 8}
	var timex unix.Timex // Modes == 0: read-only
	var uringParams [120]byte
	ch := byte('x')
	const atFdcwd = uintptr(0xffffffffffffff9c) // AT_FDCWD (-100)
	const minus1 = ^uintptr(0)
	const keyProcRing = uintptr(0xfffffffe) // KEY_SPEC_PROCESS_KEYRING (-2) as a 32-bit key_serial_t

	// Processes.
	try("ptrace", "ptrace", false, unix.SYS_PTRACE, unix.PTRACE_PEEKDATA, uintptr(os.Getppid()), 0, 0)
	try("process_vm_readv", "process_vm_readv", false, unix.SYS_PROCESS_VM_READV, pid, uintptr(unsafe.Pointer(&local)), 1, uintptr(unsafe.Pointer(&remote)), 1, 0)
	try("process_vm_writev", "process_vm_writev", false, unix.SYS_PROCESS_VM_WRITEV, pid, uintptr(unsafe.Pointer(&local)), 1, uintptr(unsafe.Pointer(&remote)), 1, 0)
	try("pidfd_getfd", "pidfd_getfd", true, unix.SYS_PIDFD_GETFD, minus1, 0, 0)
	try("process_madvise", "process_madvise", false, unix.SYS_PROCESS_MADVISE, minus1, 0, 0, 0, 0)
	try("kcmp", "kcmp", false, unix.SYS_KCMP, pid, pid, 0 /* KCMP_FILE */, 0, 0)

	// Kernel surface.
	try("bpf", "bpf", true, unix.SYS_BPF, 0 /* BPF_MAP_CREATE */, 0, 0)
	try("perf_event_open", "perf_event_open", true, unix.SYS_PERF_EVENT_OPEN, 0, 0, minus1, minus1, 0)
	try("userfaultfd", "userfaultfd", true, unix.SYS_USERFAULTFD, unix.O_CLOEXEC|1 /* UFFD_USER_MODE_ONLY */)
	try("io_uring_setup", "io_uring_setup", true, unix.SYS_IO_URING_SETUP, 1, uintptr(unsafe.Pointer(&uringParams)))
	try("io_uring_enter", "io_uring_enter", false, unix.SYS_IO_URING_ENTER, minus1, 0, 0, 0, 0, 0)
	try("io_uring_register", "io_uring_register", false, unix.SYS_IO_URING_REGISTER, minus1, 0, 0, 0)
	try("keyctl", "keyctl", false, unix.SYS_KEYCTL, unix.KEYCTL_GET_KEYRING_ID, keyProcRing, 0)
	try("add_key", "add_key", false, unix.SYS_ADD_KEY, cstr("user"), cstr("gobuildlab-probe"), cstr("x"), 1, keyProcRing)
	try("request_key", "request_key", false, unix.SYS_REQUEST_KEY, cstr("user"), cstr("gobuildlab-probe-none"), 0, 0)
	try("fanotify_init", "fanotify_init", true, unix.SYS_FANOTIFY_INIT, 0, 0)
	try("open_by_handle_at", "open_by_handle_at", true, unix.SYS_OPEN_BY_HANDLE_AT, minus1, 0, 0)

	// Mounts and namespaces.
	try("mount", "mount", false, unix.SYS_MOUNT, cstr("none"), cstr("/tmp"), cstr("tmpfs"), 0, 0)
	try("umount2", "umount2", false, unix.SYS_UMOUNT2, cstr("/tmp"), 0)
	try("pivot_root", "pivot_root", false, unix.SYS_PIVOT_ROOT, cstr("/nonexistent"), cstr("/nonexistent"))
	try("chroot", "chroot", false, unix.SYS_CHROOT, cstr("/nonexistent"))
	try("move_mount", "move_mount", false, unix.SYS_MOVE_MOUNT, minus1, cstr(""), minus1, cstr(""), 0)
	try("open_tree", "open_tree", true, unix.SYS_OPEN_TREE, atFdcwd, cstr("/"), unix.O_CLOEXEC)
	try("open_tree_attr", "open_tree_attr", true, unix.SYS_OPEN_TREE_ATTR, atFdcwd, cstr("/"), unix.O_CLOEXEC, 0, 0)
	try("fsopen", "fsopen", true, unix.SYS_FSOPEN, cstr("tmpfs"), 0)
	try("fsconfig", "fsconfig", false, unix.SYS_FSCONFIG, minus1, 0, 0, 0, 0)
	try("fsmount", "fsmount", true, unix.SYS_FSMOUNT, minus1, 0, 0)
	try("fspick", "fspick", true, unix.SYS_FSPICK, atFdcwd, cstr("/"), 0)
	try("mount_setattr", "mount_setattr", false, unix.SYS_MOUNT_SETATTR, minus1, cstr(""), 0, 0, 0)
	try("unshare_fs", "unshare", false, unix.SYS_UNSHARE, unix.CLONE_FS)
	try("unshare_newuser", "unshare", false, unix.SYS_UNSHARE, unix.CLONE_NEWUSER)
	try("unshare_newns", "unshare", false, unix.SYS_UNSHARE, unix.CLONE_NEWNS)
	nsfd, err := unix.Open("/proc/self/ns/uts", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		nsfd = -1
	}
	try("setns", "setns", false, unix.SYS_SETNS, uintptr(nsfd), 0)
	sigchld := uint64(unix.SIGCHLD)
	rawClone("clone_newns", "clone", unix.CLONE_NEWNS|sigchld)
	rawClone("clone_newuts", "clone", unix.CLONE_NEWUTS|sigchld)
	rawClone("clone_newipc", "clone", unix.CLONE_NEWIPC|sigchld)
	rawClone("clone_newuser", "clone", unix.CLONE_NEWUSER|sigchld)
	rawClone("clone_newpid", "clone", unix.CLONE_NEWPID|sigchld)
	rawClone("clone_newnet", "clone", unix.CLONE_NEWNET|sigchld)
	rawClone("clone_newcgroup", "clone", unix.CLONE_NEWCGROUP|sigchld)
	rawClone("clone_newuser_high_bits", "clone", 0xffffffff_00000000|unix.CLONE_NEWUSER|sigchld)
	try("clone3", "clone3", false, unix.SYS_CLONE3, 0, 0)

	// Terminals. /dev/null is no tty: unfiltered, these fail with ENOTTY.
	try("ioctl_tiocsti", "ioctl", false, unix.SYS_IOCTL, uintptr(devnull), unix.TIOCSTI, uintptr(unsafe.Pointer(&ch)))
	try("ioctl_tiocsti_high_bits", "ioctl", false, unix.SYS_IOCTL, uintptr(devnull), 1<<32|unix.TIOCSTI, uintptr(unsafe.Pointer(&ch)))
	try("ioctl_tioclinux", "ioctl", false, unix.SYS_IOCTL, uintptr(devnull), unix.TIOCLINUX, uintptr(unsafe.Pointer(&ch)))

	// The machine.
	try("kexec_load", "kexec_load", false, unix.SYS_KEXEC_LOAD, 0, 0, 0, 0)
	try("kexec_file_load", "kexec_file_load", false, unix.SYS_KEXEC_FILE_LOAD, minus1, minus1, 0, 0, 0)
	try("init_module", "init_module", false, unix.SYS_INIT_MODULE, 0, 0, cstr(""))
	try("finit_module", "finit_module", false, unix.SYS_FINIT_MODULE, minus1, cstr(""), 0)
	try("delete_module", "delete_module", false, unix.SYS_DELETE_MODULE, cstr("gobuildlab_none"), 0)
	try("acct", "acct", false, unix.SYS_ACCT, 0)
	try("swapon", "swapon", false, unix.SYS_SWAPON, cstr("/nonexistent"), 0)
	try("swapoff", "swapoff", false, unix.SYS_SWAPOFF, cstr("/nonexistent"))
	// Correct magic numbers but an invalid command: EINVAL even for root.
	try("reboot", "reboot", false, unix.SYS_REBOOT, unix.LINUX_REBOOT_MAGIC1, unix.LINUX_REBOOT_MAGIC2, 0x12345678, 0)
	try("settimeofday", "settimeofday", false, unix.SYS_SETTIMEOFDAY, 0, 0)
	try("clock_settime", "clock_settime", false, unix.SYS_CLOCK_SETTIME, unix.CLOCK_REALTIME, 0)
	try("adjtimex", "adjtimex", false, unix.SYS_ADJTIMEX, uintptr(unsafe.Pointer(&timex)))
	try("clock_adjtime", "clock_adjtime", false, unix.SYS_CLOCK_ADJTIME, unix.CLOCK_REALTIME, uintptr(unsafe.Pointer(&timex)))
	try("syslog", "syslog", false, unix.SYS_SYSLOG, unix.SYSLOG_ACTION_SIZE_BUFFER, 0, 0)
	try("quotactl", "quotactl", false, unix.SYS_QUOTACTL, 0, 0, 0, 0)
	try("quotactl_fd", "quotactl_fd", false, unix.SYS_QUOTACTL_FD, minus1, 0, 0, 0)
	try("sethostname", "sethostname", false, unix.SYS_SETHOSTNAME, cstr("x"), 1)
	try("setdomainname", "setdomainname", false, unix.SYS_SETDOMAINNAME, cstr("x"), 1)
	try("iopl", "iopl", false, unix.SYS_IOPL, 0)
	try("ioperm", "ioperm", false, unix.SYS_IOPERM, 0x80, 1, 0)
	try("vhangup", "vhangup", false, unix.SYS_VHANGUP)
	try("personality_addr_no_randomize", "personality", false, unix.SYS_PERSONALITY, 0x0040000)
	try("personality_high_bits", "personality", false, unix.SYS_PERSONALITY, 1<<32|0x0400000)
	try("personality_linux32", "personality", false, unix.SYS_PERSONALITY, 0x0008)
	try("x32_getpid", "(x32)", false, 0x40000000|unix.SYS_GETPID)

	// Calls that must stay allowed.
	try("allowed_personality_query", "", false, unix.SYS_PERSONALITY, 0xffffffff)
	try("allowed_personality_linux", "", false, unix.SYS_PERSONALITY, 0)
	try("allowed_ioctl_tcgets", "", false, unix.SYS_IOCTL, uintptr(devnull), unix.TCGETS, uintptr(unsafe.Pointer(&uringParams)))
	try("allowed_getpid", "", false, unix.SYS_GETPID)
	rawClone("allowed_clone_fork", "", sigchld)
	// os/exec: Go's own fork+exec path (clone with CLONE_VM|CLONE_VFORK).
	cmd := exec.Command("/bin/true")
	if err := cmd.Run(); err != nil {
		out.Encode(result{Case: "allowed_exec_true", Ret: -1, Errno: -1, Detail: err.Error()})
	} else {
		report("allowed_exec_true", "", 0, 0)
	}

	// i386 entry point, in a child: the filter kills the whole process.
	// No core file: SIGSYS would otherwise dump one into the working dir.
	unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{})
	child := exec.Command("/proc/self/exe", "int80")
	text, err := child.CombinedOutput()
	r := result{Case: "int80", Rule: "(non-native arch)", Detail: string(text)}
	if ws, ok := child.ProcessState.Sys().(syscall.WaitStatus); ok {
		switch {
		case ws.Signaled():
			r.Detail += "signal:" + ws.Signal().String()
			r.Ret = -int64(ws.Signal())
		case ws.Exited():
			r.Ret = int64(ws.ExitStatus())
		}
	} else if err != nil {
		r.Detail += err.Error()
	}
	out.Encode(r)
}
