// Command gen writes the large, deterministic benchmark repository of
// package repogen as a bare repository:
//
//	go run ./bench/gen -out DIR [-commits N] [-files M] [-seed S]
//
// DIR must not exist or be empty. The same flags always give the same
// commit ids.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/gitwalk/gitwalk/bench/repogen"
)

func main() {
	var cfg repogen.Config
	out := flag.String("out", "", "where to write the bare repository (must not exist or be empty)")
	flag.IntVar(&cfg.Commits, "commits", 20000, "commits in all, merges included")
	flag.IntVar(&cfg.Files, "files", 2000, "files by the end of the history")
	flag.Uint64Var(&cfg.Seed, "seed", 1, "the generator's seed")
	flag.Parse()
	if *out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: go run ./bench/gen -out DIR [-commits N] [-files M] [-seed S]")
		os.Exit(2)
	}
	start := time.Now()
	if err := repogen.Generate(*out, cfg, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "gen: %s (%s) in %s\n", *out, cfg.Key(), time.Since(start).Round(time.Millisecond))
}
