// Command go (installed in the sandbox as /opt/lab/bin/go, first on PATH) is
// the real go command plus a window into it for the lab's phase view.
//
// For `go build|install|run|test|vet` it adds two of the go command's own
// debugging flags right after the subcommand,
//
//	-debug-trace=$TMPDIR/lab-trace-<pid>.json -debug-actiongraph=$TMPDIR/lab-actiongraph-<pid>.json
//
// runs the real go command as its child, follows those files as the toolchain
// writes them, and relays what it wrote, unchanged, as JSON lines on the
// descriptor named by $LAB_EVENTS_FD:
//
//	{"cmd":PID,"argv":[...],"added":[...]}      the command as run, and what was added
//	{"cmd":PID,"trace":"<text>"}                the trace, as the go command writes it
//	{"cmd":PID,"graph":<json>,"final":false}    the action graph, before the build
//	{"cmd":PID,"graph":<json>,"final":true}     and at the end, with timings
//	{"cmd":PID,"exit":N,"ts":µs}                its exit status, when (the trace's clock)
//
// Everything else (other subcommands, no $LAB_EVENTS_FD, or a learner who
// passes one of these flags already) execs the real go command untouched.
// Stdin, stdout, stderr, the exit status and signals are the go command's own.
package main

import (
	"bytes"
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

// pollEvery is how often the wrapper reads what the go command added to its
// trace file: it bounds how long an event waits before it is relayed. The go
// command writes each event with a write system call of its own (thousands
// for a hello world); a file read in batches costs it far less than a pipe
// that wakes a reader for every event (measured: docs/performance.md).
const pollEvery = 5 * time.Millisecond

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
	p := plan(args, observing)
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
// themselves (adding ours would override theirs: the last one wins).
func plan(args []string, observing bool) additions {
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
	var hasDebug bool
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
		if flagsOnly && !hasValue && valueFlags[name] {
			i++ // skip the flag's value
		}
	}
	p := additions{at: at}
	if observing && !hasDebug {
		p.observe = true
		p.flags = append(p.flags, "-debug-trace="+tempPath("trace"), "-debug-actiongraph="+tempPath("actiongraph"))
	}
	return p
}

