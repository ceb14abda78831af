package main

import "syscall"

func main() {
	// An experiment, not a style to copy: syscall.Write writes to a file
	// descriptor directly (1 is standard output), so neither fmt nor os, and
	// none of the packages only they need, are in the build.
	syscall.Write(1, []byte("Hello, packages!\n"))
}
