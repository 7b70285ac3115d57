package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
)

// Format is how the console sink prints an event.
type Format string

// Console formats (upstream's).
const (
	// FormatJSON is one line of JSON per event.
	FormatJSON Format = "json"
	// FormatCompact is "<timestamp> <principal> <operation> <moniker_path>
	// <outcome> <latency>ms", latency with one decimal.
	FormatCompact Format = "compact"
	// FormatPretty is JSON indented by two spaces, the prefix on its
	// first line only.
	FormatPretty Format = "pretty"
)

// DefaultPrefix starts every console line (upstream's).
const DefaultPrefix = "[TELEMETRY] "

// Console prints events to a writer (stdout or stderr in production), one
// Write per batch.
type Console struct {
	w      io.Writer
	format Format
	prefix string
	enc    encoder
	buf    []byte
	line   []byte
	indent bytes.Buffer
}

// NewConsole returns a console sink writing to w.
func NewConsole(w io.Writer, format Format, prefix string) (*Console, error) {
	switch format {
	case FormatJSON, FormatCompact, FormatPretty:
	default:
		return nil, fmt.Errorf("console format %q is not json, compact or pretty", format)
	}
	return &Console{w: w, format: format, prefix: prefix}, nil
}

// Write prints the batch.
func (c *Console) Write(ctx context.Context, events []Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b := c.buf[:0]
	for i := range events {
		e := &events[i]
		b = append(b, c.prefix...)
		switch c.format {
		case FormatCompact:
			b = c.enc.appendTimestamp(b, e.Timestamp)
			b = append(b, ' ')
			b = appendPlain(b, e.Caller.Principal())
			b = append(b, ' ')
			b = appendPlain(b, string(e.Operation))
			b = append(b, ' ')
			b = appendPlain(b, e.MonikerPath)
			b = append(b, ' ')
			b = appendPlain(b, string(e.Outcome))
			b = append(b, ' ')
			b = strconv.AppendFloat(b, e.LatencyMs, 'f', 1, 64)
			b = append(b, "ms"...)
		case FormatPretty:
			c.line = c.enc.append(c.line[:0], e)
			c.indent.Reset()
			if err := json.Indent(&c.indent, c.line, "", "  "); err != nil {
				return err
			}
			b = append(b, c.indent.Bytes()...)
		default:
			b = c.enc.append(b, e)
		}
		b = append(b, '\n')
	}
	c.buf = b
	if cap(b) > 1<<20 {
		c.buf = nil // do not keep a huge buffer after a burst
	}
	_, err := c.w.Write(b)
	return err
}

// appendPlain appends s with control characters written as \xNN, so a
// crafted moniker cannot forge console lines.
func appendPlain(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			dst = append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
		} else {
			dst = append(dst, c)
		}
	}
	return dst
}

// Close does nothing: the console sink does not own its writer.
func (c *Console) Close() error { return nil }
