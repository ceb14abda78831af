module golab.example/shout

go 1.22

require golab.example/greet v1.0.0
