// Command monikerd is the Moniker server. One binary, three targets:
//
//	monikerd -target=resolver   -listen=:8051   # data plane
//	monikerd -target=management -listen=:8052   # control plane
//	monikerd -target=all        -listen=:8050   # both (default)
//
// With no config file it serves an embedded demo catalog.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
		// -h: the usage was printed; asking for it is no failure.
	case err != nil:
		fmt.Fprintln(os.Stderr, "monikerd:", err)
		os.Exit(1)
	}
}
