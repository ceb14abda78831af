package rev

import (
	"testing"
	"unicode/utf8"
)

func FuzzReverse(f *testing.F) {
	f.Add("hello")
	f.Add("Go")
	f.Fuzz(func(t *testing.T, s string) {
		r := Reverse(s)
		if Reverse(r) != s {
			t.Errorf("Reverse(Reverse(%q)) = %q", s, Reverse(r))
		}
		if utf8.ValidString(s) && !utf8.ValidString(r) {
			t.Errorf("Reverse(%q) = %q, not valid UTF-8", s, r)
		}
	})
}
