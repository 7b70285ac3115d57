package catalog

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/moniker-svc/moniker/internal/catalog/gen"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/yamlfile"
)

// Scale benchmarks and measurements.
//
//	go test ./internal/catalog -run '^$' -bench . -benchtime 3x
//	MONIKER_BENCH_1M=1 go test ./internal/catalog -run '^$' -bench Load1M -benchtime 1x -timeout 30m
//	MONIKER_RSS_NODES=100000 go test ./internal/catalog -run TestLoadPeakRSS -v
//	MONIKER_RSS_NODES=1000000 go test ./internal/catalog -run TestLoadPeakRSS -v -timeout 30m
//	MONIKER_RSS_NODES=100000 MONIKER_RSS_YAML_ONLY=1 go test ./internal/catalog -run TestLoadPeakRSS -v  # without the fast parser
//
// Generated catalogs are cached in the OS temp dir
// (moniker-bench-<nodes>-seed1.yaml), since writing 600 MB takes a while.

// benchCatalogFile returns a generated catalog of n nodes, writing it on
// first use.
func benchCatalogFile(tb testing.TB, n int) string {
	tb.Helper()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("moniker-bench-%d-seed1.yaml", n))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	tmp, err := os.CreateTemp(os.TempDir(), "moniker-bench-*.tmp")
	if err != nil {
		tb.Fatal(err)
	}
	if err := gen.Write(tmp, gen.Options{Nodes: n, Seed: 1}); err != nil {
		tmp.Close()
		tb.Fatal(err)
	}
	if err := tmp.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		tb.Fatal(err)
	}
	return path
}

// peakRSSMB reads the process's peak resident set size (VmHWM).
func peakRSSMB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}

func benchLoad(b *testing.B, n int, yamlOnly bool) {
	path := benchCatalogFile(b, n)
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(fi.Size())
	b.ReportAllocs()
	for b.Loop() {
		l := newLoader()
		l.yamlOnly = yamlOnly
		c, _, err := l.load(path)
		if err != nil || c.Len() != n {
			b.Fatalf("Load: %v", err)
		}
	}
	// Process-wide peak, so it includes the benchmark harness and earlier
	// benchmarks; TestLoadPeakRSS measures a load in a fresh process.
	b.ReportMetric(peakRSSMB(), "peak-RSS-MB")
}

// BenchmarkLoad100k loads the 100,000-node catalog as Load does (with the
// fast parser), and with every entry parsed by yaml.v3 instead (what the
// loader would do without it). README "Scale" reports the ratio:
//
//	go test ./internal/catalog -run '^$' -bench 'Load100k' -benchtime 3x -count 6
func BenchmarkLoad100k(b *testing.B) {
	b.Run("fastyaml", func(b *testing.B) { benchLoad(b, 100_000, false) })
	b.Run("yaml.v3", func(b *testing.B) { benchLoad(b, 100_000, true) })
}

func BenchmarkLoad1M(b *testing.B) {
	if os.Getenv("MONIKER_BENCH_1M") != "1" {
		b.Skip("set MONIKER_BENCH_1M=1 to run the 1,000,000-node load")
	}
	benchLoad(b, 1_000_000, false)
}

// BenchmarkParseEntries parses the same entries (the first 20,000 of the
// 100,000-node catalog) into yaml.Node trees with the fast parser and with
// yaml.v3, on one goroutine, without decoding them.
func BenchmarkParseEntries(b *testing.B) {
	data, err := os.ReadFile(benchCatalogFile(b, 100_000))
	if err != nil {
		b.Fatal(err)
	}
	ents := entriesOf(b, data)[:20_000]
	size := 0
	for _, e := range ents {
		size += len(e)
	}
	b.Run("fastyaml", func(b *testing.B) {
		b.SetBytes(int64(size))
		b.ReportAllocs()
		var fp fastParser
		for b.Loop() {
			fp.arena.reset()
			for _, e := range ents {
				if _, _, ok := fp.parseEntry(e); !ok {
					b.Fatalf("fast parser declined %q", e)
				}
			}
		}
	})
	b.Run("yaml.v3", func(b *testing.B) {
		b.SetBytes(int64(size))
		b.ReportAllocs()
		for b.Loop() {
			for _, e := range ents {
				if _, _, err := yamlfile.ParseEntry(e); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

func BenchmarkNew100k(b *testing.B) {
	c := loadBench(b)
	nodes := c.Nodes()
	b.ReportAllocs()
	for b.Loop() {
		New(nodes)
	}
}

func loadBench(b *testing.B) *Catalog {
	b.Helper()
	c, _, err := Load(benchCatalogFile(b, 100_000))
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func BenchmarkSearch(b *testing.B) {
	c := loadBench(b)
	tests := []struct {
		name, q string
		status  moniker.Status
	}{
		{"hit", "desk a x", ""},
		{"hit-rare", "prices7.equity", ""},
		{"miss", "zzqqxx", ""},
		{"miss-common-trigrams", "records for prices1.curves", ""},
		{"short-2", "eo", ""},
		{"short-1", "q", ""},
		{"empty", "", ""},
		{"status-deprecated", "desk", moniker.StatusDeprecated},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c.Search(tt.q, tt.status, 50)
			}
		})
	}
}

func BenchmarkPage(b *testing.B) {
	c := loadBench(b)
	mid := c.Nodes()[c.Len()/2].Path
	b.Run("all", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c.Page(mid, 100, "")
		}
	})
	b.Run("deprecated", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c.Page(mid, 100, moniker.StatusDeprecated)
		}
	})
}

