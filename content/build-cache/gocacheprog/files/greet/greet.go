// Package greet imports nothing, so building it is a single compile: a
// small thing to hand to a cache program.
package greet

// Hello returns a greeting for name.
func Hello(name string) string { return "Hello, " + name + "!" }
