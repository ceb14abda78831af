package calc

import (
	"os"
	"testing"
)

// TestMode reads an environment variable and a file: both become part of
// what a cached result is matched against.
func TestMode(t *testing.T) {
	t.Log("CALC_MODE =", os.Getenv("CALC_MODE"))
	if _, err := os.ReadFile("limit.txt"); err != nil {
		t.Fatal(err)
	}
}
