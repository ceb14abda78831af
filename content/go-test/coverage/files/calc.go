// Package calc has one function with three ways out.
package calc

// Sign returns -1 for a negative n, 0 for zero and 1 for a positive n.
func Sign(n int) int {
	if n < 0 {
		return -1
	}
	if n == 0 {
		return 0
	}
	return 1
}
