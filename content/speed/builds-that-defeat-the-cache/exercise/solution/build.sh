#!/bin/sh
# Builds ./app with its version (from VERSION) stamped in. No output
# deleted first, and no stamp that changes on every run: a second run with
# nothing changed has nothing to do.
set -e
go build -o app -ldflags="-X main.version=$(cat VERSION)" .
