module golab.example/greet/v2

go 1.22
