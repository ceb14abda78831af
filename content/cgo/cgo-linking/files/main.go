package main

/*
#cgo CFLAGS: -DVALUE=42
#include <stdio.h>

static int add(int a, int b) { return a + b; }
static int value(void) { return VALUE; }
static void hello(void) { printf("Hello from C!\n"); fflush(stdout); }
*/
import "C"

import "fmt"

func main() {
	C.hello()
	fmt.Println("2 + 3 in C:", C.add(2, 3))
	fmt.Println("VALUE in C:", C.value())
}
