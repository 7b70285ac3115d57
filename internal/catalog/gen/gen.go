// Package gen writes synthetic catalog YAML shaped like our test catalog
// (testdata/catalog.yaml, itself shaped like the catalogs the previous
// service shipped): domains and categories with
// ownership and documentation, bound nodes with snowflake, oracle, rest and
// static bindings whose templates use {segments[N]}, {filter[N]:col} and
// {version_date}, schema columns, tags, access policies, a few deprecated
// nodes with successors, and dotted and slashed paths at several depths.
//
// The output is deterministic for a seed and averages about 600 bytes of
// YAML per node, so 100,000 nodes are about 60 MB. It is used by the
// catalog benchmarks and by cmd/catgen.
package gen

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
)

// Options configures Write.
type Options struct {
	// Nodes is the exact number of nodes to write.
	Nodes int
	// Seed makes the output reproducible: the same Nodes and Seed always
	// give the same bytes.
	Seed uint64
}

var domainWords = [...]string{
	"prices", "rates", "risk", "credit", "reference", "portfolios", "benchmarks",
	"commodities", "flows", "nav", "reports", "securities", "fixed_income",
	"macro", "fx", "equities", "holdings", "analytics", "liquidity", "treasury",
}

var categoryWords = [...]string{
	"equity", "curves", "cvar", "var", "exposures", "limits", "calendars",
	"constituents", "returns", "sovereign", "corporate", "aum", "redemptions",
	"subscriptions", "official", "estimated", "attribution", "performance",
	"stress", "greeks", "spreads", "futures", "options", "swaps", "pools",
	"prepay", "ratings", "issuers", "trades", "settlements",
}

var leafWords = [...]string{
	"daily", "intraday", "eod", "monthly", "history", "latest", "snapshot",
	"emea", "apac", "amer", "desk_a", "desk_b", "gross", "net", "summary",
	"detail", "regulatory", "client", "internal", "archive",
}

var columnWords = [...]string{
	"ASOF_DATE", "PORTFOLIO_ID", "SECURITY_ID", "CURRENCY", "PRICE", "YIELD",
	"SPREAD", "WEIGHT", "NOTIONAL", "RATING", "SECTOR", "COUNTRY", "TENOR",
	"DURATION", "VOLUME",
}

var columnTypes = [...]string{"string", "date", "float", "integer"}

var semanticTypes = [...]string{"identifier", "dimension", "measure", "timestamp"}

var tagWords = [...]string{
	"daily", "eod", "regulatory", "pii", "gold", "timeseries", "reference",
	"market-data", "risk", "finance", "golden-source", "derived",
}

// Write writes a catalog of exactly opts.Nodes nodes to w.
func Write(w io.Writer, opts Options) error {
	g := &generator{
		w:   bufio.NewWriterSize(w, 1<<20),
		rnd: rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)),
		n:   opts.Nodes,
	}
	for d := 0; g.count < g.n; d++ {
		g.domain(d)
	}
	return g.w.Flush()
}

type generator struct {
	w     *bufio.Writer
	rnd   *rand.Rand
	n     int
	count int
	// bound holds bound paths of the current domain, successor candidates.
	bound []string
}

func (g *generator) pick(words []string) string { return words[g.rnd.IntN(len(words))] }

func title(s string) string {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '_' || r == '.' || r == '/' })
	for i, p := range parts {
		parts[i] = strings.ToUpper(p[:1]) + p[1:]
	}
	return strings.Join(parts, " ")
}

// domain writes one root domain with its categories and leaves.
func (g *generator) domain(d int) {
	word := domainWords[d%len(domainWords)]
	root := fmt.Sprintf("%s%d", word, d/len(domainWords))
	g.bound = g.bound[:0]
	if !g.category(root, word, true) {
		return
	}
	cats := 4 + g.rnd.IntN(5)
	used := map[string]bool{}
	for c := 0; c < cats && g.count < g.n; c++ {
		cw := g.pick(categoryWords[:])
		if used[cw] {
			continue
		}
		used[cw] = true
		cat := root + "." + cw
		if g.rnd.IntN(3) == 0 {
			// A bound category (like benchmarks.constituents).
			g.bound1(cat, 0)
		} else if !g.category(cat, cw, false) {
			return
		}
		leaves := 3 + g.rnd.IntN(8)
		lused := map[string]bool{}
		for l := 0; l < leaves && g.count < g.n; l++ {
			lw := g.pick(leafWords[:])
			if lused[lw] {
				continue
			}
			lused[lw] = true
			sep := "/"
			if g.rnd.IntN(4) == 0 {
				sep = "." // dotted leaf inside the first segment
			}
			leaf := cat + sep + lw
			g.bound1(leaf, 1)
			if sep == "/" && g.rnd.IntN(5) == 0 && g.count < g.n {
				g.bound1(leaf+"/"+g.pick(leafWords[:])+"_x", 2)
			}
		}
	}
}

