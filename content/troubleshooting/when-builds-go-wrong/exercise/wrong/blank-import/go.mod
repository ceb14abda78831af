module example.com/fixit

go 1.26

require example.com/greetings v0.0.0-00010101000000-000000000000

replace example.com/greetings => ./greet
