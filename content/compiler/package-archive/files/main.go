package main

import "fmt"

type point struct{ x, y int }

// add is small enough to be inlined into its callers.
func add(a, b int) int { return a + b }

// newPoint returns the address of a local variable, so p must
// outlive the call: the compiler moves it to the heap.
func newPoint(x, y int) *point {
	p := point{x, y}
	return &p
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
	p := newPoint(1, 2)
	fmt.Println(sum([]int{1, 2, 3}), add(p.x, p.y))
}
