package main

// The _windows suffix is a build constraint: this file is part of the
// package only when the target operating system is Windows.
func platform() string { return "Windows" }
