module golab.example/greet

go 1.22
