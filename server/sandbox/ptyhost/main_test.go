// Tests of ptyhost as the sandbox runs it: a real process with stdin/stdout
// pipes, the control descriptor on fd 3 and the event channel on fd 4. They
// pin what the terminal relies on: the initial and resized window size, the
// exit status (128+signal when killed), SIGHUP when the client goes away, a
// bounded drain when a background job keeps the terminal open, and that the
// program sees fd 4 as its fd 3 and never ptyhost's control descriptor.
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// asPtyhost makes the test binary run main() instead of the tests: the
// tests start it as a child, the way the sandbox starts the real binary.
const asPtyhost = "PTYHOST_TEST_RUN_MAIN"

// waitLimit bounds every wait for the child; a hang fails with what was seen.
const waitLimit = 20 * time.Second

func TestMain(m *testing.M) {
	if os.Getenv(asPtyhost) == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// host is one running ptyhost child.
type host struct {
	t       *testing.T
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	control *os.File // our end of its fd 3, when asked for
	events  *os.File // our end of its fd 4, when asked for
	mu      sync.Mutex
	out     bytes.Buffer
	changed chan struct{}
	exited  chan struct{}
	status  int
}

type hostOptions struct {
	control, events bool
	flags           []string
}

func start(t *testing.T, opts hostOptions, argv ...string) *host {
	t.Helper()
	args := append(append([]string{}, opts.flags...), "--")
	cmd := exec.Command(os.Args[0], append(args, argv...)...)
	cmd.Env = append(os.Environ(), asPtyhost+"=1")
	h := &host{t: t, cmd: cmd, changed: make(chan struct{}, 1), exited: make(chan struct{})}
	var err error
	if h.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	// ExtraFiles[i] becomes fd 3+i; a nil entry leaves that descriptor closed.
	var theirs []*os.File
	extra := make([]*os.File, 2)
	if opts.control {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		extra[0], h.control = r, w
		theirs = append(theirs, r)
	}
	if opts.events {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		extra[1], h.events = w, r
		theirs = append(theirs, w)
	}
	if opts.events {
		cmd.ExtraFiles = extra
	} else if opts.control {
		cmd.ExtraFiles = extra[:1]
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for _, f := range theirs {
		f.Close()
	}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := stdout.Read(buf)
			h.mu.Lock()
			h.out.Write(buf[:n])
			h.mu.Unlock()
			select {
			case h.changed <- struct{}{}:
			default:
			}
			if err != nil {
				return
			}
		}
	}()
	go func() {
		err := cmd.Wait()
		h.status = cmd.ProcessState.ExitCode()
		if err != nil && h.status < 0 {
			h.status = -1
		}
		close(h.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-h.exited:
		default:
			cmd.Process.Kill()
			<-h.exited
		}
		if h.control != nil {
			h.control.Close()
		}
		if h.events != nil {
			h.events.Close()
		}
	})
	return h
}

func (h *host) output() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.out.String()
}

// waitOutput waits until the terminal output matches re, and returns the match.
func (h *host) waitOutput(re *regexp.Regexp) []string {
	h.t.Helper()
	deadline := time.After(waitLimit)
	for {
		if m := re.FindStringSubmatch(h.output()); m != nil {
			return m
		}
		select {
		case <-h.changed:
		case <-h.exited:
			if m := re.FindStringSubmatch(h.output()); m != nil {
				return m
			}
			h.t.Fatalf("ptyhost exited (status %d) before its output matched %s; output: %q", h.status, re, h.output())
		case <-deadline:
			h.t.Fatalf("output did not match %s within %s; output: %q", re, waitLimit, h.output())
		}
	}
}

// wait waits for ptyhost to exit and returns its exit status.
func (h *host) wait() int {
	h.t.Helper()
	select {
	case <-h.exited:
		return h.status
	case <-time.After(waitLimit):
		h.t.Fatalf("ptyhost did not exit within %s; output: %q", waitLimit, h.output())
		return 0
	}
}

func TestExitStatus(t *testing.T) {
	cases := []struct {
		name   string
		argv   []string
		status int
	}{
		{"success", []string{"/bin/sh", "-c", "exit 0"}, 0},
		{"the program's own status", []string{"/bin/sh", "-c", "exit 7"}, 7},
		{"killed by a signal: 128+signal", []string{"/bin/sh", "-c", "kill -KILL $$"}, 128 + int(syscall.SIGKILL)},
		{"terminated: 128+SIGTERM", []string{"/bin/sh", "-c", "kill -TERM $$"}, 128 + int(syscall.SIGTERM)},
		{"a program that cannot start: 127", []string{"/nonexistent/program"}, 127},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := start(t, hostOptions{}, c.argv...)
			if got := h.wait(); got != c.status {
				t.Fatalf("exit status %d, want %d; output: %q", got, c.status, h.output())
			}
		})
	}
}

func TestOutputAndInputGoThroughTheTerminal(t *testing.T) {
	// The program's stdin, stdout and stderr are the terminal: it says so, and
	// a line typed in (echoed by the terminal) comes back.
	h := start(t, hostOptions{}, "/bin/sh", "-c",
		`[ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo "all a tty"; read line; echo "got:$line"`)
	h.waitOutput(regexp.MustCompile(`all a tty`))
	io.WriteString(h.stdin, "hello\n")
	h.waitOutput(regexp.MustCompile(`got:hello`))
	if got := h.wait(); got != 0 {
		t.Fatalf("exit status %d; output: %q", got, h.output())
	}
}

