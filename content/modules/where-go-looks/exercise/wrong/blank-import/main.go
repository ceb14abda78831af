package main

import (
	"fmt"

	// Wrong answer: the package is in the build, but the name is typed in.
	_ "example.com/hello/names"
	"golab.example/greet"
)

func main() {
	fmt.Println(greet.Hello("Ada"))
}
