package main

import "fmt"

// version is "dev" in a plain build. A release build sets it at link time:
//
//	go build -ldflags "-X main.version=1.2.3"
var version = "dev"

func greet(name string) string {
	return "Hello, " + name + "!"
}

func main() {
	fmt.Println(greet("production"))
	fmt.Println("version:", version)
}
