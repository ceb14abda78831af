//go:build beta

package main

// The _windows suffix is a build constraint: this file is part of the
// package only when the target operating system is Windows. The //go:build
// line above adds a second one: and only when the tag beta is set.
func platform() string { return "Windows" }