// tempPath names the wrapper's file of one kind for this go command (removed at its end).
func tempPath(kind string) string {
	dir := os.Getenv("TMPDIR")
	if dir == "" {
		dir = "/tmp"
	}
	return filepath.Join(dir, fmt.Sprintf("lab-%s-%d.json", kind, os.Getpid()))
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
	buf []byte // one frame being built, reused
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

// sendRaw writes {"cmd":PID,<key>:<value>} where value is JSON the caller
// built (the trace text as a string, the graph compacted): the bulk of what
// the wrapper relays goes out without a second encoding pass.
func (r *relay) sendRaw(key string, value []byte, extra string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	b := append(r.buf[:0], `{"cmd":`...)
	b = strconv.AppendInt(b, int64(r.cmd), 10)
	b = append(b, `,"`...)
	b = append(b, key...)
	b = append(b, `":`...)
	b = append(b, value...)
	b = append(b, extra...)
	b = append(b, "}\n"...)
	r.buf = b
	r.out.Write(b)
}

func observe(realGo string, args []string, p additions, events *os.File) int {
	full := p.apply(args)
	r := &relay{out: events, cmd: os.Getpid()}
	r.send(map[string]any{"argv": append([]string{"go"}, args...), "added": p.flags})
	tracePath := strings.TrimPrefix(p.flags[0], "-debug-trace=")
	graphPath := strings.TrimPrefix(p.flags[1], "-debug-actiongraph=")
	// Left over by a killed wrapper of the same pid: the tail must start from the go command's own file.
	os.Remove(tracePath)
	os.Remove(graphPath)
	defer os.Remove(tracePath)
	defer os.Remove(graphPath)

	cmd := exec.Command(realGo, full...)
	cmd.Args[0] = "go"
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
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
	go func() {
		for s := range signals {
			if s != syscall.SIGINT && s != syscall.SIGQUIT { // those the terminal sent to the whole group already
				cmd.Process.Signal(s)
			}
		}
	}()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	t := &tail{path: tracePath, graph: graphPath, r: r}
	ticker := time.NewTicker(pollEvery)
	defer ticker.Stop()
	var waitErr error
	for running := true; running; {
		select {
		case waitErr = <-exited:
			running = false
		case <-ticker.C:
			t.read(false)
		}
	}
	t.read(true)
	t.sendGraph(true)
	code := exitCode(cmd, waitErr)
	r.send(map[string]any{"exit": code, "ts": time.Now().UnixMicro()})
	return code
}

// tail follows the trace file as the go command appends to it, and relays
// its new complete lines (without the ones the lab never uses, see skipped)
// as one frame per read.
type tail struct {
	path, graph string
	r           *relay
	f           *os.File
	buf         []byte // one read buffer, reused every poll
	pending     []byte // read but not yet relayed: the start of an unfinished line
	batch       []byte // the lines of one frame, reused
	quoted      []byte // the batch as a JSON string, reused
	sentPre     bool
}

// read relays what the go command wrote since the last read. final: the go
// command has exited, so the last line (the closing "]", written without a
// newline) is complete too, and the pre-build graph is not waited for.
func (t *tail) read(final bool) {
	if t.f == nil {
		f, err := os.Open(t.path)
		if err != nil {
			return // not created yet (or never: a go command that failed at once)
		}
		t.f = f
	}
	if t.buf == nil {
		t.buf = make([]byte, 64*1024)
	}
	for {
		n, err := t.f.Read(t.buf)
		t.pending = append(t.pending, t.buf[:n]...)
		if n == 0 || err != nil {
			break
		}
	}
	flush := func() {
		if len(t.batch) > 0 {
			t.quoted = appendJSONString(t.quoted[:0], t.batch)
			t.r.sendRaw("trace", t.quoted, "")
			t.batch = t.batch[:0]
		}
	}
	rest := t.pending
	for len(rest) > 0 {
		nl := bytes.IndexByte(rest, '\n')
		if nl < 0 && !final {
			break
		}
		end := len(rest)
		if nl >= 0 {
			end = nl
		}
		line := rest[:end]
		// The pre-build graph is written just after the first "exec.Builder.Do"
		// span begins: it goes out before the actions that follow (if it is not
		// complete yet, this line waits for the next read).
		if !t.sentPre && bytes.Contains(line, builderDo) {
			flush()
			t.sentPre = t.sendGraph(false) || final
			if !t.sentPre {
				break
			}
		}
		if nl >= 0 {
			rest = rest[nl+1:]
		} else {
			rest = nil
		}
		if skipped(line) {
			continue
		}
		t.batch = append(t.batch, line...)
		if nl >= 0 { // the go command's closing bracket has no newline; keep it that way
			t.batch = append(t.batch, '\n')
		}
		if len(t.batch) > 64*1024 {
			flush()
		}
	}
	// Keep the unfinished line at the front of the buffer, so it does not grow.
	t.pending = append(t.pending[:0], rest...)
	flush()
	if final {
		t.f.Close()
	}
}

var (
	builderDo = []byte("exec.Builder.Do")
	// The kinds of trace lines the lab never uses (see skipped).
	flowStart   = []byte(`"ph":"s"`)
	flowEnd     = []byte(`"ph":"f"`)
	loadImport  = []byte(`"name":"modload.loadImport `)
	loadPkgData = []byte(`"name":"load.loadPackageData `)
)

// skipped says which trace lines the lab never uses, so they are not relayed:
// flow events (dependency arrows, half of all lines) and the per-package
// loading spans (hundreds; the load phase is the enclosing
// load.PackagesAndErrors span). Only these exact kinds are dropped: any span
// the lab does not know still reaches its reader, which then says so.
func skipped(line []byte) bool {
	return bytes.Contains(line, flowStart) || bytes.Contains(line, flowEnd) ||
		bytes.Contains(line, loadImport) || bytes.Contains(line, loadPkgData)
}

// appendJSONString appends s as a JSON string. The trace is the go command's
// own encoding/json output (ASCII-safe: it escapes <, >, & and control
// characters itself), so only quotes, backslashes and bytes below 0x20 (the
// newlines between lines) need escaping; anything else is copied as is.
func appendJSONString(dst, s []byte) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i, c := range s {
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// sendGraph relays the action graph file if it is complete. The go command
// writes it with os.WriteFile, so a read can catch it empty or half written:
// only a copy that parses counts (json.Compact validates as it compacts).
func (t *tail) sendGraph(final bool) bool {
	data, err := os.ReadFile(t.graph)
	if err != nil || len(data) == 0 {
		return false
	}
	var compact bytes.Buffer
	compact.Grow(len(data))
	if json.Compact(&compact, data) != nil {
		return false
	}
	extra := `,"final":false`
	if final {
		extra = `,"final":true`
	}
	t.r.sendRaw("graph", compact.Bytes(), extra)
	return true
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
