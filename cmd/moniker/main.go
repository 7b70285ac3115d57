// Command moniker is the command-line client of the Moniker service and
// its offline catalog checker.
//
//	moniker resolve prices.equity/AAPL@20260115
//	moniker -json describe credit.exposures
//	moniker tree -depth 1 prices
//	moniker search -status active treasury
//	moniker fetch -limit 5 prices.equity/ALL@20260115
//	moniker catalog check catalog.yaml
//
// Run "moniker -h" for every command and flag.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"time"

	"github.com/moniker-svc/moniker/client"
	"github.com/moniker-svc/moniker/internal/catalog"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // the server answered an error, the request failed, or a check failed
	exitUsage = 2
)

// defaultServer is used when neither -server nor the environment names one.
const defaultServer = "http://localhost:8050"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `usage: moniker [flags] <command> [command flags] [args]

Commands (against a Moniker server):
  resolve MONIKER...          where the data lives and how to read it
                              (several monikers, or "-" to read them from
                              stdin one per line, go as one batch request)
  describe MONIKER            metadata and inherited ownership
  lineage MONIKER             hierarchy, binding and ownership origins
  list [PATH]                 direct children (the root without PATH)
  tree [-depth N] [PATH]      the catalog tree (every top-level tree without PATH)
  search [-status S] [-limit N] QUERY
                              nodes whose path, name, description or tags match
  metadata MONIKER            AI-oriented metadata (schema, profile, relationships)
  fetch [-limit N] [-format table|csv|json|ndjson|arrow] [-o FILE] MONIKER
                              the rows: the server runs the moniker's query on
                              its source (an aligned table by default; arrow
                              is an Arrow IPC stream, to a file or a pipe)
  stats                       catalog statistics
  health                      server health

Offline:
  catalog check FILE...       validate catalog files (or folders) exactly as
                              the server loads them
  token -secret S -user U [-expires 1h] [-audience A] [-groups g1,g2]
                              issue an HS256 token for the server's JWT test
                              mode (auth.okta.issuer: test), for development

Flags (also accepted after the command name):
`

// options are the flags shared by every command.
type options struct {
	server  string
	json    bool
	appID   string
	team    string
	token   string
	timeout time.Duration
}

// register adds the shared flags to fs, defaulting to the current values.
func (o *options) register(fs *flag.FlagSet) {
	fs.StringVar(&o.server, "server", o.server, "server base URL ($MONIKER_SERVER, else $MONIKER_SERVICE_URL, else "+defaultServer+")")
	fs.BoolVar(&o.json, "json", o.json, "print the server's JSON answer, pretty-printed")
	fs.StringVar(&o.appID, "app-id", o.appID, "send X-App-ID (default $MONIKER_APP_ID)")
	fs.StringVar(&o.team, "team", o.team, "send X-Team (default $MONIKER_TEAM)")
	fs.StringVar(&o.token, "token", o.token, "send Authorization: Bearer TOKEN (default $MONIKER_JWT)")
	fs.DurationVar(&o.timeout, "timeout", o.timeout, "give up on a request after this long")
}

// run is the whole command: it parses args, does the work, writes to
// stdout and stderr, and returns the exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	o := &options{
		server:  firstNonEmpty(getenv("MONIKER_SERVER"), getenv("MONIKER_SERVICE_URL"), defaultServer),
		appID:   getenv("MONIKER_APP_ID"),
		team:    getenv("MONIKER_TEAM"),
		token:   getenv("MONIKER_JWT"),
		timeout: client.DefaultTimeout,
	}
	fs := flag.NewFlagSet("moniker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o.register(fs)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return exitUsage
	}
	cmd, rest := fs.Arg(0), fs.Args()[1:]
	if cmd == "catalog" {
		return runCatalog(rest, stdout, stderr)
	}
	if cmd == "token" {
		return runToken(rest, time.Now(), stdout, stderr)
	}
	c := &command{name: cmd, opts: o, stdin: stdin, stdout: stdout, stderr: stderr}
	handler, ok := c.handlers()[cmd]
	if !ok {
		fmt.Fprintf(stderr, "moniker: unknown command %q\n", cmd)
		fs.Usage()
		return exitUsage
	}
	return handler(ctx, rest)
}

