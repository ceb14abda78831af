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

// Shout is exported but main never calls it.
func Shout(s string) string {
	return s + "!"
}
