package calc

import "testing"

func TestMulCheck(t *testing.T) {
	for _, c := range []struct{ a, b, want int }{{2, 3, 6}, {-4, 5, -20}, {0, 7, 0}} {
		if got := Mul(c.a, c.b); got != c.want {
			t.Errorf("Mul(%d, %d) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestSumCheck(t *testing.T) {
	if got := Sum(); got != 0 {
		t.Errorf("Sum() = %d, want 0", got)
	}
	if got := Sum(1, 2, 3, 4); got != 10 {
		t.Errorf("Sum(1, 2, 3, 4) = %d, want 10", got)
	}
}
