package main

import (
	"fmt"
	"runtime/debug"
)

func main() {
	fmt.Println(greeting())
	// Path is the import path of the main package the go command built:
	// the module's path for `go run .`, command-line-arguments for a list of files.
	if info, ok := debug.ReadBuildInfo(); ok {
		fmt.Println("built as", info.Path)
	}
}
