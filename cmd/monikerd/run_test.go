package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/moniker-svc/moniker/internal/config"
)

// TestListenPrecedence pins flag > config file > target default for the
// listen address (server.port counts only when the file sets it).
func TestListenPrecedence(t *testing.T) {
	dir := t.TempDir()
	withPort := filepath.Join(dir, "with.yaml")
	os.WriteFile(withPort, []byte("server:\n  port: 9999\n"), 0o644)
	without := filepath.Join(dir, "without.yaml")
	os.WriteFile(without, []byte("cache:\n  enabled: true\n"), 0o644)
	load := func(p string) *config.Config {
		c, err := config.Load(p)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	for _, tt := range []struct {
		target, listen string
		cfg            *config.Config
		want           string
	}{
		{"resolver", "", config.Default(), ":8051"},
		{"management", "", config.Default(), ":8052"},
		{"all", "", config.Default(), ":8050"},
		{"resolver", "", load(without), ":8051"},
		{"resolver", "", load(withPort), "0.0.0.0:9999"},
		{"resolver", "127.0.0.1:1234", load(withPort), "127.0.0.1:1234"},
	} {
		if got := listenAddr(options{target: tt.target, listen: tt.listen}, tt.cfg); got != tt.want {
			t.Errorf("target %s listen %q: %s, want %s", tt.target, tt.listen, got, tt.want)
		}
	}
}

func TestFlags(t *testing.T) {
	if _, err := parseFlags([]string{"-target=bogus"}, os.Stderr); err == nil {
		t.Error("bad target accepted")
	}
	if _, err := parseFlags([]string{"extra"}, os.Stderr); err == nil {
		t.Error("stray argument accepted")
	}
	o, err := parseFlags([]string{"-target=resolver", "-listen=:1"}, os.Stderr)
	if err != nil || o.target != "resolver" || o.listen != ":1" {
		t.Errorf("%+v %v", o, err)
	}
}
