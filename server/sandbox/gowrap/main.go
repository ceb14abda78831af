// Command go (installed in the sandbox as /opt/lab/bin/go, first on PATH) is
// the real go command plus a window into it for the lab's phase view.
//
// For `go build|install|run|test|vet` it adds two of the go command's own
// debugging flags right after the subcommand,
//
//	-debug-trace=/dev/fd/3 -debug-actiongraph=$TMPDIR/lab-actiongraph-<pid>.json
//
// runs the real go command as its child, and relays what the toolchain writes
// there, unchanged, as JSON lines on the descriptor named by $LAB_EVENTS_FD:
//
//	{"cmd":PID,"argv":[...],"added":[...]}      the command as run, and what was added
//	{"cmd":PID,"trace":"<text>"}                the trace, as the go command writes it
//	{"cmd":PID,"graph":<json>,"final":false}    the action graph, before the build
//	{"cmd":PID,"graph":<json>,"final":true}     and at the end, with timings
//	{"cmd":PID,"exit":N,"ts":µs}                its exit status, when (the trace's clock)
//
// For `go run`, when $LAB_PROGRAM_EXEC names the lab's program runner, it
// also adds -exec=$LAB_PROGRAM_EXEC (observed or not), so the program runs
// under the program limits rather than the build's (server/sandbox/lab-program.sh).
// Not for `go test`: any -exec turns off test result caching, which the
// course teaches.
//
// Everything else (other subcommands, no $LAB_EVENTS_FD, or a learner who
// passes one of these flags already) execs the real go command untouched.
// Stdin, stdout, stderr, the exit status and signals are the go command's own.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// flushEvery bounds how long a trace line waits in the wrapper before it is relayed.
const flushEvery = 10 * time.Millisecond

var observed = map[string]bool{"build": true, "install": true, "run": true, "test": true, "vet": true}

func main() {
	realGo := os.Getenv("LAB_REAL_GO")
	if realGo == "" {
		realGo = filepath.Join(os.Getenv("GOROOT_FOR_LAB"), "bin", "go")
	}
	args := os.Args[1:]
	fdText := os.Getenv("LAB_EVENTS_FD")
	fd, err := strconv.Atoi(fdText)
	observing := err == nil && fd >= 3
	p := plan(args, observing, os.Getenv("LAB_PROGRAM_EXEC"))
	if !p.observe {
		execReal(realGo, p.apply(args))
	}
	events := os.NewFile(uintptr(fd), "lab-events")
	// Only this process writes to it: the go command and the learner's programs must not inherit it.
	syscall.CloseOnExec(fd)
	os.Exit(observe(realGo, args, p, events))
}

// valueFlags are the build flags (go help build, and -exec) that take a separate value.
var valueFlags = map[string]bool{
	"C": true, "o": true, "p": true, "asmflags": true, "buildmode": true, "compiler": true, "gccgoflags": true,
	"gcflags": true, "installsuffix": true, "ldflags": true, "mod": true, "modfile": true, "overlay": true,
	"pgo": true, "pkgdir": true, "tags": true, "toolexec": true, "exec": true, "coverpkg": true, "covermode": true,
	"debug-actiongraph": true, "debug-runtime-trace": true, "debug-trace": true, "vettool": true,
}

// additions are the flags the wrapper adds to a go command, at one place.
type additions struct {
	flags []string
	at    int
	// observe: the first two flags are the debug flags, and the wrapper relays them.
	observe bool
}

func (a additions) apply(args []string) []string {
	if len(a.flags) == 0 {
		return args
	}
	return append(append(append([]string{}, args[:a.at]...), a.flags...), args[a.at:]...)
}

// plan says which flags to add and where: right after the subcommand (after a
// leading -C dir, which must stay first), so they can never land among the
// packages, after --, or among the program's own arguments of go run.
// Observation (when observing is set) is for build, install, run, test and
// vet, unless the learner passes -debug-trace or -debug-actiongraph
// themselves (adding ours would override theirs: the last one wins). The
// program runner is for go run, unless the learner passes -exec.
func plan(args []string, observing bool, programExec string) additions {
	if len(args) == 0 || !observed[args[0]] {
		return additions{}
	}
	at := 1
	if len(args) > 1 && (args[1] == "-C" || args[1] == "--C") {
		at = 3
	} else if len(args) > 1 && (strings.HasPrefix(args[1], "-C=") || strings.HasPrefix(args[1], "--C=")) {
		at = 2
	}
	if at > len(args) {
		return additions{}
	}
	// For go run, what follows the package is the program's: only the go flags count.
	flagsOnly := args[0] == "run"
	var hasDebug, hasExec bool
	for i := 1; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if flagsOnly && (!strings.HasPrefix(a, "-") || a == "-") {
			break
		}
		bare := strings.TrimLeft(a, "-")
		name, _, hasValue := strings.Cut(bare, "=")
		hasDebug = hasDebug || name == "debug-trace" || name == "debug-actiongraph"
		hasExec = hasExec || name == "exec"
		if flagsOnly && !hasValue && valueFlags[name] {
			i++ // skip the flag's value
		}
	}
	p := additions{at: at}
	if observing && !hasDebug {
		p.observe = true
		p.flags = append(p.flags, "-debug-trace=/dev/fd/3", "-debug-actiongraph="+graphPath())
	}
	if args[0] == "run" && programExec != "" && !hasExec {
		p.flags = append(p.flags, "-exec="+programExec)
	}
	return p
}

