package main

import "testing"

// newPoint still builds the point it is given, whether it returns a value or
// a pointer (p.x reads through either): printing "6 3" alone is not the answer.
func TestNewPointCheck(t *testing.T) {
	for _, c := range [][2]int{{1, 2}, {4, -5}} {
		if p := newPoint(c[0], c[1]); p.x != c[0] || p.y != c[1] {
			t.Errorf("newPoint(%d, %d) = {%d, %d}, want {%d, %d}", c[0], c[1], p.x, p.y, c[0], c[1])
		}
	}
}

func TestSumCheck(t *testing.T) {
	if got := sum([]int{1, 2, 3, 10}); got != 16 {
		t.Errorf("sum([]int{1, 2, 3, 10}) = %d, want 16", got)
	}
}
