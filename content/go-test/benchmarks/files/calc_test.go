package calc

import "testing"

var nums = []int{1, 22, 333, 4444, 55555, 666666, 7777777, 88888888}

func TestJoinSame(t *testing.T) {
	if a, b := JoinPlus(nums), JoinBuilder(nums); a != b {
		t.Fatalf("JoinPlus = %q, JoinBuilder = %q", a, b)
	}
}

func BenchmarkJoinPlus(b *testing.B) {
	for b.Loop() {
		JoinPlus(nums)
	}
}

func BenchmarkJoinBuilder(b *testing.B) {
	for b.Loop() {
		JoinBuilder(nums)
	}
}
