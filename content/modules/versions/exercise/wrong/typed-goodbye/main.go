package main

import (
	"fmt"

	"golab.example/greet"
)

// Wrong answer: on v1.1.0, but the goodbye is typed in, not greet.Goodbye's.
func main() {
	fmt.Println(greet.Hello("gopher"))
	fmt.Println("Goodbye, gopher!")
}
