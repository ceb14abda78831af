//go:build linux && amd64

package main

import (
	"encoding/binary"
	"fmt"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// Offsets into struct seccomp_data (include/uapi/linux/seccomp.h):
// int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6].
// x86_64 is little-endian, so the low half of args[i] comes first.
const (
	offNr   = 0
	offArch = 4
	offArgs = 16
)

func argLo(i int) uint32 { return uint32(offArgs + 8*i) }

const (
	x32SyscallBit = 0x40000000 // __X32_SYSCALL_BIT
	bpfMaxInsns   = 4096       // BPF_MAXINSNS, the kernel's limit for one filter
)

func retErrno(e unix.Errno) bpf.Instruction {
	return bpf.RetConstant{Val: unix.SECCOMP_RET_ERRNO | (uint32(e) & unix.SECCOMP_RET_DATA)}
}

// Compile turns the rules into a classic BPF program for seccomp.
//
// Layout:
//
//	A = arch;  if A != AUDIT_ARCH_X86_64: KILL_PROCESS
//	A = nr;    if A >= 0x40000000 (x32 or garbage): ERRNO(ENOSYS)
//	rule blocks, each leaving A == nr on its fall-through path
//	ALLOW
func Compile(rules []Rule) ([]bpf.Instruction, error) {
	prog := []bpf.Instruction{
		bpf.LoadAbsolute{Off: offArch, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: unix.AUDIT_ARCH_X86_64, SkipTrue: 1},
		bpf.RetConstant{Val: unix.SECCOMP_RET_KILL_PROCESS},
		bpf.LoadAbsolute{Off: offNr, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpGreaterOrEqual, Val: x32SyscallBit, SkipFalse: 1},
		retErrno(unix.ENOSYS),
	}
	seen := map[string]bool{}
	for _, r := range rules {
		if seen[r.Name] {
			return nil, fmt.Errorf("rule %s: listed twice", r.Name)
		}
		seen[r.Name] = true
		if r.Nr >= x32SyscallBit {
			return nil, fmt.Errorf("rule %s: bad syscall number %d", r.Name, r.Nr)
		}
		if r.Errno == 0 || uint32(r.Errno) > unix.SECCOMP_RET_DATA {
			return nil, fmt.Errorf("rule %s: bad errno %d", r.Name, r.Errno)
		}
		if r.Reason == "" {
			return nil, fmt.Errorf("rule %s: no reason given", r.Name)
		}
		block, err := compileRule(r)
		if err != nil {
			return nil, fmt.Errorf("rule %s: %w", r.Name, err)
		}
		prog = append(prog, block...)
	}
	prog = append(prog, bpf.RetConstant{Val: unix.SECCOMP_RET_ALLOW})
	if len(prog) > bpfMaxInsns {
		return nil, fmt.Errorf("program too long: %d instructions", len(prog))
	}
	return prog, nil
}

// compileRule emits one block. On entry A == nr; every path that leaves the
// block without returning leaves A == nr again.
func compileRule(r Rule) ([]bpf.Instruction, error) {
	if r.Match == Always {
		return []bpf.Instruction{
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: r.Nr, SkipFalse: 1},
			retErrno(r.Errno),
		}, nil
	}
	if r.Arg < 0 || r.Arg > 5 {
		return nil, fmt.Errorf("argument index %d out of range", r.Arg)
	}
	if len(r.Values) == 0 || len(r.Values) > 200 {
		return nil, fmt.Errorf("needs 1..200 values, has %d", len(r.Values))
	}
	// body runs with A = low half of the argument; it must end in two
	// instructions: [deny: RET errno] [pass: A = nr].
	var body []bpf.Instruction
	switch r.Match {
	case LowBitsAny:
		if len(r.Values) != 1 {
			return nil, fmt.Errorf("LowBitsAny takes one mask")
		}
		// jset mask -> deny, else -> pass
		body = []bpf.Instruction{bpf.JumpIf{Cond: bpf.JumpBitsSet, Val: r.Values[0], SkipFalse: 1}}
	case LowIn:
		// jeq v_i -> deny; after the last, -> pass
		n := len(r.Values)
		for i, v := range r.Values {
			toDeny := uint8(n - 1 - i)
			if i == n-1 {
				body = append(body, bpf.JumpIf{Cond: bpf.JumpEqual, Val: v, SkipTrue: toDeny, SkipFalse: 1})
			} else {
				body = append(body, bpf.JumpIf{Cond: bpf.JumpEqual, Val: v, SkipTrue: toDeny})
			}
		}
	case LowNotIn:
		// jeq v_i -> pass; after the last, fall into deny
		n := len(r.Values)
		for i, v := range r.Values {
			body = append(body, bpf.JumpIf{Cond: bpf.JumpEqual, Val: v, SkipTrue: uint8(n - i)})
		}
	default:
		return nil, fmt.Errorf("unknown match %d", r.Match)
	}
	tail := []bpf.Instruction{
		retErrno(r.Errno),
		bpf.LoadAbsolute{Off: offNr, Size: 4},
	}
	head := []bpf.Instruction{
		// not this syscall: skip the whole block, A is still nr
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: r.Nr, SkipFalse: uint8(1 + len(body) + len(tail))},
		bpf.LoadAbsolute{Off: argLo(r.Arg), Size: 4},
	}
	out := append(head, body...)
	return append(out, tail...), nil
}

// Encode serialises the program as the array of struct sock_filter
// { __u16 code; __u8 jt; __u8 jf; __u32 k; } that bwrap's --seccomp reads.
func Encode(prog []bpf.Instruction) ([]byte, error) {
	raw, err := bpf.Assemble(prog)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, 8*len(raw))
	for _, ins := range raw {
		out = binary.LittleEndian.AppendUint16(out, ins.Op)
		out = append(out, ins.Jt, ins.Jf)
		out = binary.LittleEndian.AppendUint32(out, ins.K)
	}
	return out, nil
}
