package main

import (
	_ "embed"
	"fmt"
)

// The go command reads greeting.txt when it compiles this package: the
// file's contents are an input of the compile, like the source itself.
//
//go:embed greeting.txt
var greeting string

func main() {
	fmt.Print(greeting)
}
