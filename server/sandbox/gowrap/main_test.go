// Tests of the sandbox's go wrapper: which commands get the tracing flags and
// where, which are left alone, and the JSON strings it writes by hand.

package main

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func instrumented(line string, observing bool) []string {
	args := strings.Fields(line)[1:] // drop "go"
	p := plan(args, observing)
	if len(p.flags) == 0 {
		return nil
	}
	return append([]string{"go"}, p.apply(args)...)
}

func TestPlan(t *testing.T) {
	t.Setenv("TMPDIR", "/tmp")
	T := "-debug-trace=" + tempPath("trace")
	G := "-debug-actiongraph=" + tempPath("actiongraph")
	cases := []struct {
		line string
		want []string // nil: not observed, run as typed
	}{
		{"go build .", []string{"go", "build", T, G, "."}},
		{"go install ./...", []string{"go", "install", T, G, "./..."}},
		{"go vet ./...", []string{"go", "vet", T, G, "./..."}},
		// go run: program arguments stay after the package, untouched, and a
		// -debug-trace among them is the program's, not the learner's flag.
		{"go run . -x --debug-trace=mine a", []string{"go", "run", T, G, ".", "-x", "--debug-trace=mine", "a"}},
		{"go run -race main.go -- b", []string{"go", "run", T, G, "-race", "main.go", "--", "b"}},
		{"go run -tags x . -debug-trace=prog.json", []string{"go", "run", T, G, "-tags", "x", ".", "-debug-trace=prog.json"}},
		// go test: flags after the packages keep their place.
		{"go test ./... -run TestX -v -args -n 1", []string{"go", "test", T, G, "./...", "-run", "TestX", "-v", "-args", "-n", "1"}},
		// -C dir stays the first flag.
		{"go build -C sub -o x .", []string{"go", "build", "-C", "sub", T, G, "-o", "x", "."}},
		{"go run -C=sub .", []string{"go", "run", "-C=sub", T, G, "."}},
		{"go build -C", nil},
		// The learner's own files win.
		{"go build -debug-trace=my.json .", nil},
		{"go test -debug-actiongraph g .", nil},
		// Nothing to observe.
		{"go version", nil},
		{"go env GOCACHE", nil},
		{"go mod tidy", nil},
		{"go", nil},
		{"go -h", nil},
		{"go tool nm x", nil},
	}
	for _, c := range cases {
		if got := instrumented(c.line, true); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %q\nwant %q", c.line, got, c.want)
		}
		if got := instrumented(c.line, false); got != nil {
			t.Errorf("%s, not observing: got %q, want it untouched", c.line, got)
		}
	}
}

func TestSkipped(t *testing.T) {
	for line, want := range map[string]bool{
		`,{"name":"a -\u003e b","ph":"s","ts":1,"pid":0,"tid":1,"id":3,"cat":"flow"}`: true,
		`,{"name":"modload.loadImport fmt","ph":"B","ts":1,"pid":0,"tid":1}`:          true,
		`,{"name":"load.loadPackageData fmt","ph":"E","ts":1,"pid":0,"tid":1}`:        true,
		`,{"name":"load.PackagesAndErrors","ph":"B","ts":1,"pid":0,"tid":1}`:          false,
		`,{"name":"Executing action (build fmt)","ph":"B","ts":1,"pid":0,"tid":1}`:    false,
		`,{"name":"modload.SomethingNew","ph":"B","ts":1,"pid":0,"tid":1}`:            false,
	} {
		if got := skipped([]byte(line)); got != want {
			t.Errorf("skipped(%s) = %v, want %v", line, got, want)
		}
	}
}

// The trace goes out as a JSON string built by hand: whatever bytes the trace
// file holds (the learner can write it too), the frame must decode to them.
func TestAppendJSONString(t *testing.T) {
	for _, in := range []string{
		"",
		"[\n{\"name\":\"Running run command\",\"ph\":\"B\"}\n,{\"name\":\"a -\\u003e b\"}\n]",
		"quote \" backslash \\ tab \t nul \x00 bell \x07 del \x7f",
		"utf-8 é 日本 \u2028",
	} {
		var out string
		enc := appendJSONString(nil, []byte(in))
		if err := json.Unmarshal(enc, &out); err != nil {
			t.Fatalf("appendJSONString(%q) = %s: not JSON: %v", in, enc, err)
		}
		if out != in {
			t.Errorf("appendJSONString(%q) decodes to %q", in, out)
		}
	}
}
