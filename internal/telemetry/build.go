package telemetry

import (
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/moniker-svc/moniker/internal/config"
)

// Sink defaults (upstream's constructor defaults).
const (
	DefaultFileDirectory    = "telemetry"
	DefaultFilePattern      = "telemetry-%Y%m%d-%H.jsonl"
	DefaultFileMaxBytes     = 100 << 20
	DefaultZMQEndpoint      = "tcp://*:5555"
	DefaultZMQTopic         = "telemetry"
	DefaultZMQHighWaterMark = 10000
)

// Env is what Build takes from the process.
type Env struct {
	// BaseDir is the config file's folder, against which a relative file
	// sink directory resolves ("" = the working directory).
	BaseDir string
	// Stdout and Stderr are the console sink's streams (nil = os.Stdout
	// and os.Stderr).
	Stdout, Stderr io.Writer
}

// FromConfig builds the configured sink and starts an Emitter on it. It
// returns nil (telemetry off) when telemetry.enabled is false.
func FromConfig(cfg config.Telemetry, env Env, log *slog.Logger) (*Emitter, error) {
	if !cfg.Enabled {
		return nil, nil
	}
	sink, err := Build(cfg, env, log)
	if err != nil {
		return nil, err
	}
	return New(Options{BatchSize: cfg.BatchSize, FlushInterval: cfg.FlushInterval(), MaxQueue: cfg.MaxQueueSize,
		Sink: sink, Log: log}), nil
}

// Build returns the sink of cfg.sink_type configured by cfg.sink_config,
// whose keys are checked strictly (an unknown key is an error naming it).
// An unknown sink type is the console sink with its defaults, as upstream
// (config.Warnings reports it).
//
//   - console: stream (stdout | stderr), format (json | compact | pretty),
//     prefix.
//   - file: directory (created; relative to env.BaseDir), path_pattern
//     (strftime %Y %m %d %H %M %%, evaluated in UTC, where upstream used
//     local time), max_bytes (0 = no limit), encoding (utf-8 only).
//   - zmq: endpoint (bound), topic, socket_type (pub only),
//     high_water_mark.
func Build(cfg config.Telemetry, env Env, log *slog.Logger) (Sink, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	typ := cfg.EffectiveSinkType()
	sc := sinkConfig{typ: typ, m: cfg.SinkConfig}
	if typ != cfg.SinkType {
		sc.m = nil
	}
	switch typ {
	case config.SinkFile:
		if err := sc.known("directory", "path_pattern", "max_bytes", "encoding"); err != nil {
			return nil, err
		}
		dir, err := sc.str("directory", DefaultFileDirectory)
		if err != nil {
			return nil, err
		}
		pattern, err := sc.str("path_pattern", DefaultFilePattern)
		if err != nil {
			return nil, err
		}
		maxBytes, err := sc.integer("max_bytes", DefaultFileMaxBytes)
		if err != nil {
			return nil, err
		}
		enc, err := sc.str("encoding", "utf-8")
		if err != nil {
			return nil, err
		}
		if e := strings.ToLower(enc); e != "utf-8" && e != "utf8" {
			return nil, sc.errorf("encoding", "%q is not supported (utf-8 only)", enc)
		}
		if !filepath.IsAbs(dir) && env.BaseDir != "" {
			dir = filepath.Join(env.BaseDir, dir)
		}
		f, err := NewFile(dir, pattern, maxBytes)
		if err != nil {
			return nil, fmt.Errorf("telemetry.sink_config: %w", err)
		}
		log.Info("telemetry file sink", "component", "telemetry", "directory", dir, "path_pattern", pattern, "max_bytes", maxBytes)
		return f, nil
	case config.SinkZMQ:
		if err := sc.known("endpoint", "topic", "socket_type", "high_water_mark"); err != nil {
			return nil, err
		}
		endpoint, err := sc.str("endpoint", DefaultZMQEndpoint)
		if err != nil {
			return nil, err
		}
		topic, err := sc.str("topic", DefaultZMQTopic)
		if err != nil {
			return nil, err
		}
		st, err := sc.str("socket_type", "pub")
		if err != nil {
			return nil, err
		}
		if st != "pub" {
			return nil, sc.errorf("socket_type", "%q is not supported (pub only)", st)
		}
		hwm, err := sc.integer("high_water_mark", DefaultZMQHighWaterMark)
		if err != nil {
			return nil, err
		}
		if hwm < 0 || hwm > math.MaxInt32 {
			return nil, sc.errorf("high_water_mark", "%d is out of range", hwm)
		}
		z, err := NewZMQ(endpoint, topic, int(hwm))
		if err != nil {
			return nil, fmt.Errorf("telemetry zmq sink: %w", err)
		}
		log.Info("telemetry zmq sink", "component", "telemetry", "endpoint", endpoint, "bound", z.Publisher().Addr().String(), "topic", topic)
		return z, nil
	}
	if err := sc.known("stream", "format", "prefix"); err != nil {
		return nil, err
	}
	stream, err := sc.str("stream", "stdout")
	if err != nil {
		return nil, err
	}
	format, err := sc.str("format", string(FormatJSON))
	if err != nil {
		return nil, err
	}
	prefix, err := sc.str("prefix", DefaultPrefix)
	if err != nil {
		return nil, err
	}
	var w io.Writer
	switch stream {
	case "stdout":
		w = env.Stdout
		if w == nil {
			w = os.Stdout
		}
	case "stderr":
		w = env.Stderr
		if w == nil {
			w = os.Stderr
		}
	default:
		return nil, sc.errorf("stream", "%q is not stdout or stderr", stream)
	}
	c, err := NewConsole(w, Format(format), prefix)
	if err != nil {
		return nil, sc.errorf("format", "%q is not json, compact or pretty", format)
	}
	return c, nil
}

// sinkConfig reads telemetry.sink_config for one sink type.
type sinkConfig struct {
	typ string
	m   map[string]any
}

func (c *sinkConfig) errorf(key, format string, args ...any) error {
	return fmt.Errorf("telemetry.sink_config.%s: %s", key, fmt.Sprintf(format, args...))
}

// known fails on the first (sorted) key that is not one of keys.
func (c *sinkConfig) known(keys ...string) error {
	var bad []string
	for k := range c.m {
		if !slices.Contains(keys, k) {
			bad = append(bad, k)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	slices.Sort(bad)
	return fmt.Errorf("telemetry.sink_config: unknown key %q for the %s sink (known: %s)", bad[0], c.typ, strings.Join(keys, ", "))
}

func (c *sinkConfig) str(key, def string) (string, error) {
	v, ok := c.m[key]
	if !ok || v == nil {
		return def, nil
	}
	s, ok := v.(string)
	if !ok {
		return "", c.errorf(key, "must be a string, not %T", v)
	}
	return s, nil
}

func (c *sinkConfig) integer(key string, def int64) (int64, error) {
	v, ok := c.m[key]
	if !ok || v == nil {
		return def, nil
	}
	switch n := v.(type) {
	case int:
		return int64(n), nil
	case int64:
		return n, nil
	case uint64:
		if n <= math.MaxInt64 {
			return int64(n), nil
		}
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
			return int64(n), nil
		}
	}
	return 0, c.errorf(key, "must be an integer, not %v", v)
}
