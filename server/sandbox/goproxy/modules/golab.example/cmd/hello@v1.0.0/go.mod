module golab.example/cmd/hello

go 1.22

require golab.example/greet v1.1.0
