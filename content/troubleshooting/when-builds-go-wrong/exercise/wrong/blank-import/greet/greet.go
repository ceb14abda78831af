// Package greetings is a module of its own, next to the main module:
// go.mod's replace directive points example.com/greetings at this directory.
package greetings

// Hello says where this copy of the package came from.
func Hello() string {
	return "hello from ./greet"
}
