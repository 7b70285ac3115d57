package resolve

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/moniker-svc/moniker/internal/catalog"
	"github.com/moniker-svc/moniker/internal/moniker"
)

// mustParse parses a moniker or fails the test.
func mustParse(t testing.TB, s string) *moniker.Moniker {
	t.Helper()
	m, err := moniker.Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return &m
}

// fixedClock is a settable clock for tests.
type fixedClock struct{ t time.Time }

func (c *fixedClock) now() time.Time { return c.t }

// testDomains is a Domains backed by a map.
type testDomains map[string]*moniker.DomainRecord

func (d testDomains) Get(name string) *moniker.DomainRecord { return d[name] }

// snowflake returns a snowflake binding with the given query.
func snowflake(q string) *moniker.SourceBinding {
	return &moniker.SourceBinding{Type: "snowflake", ReadOnly: true, Config: map[string]any{
		"account": "acct", "warehouse": "WH", "database": "DB", "schema": "S", "query": q,
	}}
}

// owners returns an Ownership with the first three fields set.
func owners(ao, ds, sc string) moniker.Ownership {
	var o moniker.Ownership
	o[moniker.AccountableOwner], o[moniker.DataSpecialist], o[moniker.SupportChannel] = ao, ds, sc
	return o
}

// newSnap builds a Snapshot over nodes built in code.
func newSnap(nodes []*moniker.Node, domains Domains, opts Options) *Snapshot {
	return NewSnapshot(catalog.New(nodes), domains, opts)
}

// resolveBody resolves s and decodes the JSON body into a map, checking
// it decodes to exactly the same document as encoding/json would give.
func resolveBody(t *testing.T, s *Snapshot, text string) map[string]any {
	t.Helper()
	e, _, err := s.Resolve(mustParse(t, text))
	if err != nil {
		t.Fatalf("Resolve(%q): %v", text, err)
	}
	return decodeBody(t, e.Body)
}

func decodeBody(t testing.TB, body []byte) map[string]any {
	t.Helper()
	var got map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, body)
	}
	if dec.More() {
		t.Fatalf("trailing data after body: %s", body)
	}
	return got
}

// asDenied returns err as a *moniker.DeniedError or fails.
func asDenied(t *testing.T, err error) *moniker.DeniedError {
	t.Helper()
	var d *moniker.DeniedError
	if !errors.As(err, &d) || !errors.Is(err, moniker.ErrDenied) {
		t.Fatalf("err = %v (%T), want *moniker.DeniedError", err, err)
	}
	return d
}
