// Package greet is one of the Go Build Lab's own modules, served by the
// sandbox's read-only module proxy (GOPROXY=file:///opt/lab/goproxy).
package greet

// Version is the version of this module.
const Version = "v1.1.0"

// Hello returns a greeting for name.
func Hello(name string) string {
	return "Hello, " + name + "!"
}

// Goodbye returns a farewell for name. New in v1.1.0.
func Goodbye(name string) string {
	return "Goodbye, " + name + "!"
}