// category writes an unbound node with ownership and documentation. It
// reports whether there is room for more nodes.
func (g *generator) category(path, word string, root bool) bool {
	if g.count >= g.n {
		return false
	}
	g.count++
	w := g.w
	fmt.Fprintf(w, "%s:\n  display_name: %s\n", path, title(word))
	fmt.Fprintf(w, "  description: %s data sets, curated for %s consumers and downstream analytics\n", title(word), path)
	if root || g.rnd.IntN(3) == 0 {
		fmt.Fprintf(w, "  ownership:\n    accountable_owner: %s-governance@firm.com\n", word)
		fmt.Fprintf(w, "    data_specialist: %s-quant@firm.com\n    support_channel: '#%s-data'\n", word, word)
		if g.rnd.IntN(4) == 0 {
			fmt.Fprintf(w, "    adop: %s-head@firm.com\n    ads: %s-steward@firm.com\n", word, word)
		}
	}
	if root {
		fmt.Fprintf(w, "  documentation:\n    glossary: https://docs.firm.com/data/%s/glossary\n", word)
		fmt.Fprintf(w, "    runbook: https://docs.firm.com/ops/%s/runbook\n", word)
		if g.rnd.IntN(3) == 0 {
			fmt.Fprintf(w, "  classification: confidential\n")
		}
		if g.rnd.IntN(2) == 0 {
			fmt.Fprintf(w, "  domain: %s\n", word)
		}
	}
	return true
}

// bound1 writes a node with a source binding; depth is its level below
// its category.
func (g *generator) bound1(path string, depth int) {
	if g.count >= g.n {
		return
	}
	g.count++
	w := g.w
	leaf := path[strings.LastIndexAny(path, "./")+1:]
	fmt.Fprintf(w, "%s:\n  display_name: %s\n", path, title(leaf))
	fmt.Fprintf(w, "  description: %s records for %s by portfolio and date, refreshed daily from the golden source\n", title(leaf), path[:strings.IndexAny(path+".", "./")])
	table := strings.ToUpper(strings.NewReplacer(".", "_", "/", "_").Replace(path))
	switch k := g.rnd.IntN(20); {
	case k < 10:
		fmt.Fprintf(w, "  source_binding:\n    type: snowflake\n    config:\n      account: mk-analytics.eu-west-1\n")
		fmt.Fprintf(w, "      warehouse: ANALYTICS_WH\n      database: %s\n      schema: CORE\n", strings.ToUpper(leaf))
		fmt.Fprintf(w, "      query: \"SELECT asof_date, portfolio_id, security_id, value\\nFROM %s\\n", table)
		fmt.Fprintf(w, "WHERE portfolio_id = '{segments[0]}'\\n  AND {filter[1]:currency}\\n  AND asof_date = {version_date}\\nORDER BY asof_date DESC, portfolio_id\\n\"\n")
	case k < 13:
		fmt.Fprintf(w, "  source_binding:\n    type: oracle\n    config:\n      dsn: ORAPROD\n")
		fmt.Fprintf(w, "      query: 'SELECT * FROM %s WHERE {filter[0]:desk} AND book = ''{segments[1]}'''\n", table)
	case k < 17:
		fmt.Fprintf(w, "  source_binding:\n    type: rest\n    config:\n      base_url: https://%s.internal.firm.com\n", strings.ReplaceAll(leaf, "_", "-"))
		tmpl := "/api/v1/" + leaf + "/{segments[0]}"
		if depth > 1 {
			tmpl += "/{segments[1]}"
		}
		fmt.Fprintf(w, "      path_template: %s\n      method: GET\n      auth_type: bearer\n", tmpl)
	default:
		fmt.Fprintf(w, "  source_binding:\n    type: static\n    config:\n      base_path: /data/%s\n", leaf)
		fmt.Fprintf(w, "      file_pattern: '{segments[0]}_%s.csv'\n", leaf)
	}
	if g.rnd.IntN(4) == 0 {
		fmt.Fprintf(w, "  ownership:\n    data_specialist: %s-desk@firm.com\n", strings.ReplaceAll(leaf, "_", "-"))
	}
	if g.rnd.IntN(10) == 0 {
		fmt.Fprintf(w, "  classification: confidential\n")
	}
	if g.rnd.IntN(2) == 0 {
		fmt.Fprintf(w, "  schema:\n    columns:\n")
		for c, n := 0, 2+g.rnd.IntN(2); c < n; c++ {
			col := g.pick(columnWords[:])
			fmt.Fprintf(w, "    - name: %s\n      type: %s\n      description: %s of the record\n      semantic_type: %s\n",
				col, g.pick(columnTypes[:]), title(strings.ToLower(col)), g.pick(semanticTypes[:]))
		}
	}
	if g.rnd.IntN(3) == 0 {
		fmt.Fprintf(w, "  tags:\n  - %s\n  - %s\n", g.pick(tagWords[:]), g.pick(tagWords[:]))
	}
	if g.rnd.IntN(10) == 0 {
		fmt.Fprintf(w, "  access_policy:\n    min_filters: 1\n    blocked_patterns:\n    - ALL/ALL\n    max_rows_warn: 10000000\n")
	}
	switch k := g.rnd.IntN(200); {
	case k == 0 && len(g.bound) > 0:
		fmt.Fprintf(w, "  status: deprecated\n  deprecation_message: Use %s instead\n", g.bound[len(g.bound)-1])
		fmt.Fprintf(w, "  successor: %s\n  sunset_deadline: '2027-06-30'\n", g.bound[len(g.bound)-1])
	case k == 1:
		fmt.Fprintf(w, "  status: draft\n")
	case k == 2:
		fmt.Fprintf(w, "  status: archived\n")
	}
	g.bound = append(g.bound, path)
}
