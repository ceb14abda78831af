package main

import (
	"fmt"

	"example.com/greetings"
)

func main() {
	fmt.Println("fixit:", greetings.Hello())
}
