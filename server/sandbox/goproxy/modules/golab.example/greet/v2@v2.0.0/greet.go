// Package greet is major version 2 of golab.example/greet: its import path
// ends in /v2, so it can be used beside v1 in the same build.
package greet

// Version is the version of this module.
const Version = "v2.0.0"

// Hello returns a greeting for name in the given language ("en", "fr", "de").
// Its signature changed from v1: that is what a new major version is for.
func Hello(lang, name string) string {
	switch lang {
	case "fr":
		return "Bonjour, " + name + " !"
	case "de":
		return "Hallo, " + name + "!"
	}
	return "Hello, " + name + "!"
}
