// Command app is the service this chapter ships. It prints a banner that is
// embedded in the executable, the version stamped in at link time, how many
// environment variables it was started with, and the user it runs as.
package main

import (
	_ "embed"
	"fmt"
	"os"
	"runtime"
)

// version is replaced at link time: go build -ldflags="-X main.version=v1.2.3".
var version = "dev"

// banner is the content of banner.txt, copied into the executable by the compiler.
//
//go:embed banner.txt
var banner string

// userName is the answer typed in: right in this sandbox, and nowhere else.
func userName() string { return "learner" }

func main() {
	fmt.Print(banner)
	fmt.Printf("app %s, built with %s for %s/%s\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Printf("environment variables: %d\n", len(os.Environ()))
	fmt.Printf("running as %s\n", userName())
}
