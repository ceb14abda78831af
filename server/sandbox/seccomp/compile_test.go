//go:build linux && amd64

package main

import (
	"encoding/binary"
	"testing"

	"golang.org/x/sys/unix"
)

// run is a small, independent interpreter for the subset of classic BPF the
// generator emits; it reads the encoded bytes, so it also checks Encode.
func run(t *testing.T, filter []byte, nr uint32, arch uint32, args [6]uint64) uint32 {
	t.Helper()
	data := make([]byte, 64)
	binary.LittleEndian.PutUint32(data[0:], nr)
	binary.LittleEndian.PutUint32(data[4:], arch)
	for i, a := range args {
		binary.LittleEndian.PutUint64(data[16+8*i:], a)
	}
	if len(filter)%8 != 0 {
		t.Fatalf("filter length %d is not a multiple of 8", len(filter))
	}
	n := len(filter) / 8
	var acc uint32
	for pc := 0; pc < n; pc++ {
		ins := filter[8*pc:]
		code := binary.LittleEndian.Uint16(ins)
		jt, jf := int(ins[2]), int(ins[3])
		k := binary.LittleEndian.Uint32(ins[4:])
		cond := func(c bool) {
			if c {
				pc += jt
			} else {
				pc += jf
			}
		}
		switch code {
		case 0x20: // BPF_LD|BPF_W|BPF_ABS
			if k%4 != 0 || k+4 > 64 {
				t.Fatalf("pc %d: bad load offset %d", pc, k)
			}
			acc = binary.LittleEndian.Uint32(data[k:])
		case 0x15: // BPF_JMP|BPF_JEQ|BPF_K
			cond(acc == k)
		case 0x25: // BPF_JMP|BPF_JGT|BPF_K
			cond(acc > k)
		case 0x35: // BPF_JMP|BPF_JGE|BPF_K
			cond(acc >= k)
		case 0x45: // BPF_JMP|BPF_JSET|BPF_K
			cond(acc&k != 0)
		case 0x06: // BPF_RET|BPF_K
			return k
		default:
			t.Fatalf("pc %d: unexpected opcode %#x", pc, code)
		}
	}
	t.Fatalf("fell off the end of the program")
	return 0
}

