// Command hello is a program published as a module: try
// `go run golab.example/cmd/hello@v1.0.0` or `go install golab.example/cmd/hello@v1.0.0`.
package main

import (
	"fmt"
	"os"

	"golab.example/greet"
)

func main() {
	name := "gopher"
	if len(os.Args) > 1 {
		name = os.Args[1]
	}
	fmt.Println(greet.Hello(name), "(golab.example/cmd/hello v1.0.0, greet "+greet.Version+")")
}
