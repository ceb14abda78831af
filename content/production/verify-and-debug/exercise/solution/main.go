package main

import (
	"debug/elf"
	"fmt"
	"os"
	"runtime/debug"
)

// version is "dev" in a plain build. A release build sets it at link time:
//
//	go build -ldflags "-X main.version=1.2.3"
var version = "dev"

func greet(name string) string {
	return "Hello, " + name + "!"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// about prints what the release flags did to this executable, read from the
// file itself (its ELF sections) and from the build settings the go command
// recorded in it (what go version -m prints).
func about() error {
	path, err := os.Executable()
	if err != nil {
		return err
	}
	f, err := elf.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fmt.Println("symbol table:", yesNo(f.Section(".symtab") != nil))
	fmt.Println("DWARF:", yesNo(f.Section(".debug_info") != nil))

	trimpath := "false" // a build without -trimpath records no -trimpath setting at all
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "-trimpath" {
				trimpath = s.Value
			}
		}
	}
	fmt.Println("trimpath:", trimpath)
	return nil
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-about" {
		if err := about(); err != nil {
			fmt.Fprintln(os.Stderr, "about:", err)
			os.Exit(1)
		}
		return
	}
	fmt.Println(greet("production"))
	fmt.Println("version:", version)
}