func graphPath() string {
	dir := os.Getenv("TMPDIR")
	if dir == "" {
		dir = "/tmp"
	}
	return filepath.Join(dir, fmt.Sprintf("lab-actiongraph-%d.json", os.Getpid()))
}

func execReal(realGo string, args []string) {
	err := syscall.Exec(realGo, append([]string{"go"}, args...), os.Environ())
	fmt.Fprintf(os.Stderr, "go (lab wrapper): cannot run %s: %v\n", realGo, err)
	os.Exit(127)
}

type relay struct {
	mu  sync.Mutex
	out *os.File
	cmd int
}

// send writes one JSON line in a single write, so lines of concurrent go commands do not mix.
func (r *relay) send(fields map[string]any) {
	fields["cmd"] = r.cmd
	line, err := json.Marshal(fields)
	if err != nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.out.Write(append(line, '\n'))
}

func observe(realGo string, args []string, p additions, events *os.File) int {
	full := p.apply(args)
	r := &relay{out: events, cmd: os.Getpid()}
	r.send(map[string]any{"argv": append([]string{"go"}, args...), "added": p.flags})

	traceR, traceW, err := os.Pipe()
	if err != nil { // run it unobserved, with the other additions
		execReal(realGo, additions{flags: p.flags[2:], at: p.at}.apply(args))
	}
	graph := strings.TrimPrefix(p.flags[1], "-debug-actiongraph=")
	defer os.Remove(graph)

	cmd := exec.Command(realGo, full...)
	cmd.Args[0] = "go"
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.ExtraFiles = []*os.File{traceW} // fd 3 of the go command
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "LAB_EVENTS_FD=") { // nested go commands run unobserved
			env = append(env, kv)
		}
	}
	cmd.Env = env
	// Ctrl-C reaches the go command (same process group); the wrapper waits for it.
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "go (lab wrapper): %v\n", err)
		return 127
	}
	traceW.Close()
	go func() {
		for s := range signals {
			if s != syscall.SIGINT && s != syscall.SIGQUIT { // those the terminal sent to the whole group already
				cmd.Process.Signal(s)
			}
		}
	}()

	// Relay the trace in batches (at most every flushEvery), without the lines
	// the lab never uses (see skipped). Batching keeps thousands of tiny writes
	// of the go command from becoming thousands of messages.
	lines := make(chan string, 1024)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(traceR)
		sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	var batch strings.Builder
	var sentPre bool
	flush := func() {
		if batch.Len() > 0 {
			r.send(map[string]any{"trace": batch.String()})
			batch.Reset()
		}
	}
	ticker := time.NewTicker(flushEvery)
	defer ticker.Stop()
	for open := true; open; {
		select {
		case line, ok := <-lines:
			if !ok {
				open = false
				break
			}
			if skipped(line) {
				continue
			}
			// The pre-build graph is written just before the first "exec.Builder.Do" span.
			if !sentPre && strings.Contains(line, "exec.Builder.Do") {
				flush()
				sentPre = sendGraph(r, graph, false)
			}
			batch.WriteString(line)
			if line != "]" { // the go command's closing bracket has no newline; keep it that way
				batch.WriteByte('\n')
			}
			// Actions (compile, link, the program's run) go out at once; the hundreds
			// of package-loading spans ride along in batches.
			if batch.Len() > 64*1024 || strings.Contains(line, "Executing action (") {
				flush()
			}
		case <-ticker.C:
			flush()
		}
	}
	flush()
	waitErr := cmd.Wait()
	sendGraph(r, graph, true)
	code := exitCode(cmd, waitErr)
	r.send(map[string]any{"exit": code, "ts": time.Now().UnixMicro()})
	return code
}

// skipped says which trace lines the lab never uses, so they are not relayed:
// flow events (dependency arrows, half of all lines) and the per-package
// loading spans (hundreds; the load phase is the enclosing
// load.PackagesAndErrors span). Only these exact kinds are dropped: any span
// the lab does not know still reaches its reader, which then says so.
func skipped(line string) bool {
	return strings.Contains(line, `"ph":"s"`) || strings.Contains(line, `"ph":"f"`) ||
		strings.Contains(line, `"name":"modload.loadImport `) || strings.Contains(line, `"name":"load.loadPackageData `)
}

func sendGraph(r *relay, path string, final bool) bool {
	// The go command writes the file with os.WriteFile: a partial read is possible
	// while it writes; retry briefly until it parses.
	for i := 0; i < 20; i++ {
		data, err := os.ReadFile(path)
		if err == nil && json.Valid(data) && len(data) > 0 {
			r.send(map[string]any{"graph": json.RawMessage(data), "final": final})
			return true
		}
		if errors.Is(err, os.ErrNotExist) && final {
			return false // a build that failed before planning writes none
		}
		time.Sleep(5 * time.Millisecond)
	}
	return false
}

func exitCode(cmd *exec.Cmd, err error) int {
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		return 127
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return cmd.ProcessState.ExitCode()
}
