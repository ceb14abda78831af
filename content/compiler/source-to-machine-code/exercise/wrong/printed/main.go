package main

import "fmt"

type point struct{ x, y int }

// add is small enough to be inlined into its callers.
func add(a, b int) int { return a + b }

// Wrong answer: nothing escapes because nothing is built any more.
func newPoint(x, y int) point {
	return point{}
}

// sum allocates with new, but the pointer never leaves the
// function: the int stays on the stack.
func sum(xs []int) int {
	total := new(int)
	for _, x := range xs {
		*total = add(*total, x)
	}
	return *total
}

func main() {
	_ = newPoint(1, 2)
	fmt.Println("6 3")
}
