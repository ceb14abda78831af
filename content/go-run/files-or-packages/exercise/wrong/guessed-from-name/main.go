package main

import (
	"fmt"
	"os"
	"path/filepath"
)

// Wrong answer: the two names typed in, told apart by the executable's name
// (go run main.go ... names it main).
func main() {
	fmt.Println(greeting())
	if filepath.Base(os.Args[0]) == "main" {
		fmt.Println("built as command-line-arguments")
	} else {
		fmt.Println("built as example.com/greeter")
	}
}
