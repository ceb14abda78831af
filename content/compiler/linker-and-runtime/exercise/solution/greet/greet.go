// Package greet is imported by main, so it is initialized before main.
package greet

import "fmt"

var Name = initName()

func initName() string {
	fmt.Println("greet: package variable Name")
	return "Gopher"
}

func init() {
	fmt.Println("greet: init")
}

// Shout is called by main.main. The directive below stops the compiler from
// inlining it there, so main.main calls the function and the linker keeps it.
//
//go:noinline
func Shout(s string) string {
	return s + "!"
}
