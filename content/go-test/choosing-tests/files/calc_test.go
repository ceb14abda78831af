package calc

import "testing"

func TestAdd(t *testing.T) {
	for _, c := range []struct {
		name       string
		a, b, want int
	}{{"small", 2, 3, 5}, {"negative", -2, -3, -5}, {"zero", 0, 0, 0}} {
		t.Run(c.name, func(t *testing.T) {
			if got := Add(c.a, c.b); got != c.want {
				t.Errorf("Add(%d, %d) = %d, want %d", c.a, c.b, got, c.want)
			}
		})
	}
}

func TestAddCommutes(t *testing.T) {
	if Add(2, 3) != Add(3, 2) {
		t.Error("Add(2, 3) != Add(3, 2)")
	}
}
