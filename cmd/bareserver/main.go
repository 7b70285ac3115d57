// Command bareserver is the baseline of the load test (scripts/loadtest.sh):
// plain net/http serving a fixed 600-byte JSON body on every path. Its
// throughput on a machine is the 100% that monikerd's routes are measured
// against.
//
//	bareserver -listen 127.0.0.1:8099
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// bodySize is the size of the fixed response, about that of a /resolve
// answer.
const bodySize = 600

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bareserver:", err)
		os.Exit(1)
	}
}

// run serves until ctx ends. It prints "listening on http://ADDR" once the
// listener is open, so a caller may pass port 0.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bareserver", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8099", "address to listen on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: handler(fixedBody(bodySize)), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "listening on http://%s\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// handler answers every request with body as application/json. The
// header values are built once, so a request costs only the write.
func handler(body []byte) http.Handler {
	contentType := []string{"application/json"}
	contentLength := []string{strconv.Itoa(len(body))}
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h["Content-Type"] = contentType
		h["Content-Length"] = contentLength
		_, _ = w.Write(body)
	})
}

// fixedBody returns a JSON object of exactly n bytes shaped like a small
// resolve answer of the demo catalog, padded with a string field. n must be at least the
// unpadded size.
func fixedBody(n int) []byte {
	const head = `{"moniker":"moniker://prices.equity/AAPL@20260115","path":"prices.equity/AAPL",` +
		`"source_type":"snowflake","connection":{"account":"northwind.eu-west-1","warehouse":"MARKET_WH",` +
		`"database":"MARKET","schema":"PRICES"},"binding_path":"prices.equity","sub_path":"AAPL",` +
		`"read_only":true,"cache_ttl_hint":300,"padding":"`
	const tail = `"}`
	return []byte(head + strings.Repeat("x", n-len(head)-len(tail)) + tail)
}
