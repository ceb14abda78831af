// Package greet is one of the Go Build Lab's own modules, served by the
// sandbox's read-only module proxy (GOPROXY=file:///opt/lab/goproxy).
package greet

// Hello returns a greeting for name.
func Hello(name string) string {
	return "Hello, " + name + "!"
}
