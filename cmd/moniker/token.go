package main

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/moniker-svc/moniker/internal/auth"
)

// minSecretLen is the secret length below which token warns (upstream's
// generate_test_token did the same).
const minSecretLen = 32

const tokenUsage = `usage: moniker token -secret SECRET -user USER [-expires 1h] [-audience AUD] [-groups g1,g2]

Issues an HS256 token for JWT test mode, for local development: the server
must have auth.enabled, auth.okta.enabled, auth.okta.issuer: test and
auth.okta.test_secret set to SECRET (and, when it sets auth.okta.audience,
the same -audience). Prints a shell line to export it, which the moniker
client and the Python client read, then the decoded claims as comments:

  eval "$(moniker token -secret "$SECRET" -user alice -groups editors)"

`

// secondsOrDuration is a flag value taking a Go duration ("90m") or, as
// upstream's --expires did, a number of seconds ("3600").
type secondsOrDuration struct{ d *time.Duration }

func (v secondsOrDuration) String() string {
	if v.d == nil {
		return ""
	}
	return v.d.String()
}

func (v secondsOrDuration) Set(s string) error {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		*v.d = time.Duration(n) * time.Second
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return errors.New("want a duration (1h, 30m) or a number of seconds")
	}
	*v.d = d
	return nil
}

// runToken is "moniker token": it prints an HS256 test token issued at
// now.
func runToken(args []string, now time.Time, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("moniker token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	secret := fs.String("secret", "", "the server's auth.okta.test_secret (required)")
	user := fs.String("user", "", "the principal, put in the sub claim (required)")
	tt := auth.TestToken{Expires: time.Hour}
	fs.Var(secondsOrDuration{&tt.Expires}, "expires", "lifetime: a duration or a number of seconds")
	fs.StringVar(&tt.Audience, "audience", "", "the aud claim: the server's auth.okta.audience, when it sets one")
	groups := fs.String("groups", "", "comma-separated groups claim (auth.roles maps groups to roles)")
	fs.Usage = func() {
		fmt.Fprint(stderr, tokenUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	usageErr := func(msg string) int {
		fmt.Fprintf(stderr, "moniker token: %s\n", msg)
		fs.Usage()
		return exitUsage
	}
	switch {
	case fs.NArg() > 0:
		return usageErr(fmt.Sprintf("unexpected argument %q", fs.Arg(0)))
	case *secret == "":
		return usageErr("-secret is required")
	case *user == "":
		return usageErr("-user is required")
	case tt.Expires <= 0:
		return usageErr("-expires must be positive")
	}
	tt.User = *user
	for g := range strings.SplitSeq(*groups, ",") {
		if g = strings.TrimSpace(g); g != "" {
			tt.Groups = append(tt.Groups, g)
		}
	}
	if len(*secret) < minSecretLen {
		fmt.Fprintf(stderr, "moniker token: warning: the secret is shorter than %d characters\n", minSecretLen)
	}
	tok, err := auth.SignTestToken(*secret, tt, now)
	if err != nil {
		fmt.Fprintf(stderr, "moniker token: %v\n", err)
		return exitError
	}
	fmt.Fprintf(stdout, "export MONIKER_JWT=%s\n", tok)
	if err := printClaims(stdout, tok); err != nil {
		fmt.Fprintf(stderr, "moniker token: %v\n", err)
		return exitError
	}
	return exitOK
}

// printClaims decodes the token's payload and prints its claims as shell
// comments, times as RFC 3339 UTC.
func printClaims(w io.Writer, tok string) error {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return errors.New("malformed token")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return err
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		return err
	}
	fmt.Fprintln(w, "# claims:")
	for _, k := range []string{"iss", "sub", "aud", "groups", "iat", "exp"} {
		v, ok := claims[k]
		if !ok {
			continue
		}
		switch v := v.(type) {
		case float64:
			fmt.Fprintf(w, "#   %-8s %s\n", k+":", time.Unix(int64(v), 0).UTC().Format(time.RFC3339))
		case []any:
			s := make([]string, len(v))
			for i, g := range v {
				s[i] = fmt.Sprint(g)
			}
			fmt.Fprintf(w, "#   %-8s %s\n", k+":", strings.Join(s, ", "))
		default:
			fmt.Fprintf(w, "#   %-8s %v\n", k+":", v)
		}
	}
	return nil
}
