package calc

import "testing"

// An internal test: it is compiled into package calc, so it may call clamp.
func TestClamp(t *testing.T) {
	if got := clamp(5000); got != Limit {
		t.Fatalf("clamp(5000) = %d, want %d", got, Limit)
	}
}
