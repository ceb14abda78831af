module golab/gowrap

go 1.26.0
