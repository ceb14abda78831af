// Package shout greets loudly. It depends on golab.example/greet.
package shout

import (
	"strings"

	"golab.example/greet"
)

// Hello returns greet.Hello(name) in capitals.
func Hello(name string) string {
	return strings.ToUpper(greet.Hello(name))
}
