// Package greet is a module of its own, next to the main module:
// go.mod's replace directive points example.com/greet at this directory.
package greet

// Hello says where this copy of the package came from.
func Hello() string {
	return "hello from ./greet"
}
