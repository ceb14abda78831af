package main

// syscall is the lowest package that can write to a file: fmt needs os,
// reflect, strconv, unicode and more, and a cold build compiles all of them.
import "syscall"

func main() {
	// File descriptor 1 is standard output.
	syscall.Write(1, []byte("Hello from the Go Build Lab!\n"))
}
