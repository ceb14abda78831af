// Command app is the service this chapter ships. It prints a banner that is
// embedded in the executable, the version stamped in at link time, how many
// environment variables it was started with, and the user it runs as.
package main

import (
	"bufio"
	_ "embed"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// version is replaced at link time: go build -ldflags="-X main.version=v1.2.3".
var version = "dev"

// banner is the content of banner.txt, copied into the executable by the compiler.
//
//go:embed banner.txt
var banner string

// userName looks the process's uid up in /etc/passwd itself. os/user would
// do it through the C library when cgo is on, and that links the executable
// dynamically; $USER is only what the caller claims.
func userName() string {
	uid := strconv.Itoa(os.Getuid())
	f, err := os.Open("/etc/passwd")
	if err != nil {
		return "uid " + uid
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Split(s.Text(), ":")
		if len(fields) > 2 && fields[2] == uid {
			return fields[0]
		}
	}
	return "uid " + uid
}

func main() {
	fmt.Print(banner)
	fmt.Printf("app %s, built with %s for %s/%s\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Printf("environment variables: %d\n", len(os.Environ()))
	fmt.Printf("running as %s\n", userName())
}
