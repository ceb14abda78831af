// Command ptyhost runs a program (the learner's shell) on a pseudo-terminal
// that it creates *inside* the sandbox, and relays the terminal over plain
// pipes:
//
//	stdin  -> the terminal's input (keystrokes, Ctrl-C as \x03, ...)
//	stdout <- everything the terminal shows
//	fd 3   <- control lines from the server: "resize COLS ROWS\n"
//
// Why inside: bubblewrap's --new-session detaches the sandbox from every
// terminal outside it (so TIOCSTI cannot type into one). A pty made here,
// from the sandbox's own /dev/pts, gives the shell a controlling terminal
// of its own, so job control and Ctrl-C work while the outside stays cut off.
//
// ptyhost exits with the program's exit status (128+signal when killed).
// When stdin closes (the browser went away) the program gets SIGHUP.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/creack/pty"
)

// drainTimeout bounds how long output is relayed after the program exits.
const drainTimeout = 300 * time.Millisecond

func main() {
	cols := flag.Int("cols", 80, "initial terminal width")
	rows := flag.Int("rows", 24, "initial terminal height")
	flag.Parse()
	argv := flag.Args()
	if len(argv) == 0 {
		argv = []string{"/bin/bash", "-i"}
	}
	os.Exit(run(argv, uint16(*cols), uint16(*rows)))
}

func run(argv []string, cols, rows uint16) int {
	// Which of fds 3 and 4 the server gave us must be decided before anything
	// else: the Go runtime opens files of its own at start-up (cgroup CPU
	// limits) on the lowest free descriptors, so "fd 4 is open" alone could be
	// the runtime's file, handed to the program as its event channel.
	hasControl, hasEvents := inherited(3), inherited(4)
	// Neither reaches the program as it is: the control pipe is ptyhost's own,
	// and the event channel is handed over as the program's fd 3 below.
	for fd, given := range map[int]bool{3: hasControl, 4: hasEvents} {
		if given {
			syscall.CloseOnExec(fd)
		}
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	// fd 4, when the server gave one, is the lab's event channel for go commands
	// typed in the shell (see gowrap): the shell gets it as its fd 3.
	if hasEvents {
		cmd.ExtraFiles = []*os.File{os.NewFile(4, "lab-events")}
	}
	// pty.StartWithSize makes the child a session leader with the pty as its
	// controlling terminal (Setsid + Setctty).
	master, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: cols, Rows: rows})
	if err != nil {
		fmt.Fprintf(os.Stderr, "ptyhost: cannot start %s: %v\n", argv[0], err)
		return 127
	}

	// Keystrokes in. EOF means the client is gone: hang up like a terminal would.
	go func() {
		io.Copy(master, os.Stdin)
		if cmd.Process != nil {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGHUP)
			cmd.Process.Signal(syscall.SIGHUP)
		}
	}()

	// Resizes from the control descriptor, if the server gave us one.
	if hasControl {
		go readControl(os.NewFile(3, "control"), master)
	}

	// Screen out, until every holder of the terminal's other end has closed it.
	outputDone := make(chan struct{})
	go func() {
		io.Copy(os.Stdout, master)
		close(outputDone)
	}()

	waitErr := cmd.Wait()
	// Drain what the program wrote last; a background job that still holds
	// the terminal must not keep us (and the sandbox) alive.
	select {
	case <-outputDone:
	case <-time.After(drainTimeout):
	}
	return exitStatus(cmd, waitErr)
}

// inherited reports whether fd is open and came from the parent: a descriptor
// that survived exec has no close-on-exec flag, while every file Go opens
// itself (the runtime's included) has it.
func inherited(fd int) bool {
	flags, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFD, 0)
	return errno == 0 && flags&syscall.FD_CLOEXEC == 0
}

func readControl(control *os.File, master *os.File) {
	scanner := bufio.NewScanner(control)
	for scanner.Scan() {
		fields := strings.Fields(scanner.Text())
		if len(fields) == 3 && fields[0] == "resize" {
			c, err1 := strconv.ParseUint(fields[1], 10, 16)
			r, err2 := strconv.ParseUint(fields[2], 10, 16)
			if err1 == nil && err2 == nil && c > 0 && r > 0 {
				pty.Setsize(master, &pty.Winsize{Cols: uint16(c), Rows: uint16(r)})
			}
		}
	}
}

func exitStatus(cmd *exec.Cmd, err error) int {
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return 127
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return cmd.ProcessState.ExitCode()
}
