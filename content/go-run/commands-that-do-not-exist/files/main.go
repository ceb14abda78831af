package main

import "fmt"

func main() {
	fmt.Println("Hello from the Go Build Lab!")
}
