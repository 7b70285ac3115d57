package models_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/moniker-svc/moniker/internal/models"
	"github.com/moniker-svc/moniker/internal/moniker"
)

func TestPatternMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		yes, no []string
	}{
		// Upstream's matcher treated a "*" after "." literally; the
		// documented semantics match.
		{"prices.*/*", []string{"prices.equity/AAPL", "prices./AAPL", "prices.equity/", "prices.fx.spot/EURUSD"},
			[]string{"prices.equity", "prices.equity/AAPL/x", "pricesXequity/AAPL", "prices/AAPL", "xprices.equity/AAPL"}},
		{"risk.cvar/*/*", []string{"risk.cvar/P1/USD", "risk.cvar//"}, []string{"risk.cvar/P1", "risk.cvar/P1/USD/x", "riskXcvar/P1/USD"}},
		{"portfolios/*/risk/**", []string{"portfolios/p1/risk/", "portfolios/p1/risk/a/b", "portfolios/p1/risk/a"},
			[]string{"portfolios/p1/risk", "portfolios/p1/p2/risk/a"}},
		{"**", []string{"", "a", "a/b/c"}, nil},
		{"*", []string{"", "abc"}, []string{"a/b"}},
		{"a/**/z", []string{"a//z", "a/b/c/z", "a/b/z"}, []string{"a/z", "a/b/c"}},
		{"a***b", []string{"ab", "a/x/b"}, []string{"a/x/c"}},
		{"quotes/*", []string{"quotes/EURUSD"}, []string{"quotes", "quotes/a/b"}},
		// Regular-expression metacharacters are literal.
		{"a.b", []string{"a.b"}, []string{"aXb"}},
		{"x[1]/(y)+?", []string{"x[1]/(y)+?"}, []string{"x1/y", "x[1]/(yy)"}},
		{"a|b", []string{"a|b"}, []string{"a", "b"}},
		{"^a$", []string{"^a$"}, []string{"a"}},
		{`a\d`, []string{`a\d`}, []string{"a1"}},
		{"fixed_income/govies/*", []string{"fixed_income/govies/UST10Y"}, []string{"fixed.income/govies/UST10Y", "fixed_income/govies"}},
		// Anchored: no partial matches.
		{"risk", []string{"risk"}, []string{"risk/x", "xrisk", "ris"}},
	} {
		p, err := models.Compile(tc.pattern)
		if err != nil {
			t.Fatalf("Compile(%q): %v", tc.pattern, err)
		}
		if p.String() != tc.pattern {
			t.Errorf("String() = %q", p.String())
		}
		for _, s := range tc.yes {
			if !p.Match(s) {
				t.Errorf("%q should match %q", tc.pattern, s)
			}
		}
		for _, s := range tc.no {
			if p.Match(s) {
				t.Errorf("%q should not match %q", tc.pattern, s)
			}
		}
	}
}

func TestPatternCompileErrors(t *testing.T) {
	for _, p := range []string{"", "a b", "a\tb", "a\nb", "a\x00", strings.Repeat("a", moniker.MaxLen+1)} {
		if _, err := models.Compile(p); !errors.Is(err, moniker.ErrInvalid) {
			t.Errorf("Compile(%q): %v, want ErrInvalid", p, err)
		}
	}
}

func BenchmarkPatternMatch(b *testing.B) {
	p, err := models.Compile("prices.*/*")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if !p.Match("prices.equity/AAPL") || p.Match("risk.cvar/P1/USD") {
			b.Fatal("wrong match")
		}
	}
}
