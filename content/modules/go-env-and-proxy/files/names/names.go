// Package names is a second package of this module, for the exercise at the
// end of the lesson: main.go does not use it yet.
package names

// First returns the name the program should greet.
func First() string {
	return "Ada"
}
