package main

import (
	"fmt"

	"example.com/startup/greet"
)

var ready = setup()

func setup() bool {
	fmt.Println("main: package variable ready")
	return true
}

func init() {
	fmt.Println("main: first init")
}

func init() {
	fmt.Println("main: second init")
}

func main() {
	fmt.Println("main.main: hello,", greet.Name, "- ready:", ready)
}