func BenchmarkChildren(b *testing.B) {
	c := loadBench(b)
	root := c.Roots()[len(c.Roots())/2].Path
	b.Run("Children", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c.Children(root)
		}
	})
	b.Run("ChildNames", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c.ChildNames(root)
		}
	})
	b.Run("Roots", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c.Roots()
		}
	})
}

// TestLoadPeakRSS measures one load of a generated catalog in a fresh
// process (so VmHWM is the load's own peak): wall time, CPU time, peak RSS
// and live heap. Set MONIKER_RSS_NODES to the node count.
func TestLoadPeakRSS(t *testing.T) {
	if os.Getenv("MONIKER_RSS_CHILD") == "1" {
		loadPeakRSSChild(t)
		return
	}
	n, _ := strconv.Atoi(os.Getenv("MONIKER_RSS_NODES"))
	if n <= 0 {
		t.Skip("set MONIKER_RSS_NODES (e.g. 100000 or 1000000) to measure")
	}
	path := benchCatalogFile(t, n)
	cmd := exec.Command(os.Args[0], "-test.run=^TestLoadPeakRSS$", "-test.v")
	cmd.Env = append(os.Environ(), "MONIKER_RSS_CHILD=1", "MONIKER_RSS_FILE="+path, "MONIKER_RSS_NODES="+strconv.Itoa(n))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	for line := range strings.SplitSeq(string(out), "\n") {
		if strings.Contains(line, "RESULT") {
			t.Log(strings.TrimSpace(line))
		}
	}
}

func loadPeakRSSChild(t *testing.T) {
	path := os.Getenv("MONIKER_RSS_FILE")
	n, _ := strconv.Atoi(os.Getenv("MONIKER_RSS_NODES"))
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	cpu := func() time.Duration {
		var ru syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	l := newLoader()
	l.yamlOnly = os.Getenv("MONIKER_RSS_YAML_ONLY") == "1"
	start, cpu0 := time.Now(), cpu()
	c, _, err := l.load(path)
	wall, used := time.Since(start), cpu()-cpu0
	if err != nil || c.Len() != n {
		t.Fatalf("Load: %v (%d nodes)", err, c.Len())
	}
	peak := peakRSSMB()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	idx := 0
	if c.search != nil {
		idx = len(c.search.data) + 8*len(c.search.off)
	}
	fmt.Printf("RESULT nodes=%d file=%.0fMB wall=%.2fs cpu=%.2fs peakRSS=%.0fMB liveHeap=%.0fMB searchIndex=%.0fMB GOMAXPROCS=%d yamlOnly=%v\n",
		n, float64(fi.Size())/(1<<20), wall.Seconds(), used.Seconds(), peak, float64(ms.HeapAlloc)/(1<<20),
		float64(idx)/(1<<20), runtime.GOMAXPROCS(0), l.yamlOnly)
	runtime.KeepAlive(c)
}

// BenchmarkSplit100k: cutting the 100,000-node file into batches of
// entries (yamlfile.Splitter), without parsing them.
func BenchmarkSplit100k(b *testing.B) {
	data, err := os.ReadFile(benchCatalogFile(b, 100_000))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		sp := &splitter{r: bufio.NewReaderSize(bytes.NewReader(data), 1<<20)}
		n := 0
		sp.run(func(bt *batch) bool { n += len(bt.entries); return true })
		if n != 100_000 || sp.fallback != nil {
			b.Fatalf("%d entries, fallback %+v", n, sp.fallback)
		}
	}
}
