// Command modproxy turns the lab's own module sources into a module proxy
// that the go command reads through GOPROXY=file://DIR (see `go help goproxy`).
//
//	modproxy -src goproxy/modules -out DIR -time 2024-01-01T00:00:00Z
//
// Every directory below -src named <module path>@<version> holds one version
// of one module (its go.mod and .go files). For each, modproxy writes
//
//	DIR/<escaped module path>/@v/list               the versions, one a line
//	DIR/<escaped module path>/@v/<version>.info     {"Version":...,"Time":...}
//	DIR/<escaped module path>/@v/<version>.mod      the go.mod file
//	DIR/<escaped module path>/@v/<version>.zip      the module zip (golang.org/x/mod/zip)
//	DIR/<escaped module path>/@latest               the .info of the highest release
//
// Times are the fixed -time, so the tree is the same on every machine. The
// module path in go.mod must match the directory name; versions must be
// canonical semantic versions whose major version agrees with the path.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
	"golang.org/x/mod/zip"
)

type info struct {
	Version string
	Time    time.Time
}

func main() {
	src := flag.String("src", "", "directory of <module path>@<version> source trees")
	out := flag.String("out", "", "directory to write the proxy into (must not exist)")
	stamp := flag.String("time", "2024-01-01T00:00:00Z", "the Time of every version's .info (RFC 3339)")
	flag.Parse()
	if *src == "" || *out == "" || flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}
	t, err := time.Parse(time.RFC3339, *stamp)
	if err != nil {
		fail("bad -time: %v", err)
	}
	if err := build(*src, *out, t.UTC()); err != nil {
		fail("%v", err)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "modproxy: "+format+"\n", args...)
	os.Exit(1)
}

func build(src, out string, t time.Time) error {
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("%s already exists", out)
	}
	versions := map[string][]string{} // module path -> versions
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() || !strings.Contains(d.Name(), "@") {
			return nil
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		modPath, version, _ := strings.Cut(filepath.ToSlash(rel), "@")
		if err := writeVersion(p, out, module.Version{Path: modPath, Version: version}, t); err != nil {
			return err
		}
		versions[modPath] = append(versions[modPath], version)
		return filepath.SkipDir
	})
	if err != nil {
		return err
	}
	if len(versions) == 0 {
		return fmt.Errorf("no <module>@<version> directories in %s", src)
	}
	for modPath, vs := range versions {
		semver.Sort(vs)
		dir, err := moduleDir(out, modPath)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "@v", "list"), []byte(strings.Join(vs, "\n")+"\n"), 0o644); err != nil {
			return err
		}
		latest, err := json.Marshal(info{Version: vs[len(vs)-1], Time: t})
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "@latest"), append(latest, '\n'), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// moduleDir is DIR/<escaped module path>: upper-case letters become "!" + lower case.
func moduleDir(out, modPath string) (string, error) {
	escaped, err := module.EscapePath(modPath)
	if err != nil {
		return "", err
	}
	return filepath.Join(out, filepath.FromSlash(escaped)), nil
}

func writeVersion(srcDir, out string, mv module.Version, t time.Time) error {
	if err := module.Check(mv.Path, mv.Version); err != nil {
		return err
	}
	if mv.Version != semver.Canonical(mv.Version) {
		return fmt.Errorf("%s: version %s is not canonical (want %s)", srcDir, mv.Version, semver.Canonical(mv.Version))
	}
	gomod, err := os.ReadFile(filepath.Join(srcDir, "go.mod"))
	if err != nil {
		return err
	}
	if got := modfile.ModulePath(gomod); got != mv.Path {
		return fmt.Errorf("%s/go.mod says module %q, but the directory is named for %q", srcDir, got, mv.Path)
	}
	if _, err := modfile.Parse(path.Join(mv.Path, "go.mod"), gomod, nil); err != nil {
		return err
	}
	dir, err := moduleDir(out, mv.Path)
	if err != nil {
		return err
	}
	v, err := module.EscapeVersion(mv.Version)
	if err != nil {
		return err
	}
	base := filepath.Join(dir, "@v", v)
	if err := os.MkdirAll(filepath.Dir(base), 0o755); err != nil {
		return err
	}
	infoJSON, err := json.Marshal(info{Version: mv.Version, Time: t})
	if err != nil {
		return err
	}
	if err := os.WriteFile(base+".info", append(infoJSON, '\n'), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(base+".mod", gomod, 0o644); err != nil {
		return err
	}
	f, err := os.OpenFile(base+".zip", os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if err := zip.CreateFromDir(f, mv, srcDir); err != nil {
		f.Close()
		return fmt.Errorf("zipping %s: %w", srcDir, err)
	}
	return f.Close()
}