// command runs one HTTP command.
type command struct {
	name   string
	opts   *options
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer

	lastBody []byte // the last response body, for -json
}

func (c *command) handlers() map[string]func(context.Context, []string) int {
	return map[string]func(context.Context, []string) int{
		"resolve":  c.resolve,
		"fetch":    c.fetch,
		"describe": c.oneMoniker(describe),
		"lineage":  c.oneMoniker(lineage),
		"metadata": c.oneMoniker(metadata),
		"list":     c.list,
		"tree":     c.tree,
		"search":   c.search,
		"stats":    c.noArgs(stats),
		"health":   c.noArgs(health),
	}
}

// flags parses a command's own flags (plus the shared ones); it returns
// the positional arguments, or ok false after printing a usage error.
func (c *command) flags(args []string, argsUsage string, define func(*flag.FlagSet)) (rest []string, ok bool) {
	fs := flag.NewFlagSet("moniker "+c.name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	if define != nil {
		define(fs)
	}
	c.opts.register(fs)
	fs.Usage = func() {
		fmt.Fprintf(c.stderr, "usage: moniker %s [flags] %s\n", c.name, argsUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, false
	}
	return fs.Args(), true
}

func (c *command) usageError(format string, args ...any) int {
	fmt.Fprintf(c.stderr, "moniker %s: %s\n", c.name, fmt.Sprintf(format, args...))
	return exitUsage
}

// client returns a client for the configured server that remembers the
// last response body.
func (c *command) client() *client.Client {
	return client.New(c.opts.server,
		client.WithHTTPClient(&http.Client{}), // the context carries the timeout
		client.WithAppID(c.opts.appID),
		client.WithTeam(c.opts.team),
		client.WithToken(c.opts.token),
		client.WithResponseHook(func(_ *http.Response, body []byte) { c.lastBody = body }),
	)
}

// call runs fn with a deadline, then prints either the raw JSON answer
// (-json; error bodies too) or, through human, the decoded answer. An
// error is reported on stderr, after any partial answer fn returned.
func (c *command) call(ctx context.Context, fn func(context.Context, *client.Client) (human func(io.Writer), err error)) int {
	ctx, cancel := context.WithTimeout(ctx, c.opts.timeout)
	defer cancel()
	human, err := fn(ctx, c.client())
	switch {
	case c.opts.json && len(c.lastBody) > 0:
		writePrettyJSON(c.stdout, c.lastBody)
	case !c.opts.json && human != nil:
		human(c.stdout)
	}
	if err != nil {
		c.reportError(err)
		return exitError
	}
	return exitOK
}

// reportError prints err on stderr: the server's detail and hints for an
// *client.Error, the error itself otherwise.
func (c *command) reportError(err error) {
	var apiErr *client.Error
	if !errors.As(err, &apiErr) {
		fmt.Fprintf(c.stderr, "moniker %s: %v\n", c.name, err)
		return
	}
	msg := apiErr.Detail
	if msg == "" {
		msg = apiErr.Title
	}
	if msg == "" {
		msg = http.StatusText(apiErr.Status)
	}
	fmt.Fprintf(c.stderr, "moniker %s: %s (HTTP %d", c.name, msg, apiErr.Status)
	if apiErr.Code != "" {
		fmt.Fprintf(c.stderr, ", %s", apiErr.Code)
	}
	fmt.Fprintln(c.stderr, ")")
	hints := pairs{}
	hints.add("domain", apiErr.Domain)
	hints.add("documentation", apiErr.Documentation)
	hints.add("help_channel", apiErr.HelpChannel)
	if apiErr.EstimatedRows != nil {
		hints.add("estimated_rows", fmt.Sprint(*apiErr.EstimatedRows))
	}
	hints.write(c.stderr, "  ")
}

func (c *command) resolve(ctx context.Context, args []string) int {
	args, ok := c.flags(args, "MONIKER... | -", nil)
	if !ok {
		return exitUsage
	}
	if len(args) == 0 {
		return c.usageError("want at least one moniker (or - to read them from stdin)")
	}
	if len(args) == 1 && args[0] != "-" {
		return c.call(ctx, func(ctx context.Context, cl *client.Client) (func(io.Writer), error) {
			res, err := cl.Resolve(ctx, args[0])
			if err != nil {
				return nil, err
			}
			return func(w io.Writer) { printResolve(w, res) }, nil
		})
	}
	monikers, err := c.monikerArgs(args)
	if err != nil {
		fmt.Fprintf(c.stderr, "moniker resolve: reading stdin: %v\n", err)
		return exitError
	}
	if len(monikers) == 0 {
		return c.usageError("no monikers given")
	}
	return c.call(ctx, func(ctx context.Context, cl *client.Client) (func(io.Writer), error) {
		res, err := cl.ResolveBatch(ctx, monikers)
		if err != nil {
			return nil, err
		}
		return func(w io.Writer) { printBatch(w, res) }, batchError(res)
	})
}

// batchError lists the monikers of a batch that failed, so the command
// reports them and exits 1 when any did.
func batchError(res *client.BatchResponse) error {
	if len(res.Errors) == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d of %d monikers failed:", len(res.Errors), len(res.Errors)+len(res.Results))
	for _, m := range slices.Sorted(maps.Keys(res.Errors)) {
		fmt.Fprintf(&b, "\n  %s: %s", m, res.Errors[m])
	}
	return errors.New(b.String())
}

// monikerArgs expands "-" into the non-empty, non-comment lines of stdin.
func (c *command) monikerArgs(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		if a != "-" {
			out = append(out, a)
			continue
		}
		sc := bufio.NewScanner(c.stdin)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line != "" && !strings.HasPrefix(line, "#") {
				out = append(out, line)
			}
		}
		if err := sc.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// oneMoniker adapts a command that takes exactly one moniker.
func (c *command) oneMoniker(fn func(context.Context, *client.Client, string) (func(io.Writer), error)) func(context.Context, []string) int {
	return func(ctx context.Context, args []string) int {
		args, ok := c.flags(args, "MONIKER", nil)
		if !ok {
			return exitUsage
		}
		if len(args) != 1 {
			return c.usageError("want exactly one moniker, got %d arguments", len(args))
		}
		return c.call(ctx, func(ctx context.Context, cl *client.Client) (func(io.Writer), error) {
			return fn(ctx, cl, args[0])
		})
	}
}

// noArgs adapts a command that takes no arguments.
func (c *command) noArgs(fn func(context.Context, *client.Client) (func(io.Writer), error)) func(context.Context, []string) int {
	return func(ctx context.Context, args []string) int {
		args, ok := c.flags(args, "", nil)
		if !ok {
			return exitUsage
		}
		if len(args) != 0 {
			return c.usageError("takes no arguments, got %q", args)
		}
		return c.call(ctx, fn)
	}
}

func describe(ctx context.Context, cl *client.Client, m string) (func(io.Writer), error) {
	res, err := cl.Describe(ctx, m)
	if err != nil {
		return nil, err
	}
	return func(w io.Writer) { printDescribe(w, res) }, nil
}

func lineage(ctx context.Context, cl *client.Client, m string) (func(io.Writer), error) {
	res, err := cl.Lineage(ctx, m)
	if err != nil {
		return nil, err
	}
	return func(w io.Writer) { printLineage(w, res) }, nil
}

func metadata(ctx context.Context, cl *client.Client, m string) (func(io.Writer), error) {
	res, err := cl.Metadata(ctx, m)
	if err != nil {
		return nil, err
	}
	return func(w io.Writer) { printMetadata(w, res) }, nil
}

func stats(ctx context.Context, cl *client.Client) (func(io.Writer), error) {
	res, err := cl.Stats(ctx)
	if err != nil {
		return nil, err
	}
	return func(w io.Writer) { printStats(w, res) }, nil
}

func health(ctx context.Context, cl *client.Client) (func(io.Writer), error) {
	res, err := cl.Health(ctx)
	if err != nil {
		return nil, err
	}
	return func(w io.Writer) { printHealth(w, res) }, nil
}

func (c *command) list(ctx context.Context, args []string) int {
	args, ok := c.flags(args, "[PATH]", nil)
	if !ok {
		return exitUsage
	}
	if len(args) > 1 {
		return c.usageError("want at most one path, got %d arguments", len(args))
	}
	path := ""
	if len(args) == 1 {
		path = args[0]
	}
	return c.call(ctx, func(ctx context.Context, cl *client.Client) (func(io.Writer), error) {
		res, err := cl.List(ctx, path)
		if err != nil {
			return nil, err
		}
		return func(w io.Writer) {
			for _, child := range res.Children {
				fmt.Fprintln(w, child)
			}
		}, nil
	})
}

func (c *command) tree(ctx context.Context, args []string) int {
	depth := -1
	args, ok := c.flags(args, "[PATH]", func(fs *flag.FlagSet) {
		fs.IntVar(&depth, "depth", -1, "levels below each root to show (-1 = all)")
	})
	if !ok {
		return exitUsage
	}
	if len(args) > 1 {
		return c.usageError("want at most one path, got %d arguments", len(args))
	}
	path := ""
	if len(args) == 1 {
		path = args[0]
	}
	var d *int
	if depth >= 0 {
		d = &depth
	}
	return c.call(ctx, func(ctx context.Context, cl *client.Client) (func(io.Writer), error) {
		roots, err := cl.Tree(ctx, path, d)
		if err != nil {
			return nil, err
		}
		return func(w io.Writer) { printTree(w, roots, "") }, nil
	})
}

func (c *command) search(ctx context.Context, args []string) int {
	var status string
	var limit int
	args, ok := c.flags(args, "QUERY", func(fs *flag.FlagSet) {
		fs.StringVar(&status, "status", "", "only nodes with this lifecycle status")
		fs.IntVar(&limit, "limit", 0, "at most this many results (server default 50, max 200)")
	})
	if !ok {
		return exitUsage
	}
	if len(args) != 1 {
		return c.usageError("want exactly one query (quote it if it has spaces), got %d arguments", len(args))
	}
	return c.call(ctx, func(ctx context.Context, cl *client.Client) (func(io.Writer), error) {
		res, err := cl.Search(ctx, args[0], status, limit)
		if err != nil {
			return nil, err
		}
		return func(w io.Writer) { printSearch(w, res) }, nil
	})
}

// runCatalog runs the offline "catalog" commands.
func runCatalog(args []string, stdout, stderr io.Writer) int {
	const catalogUsage = "usage: moniker catalog check FILE...\n"
	if len(args) == 0 || args[0] != "check" {
		fmt.Fprint(stderr, catalogUsage)
		return exitUsage
	}
	fs := flag.NewFlagSet("moniker catalog check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, catalogUsage+
			"Loads each catalog file or folder exactly as the server would and prints\n"+
			"every error and warning (file:line: message), then a summary per file.\n"+
			"Exits 1 when any file has an error.\n")
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return exitUsage
	}
	report, ok := catalog.Check(fs.Args()...)
	fmt.Fprint(stdout, report)
	if !ok {
		return exitError
	}
	return exitOK
}

// writePrettyJSON writes body indented; a body that is not JSON is
// written as it is.
func writePrettyJSON(w io.Writer, body []byte) {
	var buf bytes.Buffer
	if err := json.Indent(&buf, bytes.TrimSpace(body), "", "  "); err != nil {
		w.Write(body)
		return
	}
	buf.WriteByte('\n')
	w.Write(buf.Bytes())
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