func filterBytes(t *testing.T) []byte {
	prog, err := Compile(Rules)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Encode(prog)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const (
	allow = unix.SECCOMP_RET_ALLOW
	kill  = unix.SECCOMP_RET_KILL_PROCESS
	eperm = unix.SECCOMP_RET_ERRNO | uint32(unix.EPERM)
	enosy = unix.SECCOMP_RET_ERRNO | uint32(unix.ENOSYS)
)

func TestEveryRuleDenies(t *testing.T) {
	f := filterBytes(t)
	for _, r := range Rules {
		var args [6]uint64
		switch r.Match {
		case LowBitsAny:
			args[r.Arg] = uint64(r.Values[0] & -r.Values[0]) // lowest bit of the mask
		case LowIn:
			args[r.Arg] = uint64(r.Values[len(r.Values)-1])
		case LowNotIn:
			args[r.Arg] = 0x40000 // ADDR_NO_RANDOMIZE
		}
		want := unix.SECCOMP_RET_ERRNO | uint32(r.Errno)
		if got := run(t, f, r.Nr, unix.AUDIT_ARCH_X86_64, args); got != want {
			t.Errorf("%s(%#x): got %#x, want %#x", r.Name, args, got, want)
		}
	}
}

func TestCases(t *testing.T) {
	f := filterBytes(t)
	x86 := uint32(unix.AUDIT_ARCH_X86_64)
	cases := []struct {
		name string
		nr   uint32
		arch uint32
		args [6]uint64
		want uint32
	}{
		{"read", unix.SYS_READ, x86, [6]uint64{}, allow},
		{"getpid", unix.SYS_GETPID, x86, [6]uint64{}, allow},
		{"i386 getpid", 20, unix.AUDIT_ARCH_I386, [6]uint64{}, kill},
		{"i386 nr that is ptrace on x86_64", unix.SYS_PTRACE, unix.AUDIT_ARCH_I386, [6]uint64{}, kill},
		{"x32 getpid", x32SyscallBit | unix.SYS_GETPID, x86, [6]uint64{}, enosy},
		{"syscall(-1)", 0xffffffff, x86, [6]uint64{}, enosy},
		{"go runtime thread clone", unix.SYS_CLONE, x86, [6]uint64{unix.CLONE_VM | unix.CLONE_FS | unix.CLONE_FILES | unix.CLONE_SIGHAND | unix.CLONE_SYSVSEM | unix.CLONE_THREAD}, allow},
		{"fork-like clone", unix.SYS_CLONE, x86, [6]uint64{uint64(unix.SIGCHLD)}, allow},
		{"vfork-like clone with pidfd", unix.SYS_CLONE, x86, [6]uint64{unix.CLONE_VM | unix.CLONE_VFORK | unix.CLONE_PIDFD | uint64(unix.SIGCHLD)}, allow},
		{"clone NEWUSER", unix.SYS_CLONE, x86, [6]uint64{unix.CLONE_NEWUSER | uint64(unix.SIGCHLD)}, eperm},
		{"clone NEWNET", unix.SYS_CLONE, x86, [6]uint64{unix.CLONE_NEWNET}, eperm},
		{"clone NEWNS", unix.SYS_CLONE, x86, [6]uint64{unix.CLONE_NEWNS}, eperm},
		{"clone NEWCGROUP", unix.SYS_CLONE, x86, [6]uint64{unix.CLONE_NEWCGROUP}, eperm},
		{"clone NEWPID high bits set", unix.SYS_CLONE, x86, [6]uint64{0xffffffff_00000000 | unix.CLONE_NEWPID}, eperm},
		{"clone3", unix.SYS_CLONE3, x86, [6]uint64{}, enosy},
		{"ioctl TCGETS", unix.SYS_IOCTL, x86, [6]uint64{0, unix.TCGETS}, allow},
		{"ioctl TIOCSTI", unix.SYS_IOCTL, x86, [6]uint64{0, unix.TIOCSTI}, eperm},
		{"ioctl TIOCSTI high bits", unix.SYS_IOCTL, x86, [6]uint64{0, 1<<32 | unix.TIOCSTI}, eperm},
		{"ioctl TIOCLINUX", unix.SYS_IOCTL, x86, [6]uint64{0, unix.TIOCLINUX}, eperm},
		{"ioctl fd equal to TIOCSTI", unix.SYS_IOCTL, x86, [6]uint64{unix.TIOCSTI, unix.TCGETS}, allow},
		{"personality query", unix.SYS_PERSONALITY, x86, [6]uint64{0xffffffff}, allow},
		{"personality PER_LINUX", unix.SYS_PERSONALITY, x86, [6]uint64{0}, allow},
		{"personality ADDR_NO_RANDOMIZE", unix.SYS_PERSONALITY, x86, [6]uint64{0x0040000}, eperm},
		{"personality READ_IMPLIES_EXEC high bits", unix.SYS_PERSONALITY, x86, [6]uint64{1<<32 | 0x0400000}, eperm},
		{"personality PER_LINUX32", unix.SYS_PERSONALITY, x86, [6]uint64{0x0008}, eperm},
		{"unshare", unix.SYS_UNSHARE, x86, [6]uint64{unix.CLONE_FS}, eperm},
		{"seccomp (stacking a stricter filter)", unix.SYS_SECCOMP, x86, [6]uint64{}, allow},
		{"mmap", unix.SYS_MMAP, x86, [6]uint64{}, allow},
		{"execve", unix.SYS_EXECVE, x86, [6]uint64{}, allow},
	}
	for _, c := range cases {
		if got := run(t, f, c.nr, c.arch, c.args); got != c.want {
			t.Errorf("%s: got %#x, want %#x", c.name, got, c.want)
		}
	}
}

// Every syscall number that no rule names is allowed, whatever its arguments.
func TestUnlistedAllowed(t *testing.T) {
	f := filterBytes(t)
	listed := map[uint32]bool{}
	for _, r := range Rules {
		listed[r.Nr] = true
	}
	for nr := uint32(0); nr < 600; nr++ {
		if listed[nr] {
			continue
		}
		args := [6]uint64{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}
		if got := run(t, f, nr, unix.AUDIT_ARCH_X86_64, args); got != allow {
			t.Errorf("nr %d: got %#x, want allow", nr, got)
		}
	}
}

func TestRulesAreDocumented(t *testing.T) {
	for _, r := range Rules {
		if r.Reason == "" || len(r.Reason) > 200 {
			t.Errorf("%s: reason must be one line of at most 200 characters", r.Name)
		}
		for _, c := range r.Reason {
			if c == '\n' || c == '|' {
				t.Errorf("%s: reason breaks the Markdown table", r.Name)
			}
		}
	}
}
