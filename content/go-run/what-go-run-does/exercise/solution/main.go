package main

import (
	"fmt"
	"os"
)

func main() {
	switch len(os.Args) {
	case 1:
		fmt.Println("Hello from the Go Build Lab!")
	case 2:
		fmt.Printf("Hello, %s!\n", os.Args[1])
	default:
		fmt.Fprintln(os.Stderr, "usage: hello [name]")
		os.Exit(2)
	}
}
