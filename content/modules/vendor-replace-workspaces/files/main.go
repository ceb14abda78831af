package main

import (
	"fmt"

	"golab.example/greet"
)

func main() {
	fmt.Println(greet.Hello("gopher"))
}
