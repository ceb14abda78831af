#!/bin/sh
# Builds ./app with its version (from VERSION) and build time stamped in.
set -e
rm -f app
go build -o app -ldflags="-X main.version=$(cat VERSION) -X main.built=$(date +%s%N)" .
