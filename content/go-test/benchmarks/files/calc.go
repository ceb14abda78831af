// Package calc joins numbers into text, two ways.
package calc

import (
	"strconv"
	"strings"
)

// JoinPlus joins nums with commas, growing a string with +.
func JoinPlus(nums []int) string {
	s := ""
	for i, n := range nums {
		if i > 0 {
			s += ","
		}
		s += strconv.Itoa(n)
	}
	return s
}

// JoinBuilder joins nums with commas, with a strings.Builder.
func JoinBuilder(nums []int) string {
	var b strings.Builder
	for i, n := range nums {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(n))
	}
	return b.String()
}
