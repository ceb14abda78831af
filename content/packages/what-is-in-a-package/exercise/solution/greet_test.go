//go:build linux

package main

import "testing"

// The test expects the Linux greeting, so it belongs to Linux test builds only.
func TestGreeting(t *testing.T) {
	if got, want := greeting(), "Hello from Linux!"; got != want {
		t.Errorf("greeting() = %q, want %q", got, want)
	}
}
