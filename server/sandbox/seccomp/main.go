//go:build linux && amd64

// Command seccomp-gen writes the Go Build Lab's seccomp filter: a classic BPF
// program in the raw struct sock_filter layout that bubblewrap reads from the
// file descriptor given to --seccomp.
//
//	seccomp-gen OUTFILE   write the filter (atomically: temp file + rename)
//	seccomp-gen -list     print the policy as a Markdown table
//	seccomp-gen -json     print the policy as JSON (for tests and docs tooling)
//	seccomp-gen -dump     print the program, one instruction per line
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	list := flag.Bool("list", false, "print the policy as a Markdown table and exit")
	dump := flag.Bool("dump", false, "print the BPF program and exit")
	jsonOut := flag.Bool("json", false, "print the policy as JSON and exit")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: seccomp-gen OUTFILE | -list | -json | -dump")
		flag.PrintDefaults()
	}
	flag.Parse()

	prog, err := Compile(Rules)
	if err != nil {
		fatal(err)
	}
	switch {
	case *list:
		printList()
		return
	case *jsonOut:
		printJSON()
		return
	case *dump:
		for i, ins := range prog {
			fmt.Printf("%4d  %v\n", i, ins)
		}
		return
	}
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	data, err := Encode(prog)
	if err != nil {
		fatal(err)
	}
	if err := writeAtomic(flag.Arg(0), data); err != nil {
		fatal(err)
	}
}

func writeAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after a successful rename
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func printList() {
	fmt.Println("| System call | Denied calls | Result | Why |")
	fmt.Println("|---|---|---|---|")
	fmt.Printf("| (any, non-x86_64 ABI) | all | process killed (SIGSYS) | %s |\n", archNote)
	fmt.Printf("| (any, x32 ABI) | all | ENOSYS | %s |\n", x32Note)
	for _, r := range Rules {
		which := "all"
		switch r.Match {
		case LowBitsAny:
			which = fmt.Sprintf("arg %d has any of bits %#x", r.Arg, r.Values[0])
		case LowIn:
			which = fmt.Sprintf("arg %d is %s", r.Arg, hexList(r.Values))
		case LowNotIn:
			which = fmt.Sprintf("arg %d is not %s", r.Arg, hexList(r.Values))
		}
		fmt.Printf("| `%s` | %s | %s | %s |\n", r.Name, which, errnoName(r.Errno), r.Reason)
	}
	fmt.Println("| (everything else) | — | allowed | |")
}

func printJSON() {
	type jsonRule struct {
		Name   string   `json:"name"`
		Nr     uint32   `json:"nr"`
		Match  string   `json:"match"`
		Arg    int      `json:"arg"`
		Values []uint32 `json:"values,omitempty"`
		Errno  string   `json:"errno"`
		Reason string   `json:"reason"`
	}
	matchNames := map[Match]string{Always: "always", LowBitsAny: "low-bits-any", LowIn: "low-in", LowNotIn: "low-not-in"}
	rules := make([]jsonRule, len(Rules))
	for i, r := range Rules {
		rules[i] = jsonRule{r.Name, r.Nr, matchNames[r.Match], r.Arg, r.Values, errnoName(r.Errno), r.Reason}
	}
	doc := map[string]any{
		"arch":    map[string]string{"allowed": "x86_64", "otherwise": "kill-process", "reason": archNote},
		"x32":     map[string]string{"errno": "ENOSYS", "reason": x32Note},
		"rules":   rules,
		"default": "allow",
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		fatal(err)
	}
}

func hexList(vs []uint32) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = fmt.Sprintf("%#x", v)
	}
	return strings.Join(s, " or ")
}

func errnoName(e interface{ Error() string }) string {
	switch e {
	case ePERM:
		return "EPERM"
	case eNOSYS:
		return "ENOSYS"
	}
	return e.Error()
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "seccomp-gen:", err)
	os.Exit(1)
}
