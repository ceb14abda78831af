#include "textflag.h"

// func int80(nr uint32) uint32
// Makes a system call through the i386 entry point (int $0x80), which
// seccomp sees with arch AUDIT_ARCH_I386.
TEXT ·int80(SB), NOSPLIT, $0-12
	MOVL nr+0(FP), AX
	BYTE $0xCD; BYTE $0x80
	MOVL AX, ret+8(FP)
	RET
