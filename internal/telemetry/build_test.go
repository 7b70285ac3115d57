package telemetry

import (
	"bytes"
	"context"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moniker-svc/moniker/internal/config"
	"github.com/moniker-svc/moniker/internal/fixtures"
)

func telemetryConfig(sinkType string, sc map[string]any) config.Telemetry {
	t := config.Default().Telemetry
	t.SinkType, t.SinkConfig = sinkType, sc
	return t
}

func TestBuild(t *testing.T) {
	tests := []struct {
		name    string
		typ     string
		sc      map[string]any
		want    string // sink type built
		wantErr string // substring of the error
	}{
		{"console default", "console", nil, "*telemetry.Console", ""},
		{"console sample", "console", map[string]any{"format": "compact"}, "*telemetry.Console", ""},
		{"console all keys", "console", map[string]any{"stream": "stderr", "format": "pretty", "prefix": ""}, "*telemetry.Console", ""},
		{"console unknown key", "console", map[string]any{"format": "json", "colour": true}, "", `unknown key "colour" for the console sink`},
		{"console bad stream", "console", map[string]any{"stream": "stdlog"}, "", "telemetry.sink_config.stream"},
		{"console bad format", "console", map[string]any{"format": "yaml"}, "", "telemetry.sink_config.format"},
		{"console prefix not a string", "console", map[string]any{"prefix": 3}, "", "telemetry.sink_config.prefix: must be a string"},
		{"unknown type is console with defaults", "kafka", map[string]any{"brokers": "x"}, "*telemetry.Console", ""},
		{"file", "file", map[string]any{"directory": "tel", "path_pattern": "telemetry-%Y%m%d.jsonl", "max_bytes": 1000, "encoding": "UTF-8"}, "*telemetry.File", ""},
		{"file float max_bytes", "file", map[string]any{"directory": "tel", "max_bytes": 1000.0}, "*telemetry.File", ""},
		{"file fractional max_bytes", "file", map[string]any{"directory": "tel", "max_bytes": 10.5}, "", "telemetry.sink_config.max_bytes: must be an integer"},
		{"file bad pattern", "file", map[string]any{"directory": "tel", "path_pattern": "t-%s"}, "", "%s is not supported"},
		{"file bad encoding", "file", map[string]any{"directory": "tel", "encoding": "latin-1"}, "", "telemetry.sink_config.encoding"},
		{"file unknown key", "file", map[string]any{"directory": "tel", "path": "x"}, "", `unknown key "path" for the file sink`},
		{"zmq", "zmq", map[string]any{"endpoint": "tcp://127.0.0.1:0", "topic": "moniker", "socket_type": "pub", "high_water_mark": 5}, "*telemetry.ZMQ", ""},
		{"zmq push", "zmq", map[string]any{"endpoint": "tcp://127.0.0.1:0", "socket_type": "push"}, "", "telemetry.sink_config.socket_type"},
		{"zmq unknown key", "zmq", map[string]any{"endpoint": "tcp://127.0.0.1:0", "linger": 1}, "", `unknown key "linger" for the zmq sink`},
		{"zmq bad endpoint", "zmq", map[string]any{"endpoint": "nowhere"}, "", "telemetry zmq sink"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := t.TempDir()
			sink, err := Build(telemetryConfig(tt.typ, tt.sc), Env{BaseDir: base}, nil)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer sink.Close()
			if got := typeName(sink); got != tt.want {
				t.Errorf("built %s, want %s", got, tt.want)
			}
			if tt.typ == "file" {
				if _, err := os.Stat(filepath.Join(base, "tel")); err != nil {
					t.Errorf("directory not created relative to the config folder: %v", err)
				}
			}
		})
	}
}

// TestBuildConsoleStreams checks that the console sink writes to the
// streams it is given (run's stdout and stderr), not the process's.
func TestBuildConsoleStreams(t *testing.T) {
	for _, stream := range []string{"stdout", "stderr"} {
		var out, errOut bytes.Buffer
		sink, err := Build(telemetryConfig("console", map[string]any{"stream": stream, "format": "compact"}), Env{Stdout: &out, Stderr: &errOut}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := sink.Write(context.Background(), []Event{{MonikerPath: "a/b", Operation: OpRead, Outcome: OutcomeSuccess}}); err != nil {
			t.Fatal(err)
		}
		got, other := out.String(), errOut.String()
		if stream == "stderr" {
			got, other = other, got
		}
		if !strings.HasPrefix(got, DefaultPrefix) || !strings.Contains(got, " anonymous read a/b success 0.0ms") || other != "" {
			t.Errorf("stream %s: wrote %q to it and %q to the other", stream, got, other)
		}
	}
}

func typeName(s Sink) string {
	switch s.(type) {
	case *Console:
		return "*telemetry.Console"
	case *File:
		return "*telemetry.File"
	case *ZMQ:
		return "*telemetry.ZMQ"
	}
	return "?"
}

func TestFromConfig(t *testing.T) {
	off := config.Default().Telemetry
	off.Enabled = false
	if em, err := FromConfig(off, Env{}, nil); em != nil || err != nil {
		t.Errorf("telemetry.enabled false: %v, %v", em, err)
	}
	on := telemetryConfig("file", map[string]any{"directory": "t"})
	on.BatchSize, on.MaxQueueSize = 5, 7
	em, err := FromConfig(on, Env{BaseDir: t.TempDir()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if em.batchSize != 5 || em.maxQueue != 7 || em.interval != on.FlushInterval() {
		t.Errorf("options not applied: batch %d, queue %d, interval %v", em.batchSize, em.maxQueue, em.interval)
	}
	if err := em.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := FromConfig(telemetryConfig("console", map[string]any{"nope": 1}), Env{}, nil); err == nil {
		t.Error("bad sink_config accepted")
	}
}

// TestBuildSampleConfigs builds the sinks of our test configs and of
// the previous service's sample configs.
func TestBuildSampleConfigs(t *testing.T) {
	for _, name := range []string{"config.yaml", "config_zmq.yaml"} {
		t.Run("testdata/"+name, func(t *testing.T) { buildSample(t, fixtures.File(t, name)) })
	}
	t.Run("compat", func(t *testing.T) {
		files, err := filepath.Glob(filepath.Join(fixtures.CompatDir(t), "*", "sample_config*.yaml"))
		if err != nil || len(files) < 2 {
			t.Fatalf("sample configs: %v %v", files, err)
		}
		for _, f := range files {
			t.Run(filepath.Base(filepath.Dir(f))+"/"+filepath.Base(f), func(t *testing.T) { buildSample(t, f) })
		}
	})
}

// buildSample builds and closes the sink of config file f.
func buildSample(t *testing.T, f string) {
	t.Helper()
	c, err := config.Load(f)
	if err != nil {
		t.Fatal(err)
	}
	tc := c.Telemetry
	if tc.SinkType == config.SinkZMQ {
		// Bind a free port rather than the sample's fixed one.
		sc := maps.Clone(tc.SinkConfig)
		sc["endpoint"] = "tcp://127.0.0.1:0"
		tc.SinkConfig = sc
	}
	sink, err := Build(tc, Env{BaseDir: t.TempDir()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	sink.Close()
}
