// Command cacheprog is a tiny GOCACHEPROG: the go command starts it, asks it
// for build outputs by action ID ("get") and hands it new ones ("put"), as
// JSON lines on stdin and stdout. It keeps them as files in one folder, and
// on "close" counts what it was asked on standard error.
//
//	GOCACHEPROG="/tmp/cacheprog /tmp/progcache" go build .
package main

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// request and response are the protocol's messages (cmd/go/internal/cacheprog).
type request struct {
	ID       int64
	Command  string
	ActionID []byte
	OutputID []byte
	BodySize int64
}

type response struct {
	ID            int64
	Err           string   `json:",omitempty"`
	KnownCommands []string `json:",omitempty"`
	Miss          bool     `json:",omitempty"`
	OutputID      []byte   `json:",omitempty"`
	Size          int64    `json:",omitempty"`
	DiskPath      string   `json:",omitempty"`
}

func main() {
	dir := os.Args[1]
	os.MkdirAll(dir, 0o755)
	in := json.NewDecoder(bufio.NewReader(os.Stdin))
	out := json.NewEncoder(os.Stdout)
	out.Encode(response{KnownCommands: []string{"get", "put", "close"}})
	gets, hits, puts := 0, 0, 0
	for {
		var req request
		if err := in.Decode(&req); err != nil {
			return
		}
		key := filepath.Join(dir, hex.EncodeToString(req.ActionID))
		res := response{ID: req.ID}
		switch req.Command {
		case "get":
			gets++
			id, err := os.ReadFile(key + ".id")
			info, err2 := os.Stat(key + ".body")
			if err != nil || err2 != nil {
				res.Miss = true
				break
			}
			hits++
			res.OutputID, res.Size, res.DiskPath = id, info.Size(), key+".body"
		case "put":
			puts++
			var body []byte // sent as a base64 JSON string after the request
			if req.BodySize > 0 {
				in.Decode(&body)
			}
			os.WriteFile(key+".body", body, 0o644)
			os.WriteFile(key+".id", req.OutputID, 0o644)
			res.DiskPath = key + ".body"
		case "close":
			fmt.Fprintf(os.Stderr, "cacheprog: %d gets, %d hits, %d puts\n", gets, hits, puts)
			out.Encode(res)
			return
		}
		out.Encode(res)
	}
}
