// Command catgen writes a synthetic catalog YAML file shaped like our
// test catalog (testdata/catalog.yaml), for load and benchmark tests:
//
//	catgen -nodes 100000 -out /tmp/catalog.yaml [-seed 1]
//
// The output is deterministic for a given -nodes and -seed and averages
// about 600 bytes per node.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/moniker-svc/moniker/internal/catalog/gen"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "catgen:", err)
		}
		os.Exit(2)
	}
}

func run(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("catgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	nodes := fs.Int("nodes", 1000, "number of catalog nodes to write")
	out := fs.String("out", "", "output file (- for standard output)")
	seed := fs.Uint64("seed", 1, "random seed; the same seed gives the same file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() > 0 {
		fs.Usage()
		return errors.New("-out is required and no arguments are accepted")
	}
	if *nodes < 0 {
		return errors.New("-nodes must not be negative")
	}
	opts := gen.Options{Nodes: *nodes, Seed: *seed}
	if *out == "-" {
		w := bufio.NewWriter(stdout)
		if err := gen.Write(w, opts); err != nil {
			return err
		}
		return w.Flush()
	}
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	if err := gen.Write(f, opts); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
