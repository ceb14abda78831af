package calc_test

import (
	"fmt"

	"example.com/calc"
)

func ExampleAdd() {
	fmt.Println(calc.Add(2, 3))
	fmt.Println(calc.Add(900, 200))
	// Output:
	// 5
	// 1000
}
