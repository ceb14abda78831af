package main

import (
	"fmt"

	// Wrong answer: the module is wired up, but the greeting is typed in.
	_ "example.com/greetings"
)

func main() {
	fmt.Println("fixit: hello from ./greet")
}
