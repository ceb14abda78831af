// Command app prints its version, which the build stamps in (see build.sh).
package main

import "os"

// version and built are set by the linker: -ldflags="-X main.version=…".
var version, built = "dev", "unknown"

func main() {
	os.Stdout.WriteString("app " + version + "\n")
}
