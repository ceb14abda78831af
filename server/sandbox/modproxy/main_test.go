// Tests of modproxy: the GOPROXY file layout it writes, and the module
// sources it refuses.

package main

import (
	"archive/zip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

var stamp = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// writeTree makes files (relative name -> content) under dir.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestLayout(t *testing.T) {
	src, out := t.TempDir(), filepath.Join(t.TempDir(), "proxy")
	writeTree(t, src, map[string]string{
		"example.test/Upper@v1.10.0/go.mod":   "module example.test/Upper\n\ngo 1.22\n",
		"example.test/Upper@v1.10.0/a.go":     "package upper\n",
		"example.test/Upper@v1.2.0/go.mod":    "module example.test/Upper\n\ngo 1.22\n",
		"example.test/Upper@v1.2.0/a.go":      "package upper\n",
		"example.test/Upper@v1.2.0/sub/b.go":  "package sub\n",
		"example.test/Upper/v2@v2.0.0/go.mod": "module example.test/Upper/v2\n\ngo 1.22\n",
	})
	if err := build(src, out, stamp); err != nil {
		t.Fatal(err)
	}
	base := filepath.Join(out, "example.test", "!upper", "@v")
	if got := read(t, filepath.Join(base, "list")); got != "v1.2.0\nv1.10.0\n" {
		t.Errorf("list = %q, want semver order", got)
	}
	if got := read(t, filepath.Join(base, "v1.2.0.info")); got != `{"Version":"v1.2.0","Time":"2024-01-01T00:00:00Z"}`+"\n" {
		t.Errorf("info = %q", got)
	}
	if got := read(t, filepath.Join(out, "example.test", "!upper", "@latest")); !strings.Contains(got, `"Version":"v1.10.0"`) {
		t.Errorf("@latest = %q", got)
	}
	if got := read(t, filepath.Join(base, "v1.2.0.mod")); got != "module example.test/Upper\n\ngo 1.22\n" {
		t.Errorf("mod = %q", got)
	}
	zr, err := zip.OpenReader(filepath.Join(base, "v1.2.0.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	// Inside the zip the module path is not escaped (only file names on disk are).
	sort.Strings(names)
	want := "example.test/Upper@v1.2.0/a.go example.test/Upper@v1.2.0/go.mod example.test/Upper@v1.2.0/sub/b.go"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("zip has %s, want %s", got, want)
	}
	if got := read(t, filepath.Join(out, "example.test", "!upper", "v2", "@v", "list")); got != "v2.0.0\n" {
		t.Errorf("v2 list = %q", got)
	}
}

func TestRejects(t *testing.T) {
	for name, files := range map[string]map[string]string{
		"module path differs from the directory": {"example.test/a@v1.0.0/go.mod": "module example.test/b\n"},
		"version not canonical":                  {"example.test/a@v1.0/go.mod": "module example.test/a\n"},
		"major version not in the path":          {"example.test/a@v2.0.0/go.mod": "module example.test/a\n"},
		"no go.mod":                              {"example.test/a@v1.0.0/a.go": "package a\n"},
	} {
		t.Run(name, func(t *testing.T) {
			src := t.TempDir()
			writeTree(t, src, files)
			if err := build(src, filepath.Join(t.TempDir(), "proxy"), stamp); err == nil {
				t.Fatal("build succeeded, want an error")
			}
		})
	}
	t.Run("output exists", func(t *testing.T) {
		src := t.TempDir()
		writeTree(t, src, map[string]string{"example.test/a@v1.0.0/go.mod": "module example.test/a\n"})
		if err := build(src, t.TempDir(), stamp); err == nil || !strings.Contains(err.Error(), "already exists") {
			t.Fatalf("err = %v, want 'already exists'", err)
		}
	})
}