func TestInitialWindowSize(t *testing.T) {
	h := start(t, hostOptions{flags: []string{"-cols", "133", "-rows", "41"}}, "stty", "size")
	h.waitOutput(regexp.MustCompile(`41 133`))
	if got := h.wait(); got != 0 {
		t.Fatalf("exit status %d; output: %q", got, h.output())
	}
}

func TestDefaultWindowSize(t *testing.T) {
	h := start(t, hostOptions{}, "stty", "size")
	h.waitOutput(regexp.MustCompile(`24 80`))
}

func TestResizeOverControlDescriptor(t *testing.T) {
	// The program reports the size on the first SIGWINCH and exits; lines that
	// are not a valid resize must change nothing (else the first report would
	// show their size).
	h := start(t, hostOptions{control: true}, "/bin/sh", "-c",
		`trap 'stty size; exit 0' WINCH; echo ready; while :; do sleep 0.05; done`)
	h.waitOutput(regexp.MustCompile(`ready`))
	for _, line := range []string{
		"resize 0 0",
		"resize 100",
		"resize abc 10",
		"resize 70000 10", // does not fit the 16 bits of a winsize
		"resize -5 10",
		"size 90 30",
		"resize 132 43",
	} {
		fmt.Fprintln(h.control, line)
	}
	m := h.waitOutput(regexp.MustCompile(`(?m)^(\d+) (\d+)\r?$`))
	if rows, _ := strconv.Atoi(m[1]); rows != 43 {
		t.Fatalf("rows %d after resize 132 43; output: %q", rows, h.output())
	}
	if cols, _ := strconv.Atoi(m[2]); cols != 132 {
		t.Fatalf("cols %d after resize 132 43; output: %q", cols, h.output())
	}
	if got := h.wait(); got != 0 {
		t.Fatalf("exit status %d; output: %q", got, h.output())
	}
}

func TestClientGoneHangsUp(t *testing.T) {
	// stdin closing is the browser going away: the program gets SIGHUP, as
	// when a terminal is closed, and ptyhost reports it.
	h := start(t, hostOptions{}, "/bin/sh", "-c", `echo ready; while :; do sleep 0.05; done`)
	h.waitOutput(regexp.MustCompile(`ready`))
	h.stdin.Close()
	if got, want := h.wait(), 128+int(syscall.SIGHUP); got != want {
		t.Fatalf("exit status %d, want %d (SIGHUP); output: %q", got, want, h.output())
	}
}

func TestBackgroundJobHoldingTheTerminalDoesNotKeepItAlive(t *testing.T) {
	// A job that ignores SIGHUP keeps the terminal open after the program
	// exited: ptyhost still exits, after relaying what the program wrote.
	h := start(t, hostOptions{}, "/bin/sh", "-c", `(trap '' HUP; exec sleep 60) & echo "bg $!"; echo bye`)
	m := h.waitOutput(regexp.MustCompile(`bg (\d+)`))
	if pid, err := strconv.Atoi(m[1]); err == nil {
		t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	}
	if got := h.wait(); got != 0 {
		t.Fatalf("exit status %d; output: %q", got, h.output())
	}
	if !regexp.MustCompile(`bye`).MatchString(h.output()) {
		t.Fatalf("the last output was not relayed: %q", h.output())
	}
}

// fdProbe prints, for the program's fds 3, 4 and 5, whether each is open.
const fdProbe = `for fd in 3 4 5; do if (: >&$fd) 2>/dev/null; then echo "fd$fd=open"; else echo "fd$fd=closed"; fi; done`

func TestEventChannelBecomesTheProgramsFd3(t *testing.T) {
	h := start(t, hostOptions{control: true, events: true}, "/bin/sh", "-c",
		`echo "event from the shell" >&3; `+fdProbe)
	line, err := bufio.NewReader(h.events).ReadString('\n')
	if err != nil || line != "event from the shell\n" {
		t.Fatalf("event channel read %q, %v", line, err)
	}
	h.waitOutput(regexp.MustCompile(`fd5=\w+`))
	out := h.output()
	for _, want := range []string{"fd3=open", "fd4=closed", "fd5=closed"} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Fatalf("want %s in the program's descriptors; output: %q", want, out)
		}
	}
	if got := h.wait(); got != 0 {
		t.Fatalf("exit status %d; output: %q", got, out)
	}
}

func TestControlDescriptorIsNotThePrograms(t *testing.T) {
	// Without an event channel, the program has no fd 3 at all: ptyhost's
	// control descriptor (the server's resize lines) never reaches it.
	h := start(t, hostOptions{control: true}, "/bin/sh", "-c", fdProbe)
	h.waitOutput(regexp.MustCompile(`fd5=\w+`))
	out := h.output()
	for _, want := range []string{"fd3=closed", "fd4=closed", "fd5=closed"} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Fatalf("want %s in the program's descriptors; output: %q", want, out)
		}
	}
}

func TestNoDescriptorsGivenNoneReachTheProgram(t *testing.T) {
	// Without fds 3 and 4 from the server, the Go runtime's own start-up files
	// sit there: they are not the control pipe nor the event channel.
	h := start(t, hostOptions{}, "/bin/sh", "-c", fdProbe)
	h.waitOutput(regexp.MustCompile(`fd5=\w+`))
	out := h.output()
	for _, want := range []string{"fd3=closed", "fd4=closed", "fd5=closed"} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Fatalf("want %s in the program's descriptors; output: %q", want, out)
		}
	}
}
