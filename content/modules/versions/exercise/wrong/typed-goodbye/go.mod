module example.com/hello

go 1.26

require golab.example/greet v1.1.0
