package main

import (
	"fmt"

	"example.com/greet"
)

func main() {
	fmt.Println("fixit:", greet.Hello())
}
