package calc

import "testing"

func TestSignPositive(t *testing.T) {
	if got := Sign(5); got != 1 {
		t.Fatalf("Sign(5) = %d, want 1", got)
	}
}
