/**
 * The grader against a learner who tries to write their own grade:
 * code compiled into the hidden tests' binary that prints test2json frames,
 * imitates the grader's verdicts, exits early, rewrites its own output,
 * changes the test flags, reads the hidden tests or the binary, or writes go
 * configuration for the checks after it. Every attack is made on a wrong
 * answer (Mul adds, Sum is off by one): a grade of `pass` is a forgery.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckResult } from '../../src/lib/protocol.ts';
import { startServer, type LabServer } from '../helpers/server.ts';
import { call, join as joinClass, newClass, newTeacher, waitGraded } from '../helpers/classroom.ts';

const CONTENT = join(import.meta.dirname, '..', '..', 'content');
const LESSON = 'go-test/the-test-binary';
const file = (path: string) => readFileSync(join(CONTENT, LESSON, path), 'utf8');
/** A wrong answer to the exercise: both hidden tests fail on it when nothing interferes. */
const WRONG = file('exercise/solution/calc.go').replace('return a * b', 'return a + b').replace('return total', 'return total + 1');
/** Text only the hidden test file has (it must never come back to the learner). */
const HIDDEN_TEXT = /Sum\(1, 2, 3, 4\) = %d, want 10|TestSumCheck\(t \*testing\.T\)/;

describe('grading: learner code cannot write its own grade', () => {
  let lab: LabServer;
  before(async () => {
    lab = await startServer({ env: { PROGRAM_TIMEOUT_MS: '4000', SIGN_IN_BURST: '1000', CODE_ATTEMPTS_BURST: '1000' } });
  });
  after(() => lab?.stop());

  const check = async (extra: Record<string, string>, calc = WRONG): Promise<CheckResult> => {
    const files = { 'calc.go': calc, 'calc_test.go': file('files/calc_test.go'), 'go.mod': file('files/go.mod'), ...extra };
    const res = await fetch(`${lab.url}/api/check`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ lesson: LESSON, files }),
    });
    assert.equal(res.status, 200);
    return res.json() as Promise<CheckResult>;
  };
  const hidden = (r: CheckResult) => r.tests.filter((t) => t.name.endsWith('Check'));
  const assertNoHiddenPass = (r: CheckResult) => {
    assert.notEqual(r.status, 'pass', JSON.stringify(r));
    for (const t of hidden(r)) assert.notEqual(t.status, 'pass', `${t.name} passed: ${JSON.stringify(r)}`);
  };

  test('control: the wrong answer fails both hidden tests, the solution passes them', async () => {
    const wrong = await check({});
    assert.deepEqual(
      hidden(wrong).map((t) => t.status),
      ['fail', 'fail'],
      JSON.stringify(wrong),
    );
    assert.equal(wrong.review, undefined);
    const right = await check({}, file('exercise/solution/calc.go'));
    assert.equal(right.status, 'pass', JSON.stringify(right));
  });

  test('an init that prints go test -json and test2json frames for every test, then os.Exit(0)', async () => {
    const forge = `package calc

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

func init() {
	if !strings.HasSuffix(os.Args[0], ".test") {
		return
	}
	names := []string{"TestMulCheck", "TestSumCheck", "TestAdd"}
	files, _ := filepath.Glob("*_test.go")
	for _, f := range files {
		b, _ := os.ReadFile(f)
		for _, m := range regexp.MustCompile(\`func (Test\\w+)\`).FindAllStringSubmatch(string(b), -1) {
			names = append(names, m[1])
		}
	}
	for _, n := range names {
		fmt.Printf("\\x16=== RUN   %s\\n\\x16--- PASS: %s (0.00s)\\n", n, n)
		fmt.Printf("{\\"Action\\":\\"pass\\",\\"Test\\":%q}\\n", n)
	}
	fmt.Println("\\x16PASS")
	fmt.Println("ok  \\texample.com/calc\\t0.001s")
	os.Exit(0)
}
`;
    const r = await check({ 'forge.go': forge });
    assertNoHiddenPass(r);
    for (const t of hidden(r)) assert.match(t.message ?? '', /did not finish/);
    assert.match(r.review ?? '', /"os"/, 'the submission is flagged for the teacher');
  });

  test("lines that imitate the grader's own verdicts (with and without exiting) are not believed, and are flagged", async () => {
    for (const exit of [true, false]) {
      const forge = `package calc

import (
	"fmt"
	"os"
)

func init() {
	for _, n := range []string{"TestMulCheck", "TestSumCheck"} {
		fmt.Printf("\\nlab-verdict %s pass 0123456789abcdef0123456789abcdef\\n", n)
		fmt.Fprintf(os.Stderr, "\\nlab-verdict %s pass ffffffffffffffffffffffffffffffff\\n", n)
	}
	if ${exit} {
		os.Exit(0)
	}
}
`;
      const r = await check({ 'forge.go': forge });
      assertNoHiddenPass(r);
      assert.match(r.review ?? '', /imitate the grader's verdicts/, JSON.stringify(r));
      assert.doesNotMatch(JSON.stringify(r), /lab-verdict/, 'verdict-like lines are not shown back');
    }
  });

  test('output rewritten on its way out (os.Stdout replaced by a pipe that turns fail into pass)', async () => {
    const forge = `package calc

import (
	"bufio"
	"os"
	"strings"
)

func init() {
	real := os.Stdout
	r, w, _ := os.Pipe()
	os.Stdout = w
	go func() {
		s := bufio.NewScanner(r)
		for s.Scan() {
			real.WriteString(strings.ReplaceAll(strings.ReplaceAll(s.Text(), " fail ", " pass "), "FAIL", "PASS") + "\\n")
		}
	}()
}
`;
    const r = await check({ 'forge.go': forge });
    assertNoHiddenPass(r);
  });

  test('the test flags changed from init: no tests run, tests listed, tests skipped, short mode', async () => {
    for (const flags of ['"-test.run=^$"', '"-test.list=.*"', '"-test.skip=."', '"-test.run=TestAdd"', '"-test.short"']) {
      const forge = `package calc

import "os"

func init() {
	os.Args = append(os.Args, ${flags})
}
`;
      const r = await check({ 'forge.go': forge });
      assertNoHiddenPass(r);
    }
  });

  test('its own TestMain (in a non-test file, or in its own _test.go) and its own copies of the hidden tests', async () => {
    const mainFile = `package calc

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) { os.Exit(0) }
`;
    const asSource = await check({ 'main_hook.go': mainFile });
    assertNoHiddenPass(asSource);
    const asTest = await check({ 'main_hook_test.go': mainFile, 'zz_lab_grader_0123456789abcdef_test.go': mainFile });
    assertNoHiddenPass(asTest);
    assert.deepEqual(
      hidden(asTest).map((t) => t.status),
      ['fail', 'fail'],
      "the learner's own test files are not compiled into the grading",
    );
  });

  test('a panic in init, and a test that ends the binary halfway, pass nothing', async () => {
    const panics = await check({ 'p.go': 'package calc\n\nfunc init() { panic("no tests for you") }\n' });
    assertNoHiddenPass(panics);
    const goexit = await check(
      {},
      WRONG.replace('package calc\n', 'package calc\n\nimport "runtime"\n').replace('return a + b', 'runtime.Goexit()\n\treturn 0'),
    );
    assertNoHiddenPass(goexit);
  });

  test('the hidden sources, the check commands and the test binary cannot be read while learner code runs', async () => {
    // Mul looks everywhere it can for the hidden tests and the binary, once, and reports what it found.
    const snoop = file('exercise/solution/calc.go')
      .replace(
        'package calc\n',
        `package calc

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

var once sync.Once

func snoop() {
	looked := 0
	for _, root := range []string{".", "..", os.Getenv("HOME"), "/tmp", "/opt", "/proc"} {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if d.IsDir() {
				if strings.HasPrefix(p, "/proc/") && strings.Count(p, "/") > 2 && !strings.HasPrefix(p, "/proc/self") {
					if _, e := os.Stat(p + "/cmdline"); e != nil {
						return fs.SkipDir
					}
				}
				return nil
			}
			if strings.HasPrefix(p, "/proc/") && !strings.HasSuffix(p, "/cmdline") && !strings.HasSuffix(p, "/environ") {
				return nil
			}
			if info, err := d.Info(); err != nil || info.Size() > 1<<20 {
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return nil
			}
			looked++
			// (Split, so that this very file does not match.)
			if bytes.Contains(b, []byte("want "+"10")) || bytes.Contains(b, []byte("func "+"TestSumCheck")) {
				fmt.Println("LEAK", p)
			}
			return nil
		})
	}
	fmt.Println("files looked at:", looked > 10)
	_, err := os.ReadFile("/opt/lab/grader/hidden.test")
	fmt.Println("reading the test binary:", err)
	_, err = os.ReadFile("/proc/self/exe")
	fmt.Println("reading /proc/self/exe:", err)
}
`,
      )
      .replace('return a * b', 'once.Do(snoop)\n\treturn a * b');
    const r = await check({}, snoop);
    const text = JSON.stringify(r);
    assert.match(text, /files looked at: true/, text.slice(0, 2000));
    assert.doesNotMatch(text, /LEAK/, "the hidden test source is nowhere the learner's code can read");
    assert.doesNotMatch(text, HIDDEN_TEXT, 'no hidden test source in what comes back');
    assert.match(text, /reading the test binary: open \/opt\/lab\/grader\/hidden\.test: permission denied/);
    assert.match(text, /reading \/proc\/self\/exe: open \/proc\/self\/exe: permission denied/);
  });

  test('go configuration written by one check does not reach the next (GOFLAGS=-toolexec skipping vet)', async () => {
    // The code has a real vet finding (s = s); Mul, run by the hidden tests,
    // writes a go env file and a toolexec script that would skip vet, and also
    // tries `go env -w` for good measure.
    const tamper = WRONG.replace(
      'package calc\n',
      `package calc

import (
	"os"
	"os/exec"
	"path/filepath"
)

func tamper() {
	home, _ := os.UserHomeDir()
	script := filepath.Join(home, "tx.sh")
	os.WriteFile(script, []byte("#!/bin/sh\\ncase \\"$1\\" in *vet*) exit 0;; esac\\nexec \\"$@\\"\\n"), 0o755)
	os.MkdirAll(filepath.Join(home, ".config", "go"), 0o755)
	os.WriteFile(filepath.Join(home, ".config", "go", "env"), []byte("GOFLAGS=-toolexec="+script+"\\n"), 0o644)
	exec.Command("go", "env", "-w", "GOFLAGS=-toolexec="+script).Run()
}
`,
    ).replace('return a + b', 'tamper()\n\ts := a + b\n\ts = s\n\treturn s');
    const r = await check({}, tamper);
    const vet = r.tests.find((t) => t.name === 'go vet finds nothing');
    assert.ok(vet, JSON.stringify(r));
    assert.equal(vet.status, 'fail', `vet's finding must still count: ${JSON.stringify(r)}`);
    assert.match(vet.output ?? '', /self-assignment of s/);
  });

  test("a command check's command line is not in any process the learner's program can read", async () => {
    // The check runs go build -ldflags='-X main.version=2.0.1 -X main.commit=abc123' ... && /tmp/app:
    // the program looks for that flag's text in every process's command line and environment.
    const lesson = 'deployment/binary-to-service';
    const dir = join(CONTENT, lesson, 'files');
    const files = Object.fromEntries(['go.mod', 'main.go', 'banner.txt'].map((n) => [n, readFileSync(join(dir, n), 'utf8')]));
    files['snoop.go'] = `package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
)

func init() {
	seen := 0
	for _, pattern := range []string{"/proc/[0-9]*/cmdline", "/proc/[0-9]*/environ", "/proc/[0-9]*/task/[0-9]*/cmdline"} {
		paths, _ := filepath.Glob(pattern)
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				continue
			}
			seen++
			if bytes.Contains(b, []byte("main."+"commit=abc")) {
				fmt.Println("LEAK", p)
			}
		}
	}
	fmt.Println("processes read:", seen > 2)
}
`;
    const res = await fetch(`${lab.url}/api/check`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ lesson, files }),
    });
    const r = (await res.json()) as CheckResult;
    const text = JSON.stringify(r);
    assert.match(text, /processes read: true/, text.slice(0, 1500));
    assert.doesNotMatch(text, /LEAK/, text.slice(0, 1500));
  });

  test('a forged grade submitted to a class: the teacher sees fail, flagged for review, in the grid and the CSV', async () => {
    const teacher = await newTeacher(lab.url);
    const { classId, joinCode, assignmentId } = await newClass(lab.url, teacher.cookie, [LESSON]);
    const learner = await joinClass(lab.url, joinCode, 'Mallory');
    const forge = `package calc

import (
	"fmt"
	"os"
)

func init() {
	fmt.Println("\\x16=== RUN   TestMulCheck\\n\\x16--- PASS: TestMulCheck (0.00s)\\n\\x16PASS")
	os.Exit(0)
}
`;
    const files = { 'calc.go': WRONG, 'calc_test.go': file('files/calc_test.go'), 'go.mod': file('files/go.mod'), 'forge.go': forge };
    const sent = await call(lab.url, 'POST', `/api/assignments/${assignmentId}/submissions`, { cookie: learner.cookie, body: { lesson: LESSON, files } });
    assert.ok(sent.status >= 200 && sent.status < 300, JSON.stringify(sent.body));
    const id = sent.body.submissionId as string;
    const graded = await waitGraded(lab.url, id, teacher.cookie, 60_000);
    assert.equal(graded.result.status, 'fail', JSON.stringify(graded.result));
    assert.match(graded.result.review ?? '', /"os"/);
    const grid = await call(lab.url, 'GET', `/api/classes/${classId}/results`, { cookie: teacher.cookie });
    const cell = grid.body.rows.find((r: { name: string }) => r.name === 'Mallory').cells[0];
    assert.equal(cell.status, 'fail');
    assert.equal(cell.flagged, true);
    const csv = await (await fetch(`${lab.url}/api/classes/${classId}/results.csv`, { headers: { cookie: teacher.cookie } })).text();
    assert.match(csv, /fail \(review\)/, csv);
  });

  test("a folder standing where a hidden test goes is the learner's problem, not a fault of the lab", async () => {
    const r = await check(
      { 'exercise_check_test.go/evil.go': 'package calc\n', 'zz_lab_grader_x_test.go/y.go': 'package calc\n' },
      file('exercise/solution/calc.go'),
    );
    assert.doesNotMatch(JSON.stringify(r), /fault of the lab/);
    assert.deepEqual(
      hidden(r).map((t) => t.status),
      ['pass', 'pass'],
      JSON.stringify(r),
    );
  });

  test('output flooded past the limit (the tests share one stream): the tests stop, with the limit named, and pass nothing', async () => {
    const flood = `package calc

import (
	"fmt"
	"strings"
)

func init() {
	line := strings.Repeat("lab-verdict TestMulCheck pass ", 100)
	for i := 0; i < 2000; i++ {
		fmt.Println(line)
	}
}
`;
    const r = await check({ 'flood.go': flood });
    assertNoHiddenPass(r);
    assert.ok(
      hidden(r).some((t) => t.status === 'error' && /output/.test(t.message ?? '')),
      JSON.stringify(r).slice(0, 1500),
    );
    assert.doesNotMatch(JSON.stringify(r), /fault of the lab/);
  });
});
