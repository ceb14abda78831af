package main

import (
	"strings"
	"testing"
)

func TestGreeting(t *testing.T) {
	if got := greeting(); !strings.HasPrefix(got, "Hello from ") {
		t.Errorf("greeting() = %q", got)
	}
}
