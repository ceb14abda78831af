// Package calc adds numbers, and keeps its sums in range.
package calc

// Limit is the largest sum Add returns.
const Limit = 1000

// Add returns a + b, at most Limit.
func Add(a, b int) int { return clamp(a + b) }

// clamp is not exported: only package calc can call it.
func clamp(n int) int {
	if n > Limit {
		return Limit
	}
	return n
}
