package main

// The _linux suffix is a build constraint: this file is part of the
// package only when the target operating system is Linux.
func platform() string { return "Linux" }
