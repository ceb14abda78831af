package main

import (
	"fmt"

	"example.com/hello/names"
	"golab.example/greet"
)

func main() {
	fmt.Println(greet.Hello(names.First()))
}
