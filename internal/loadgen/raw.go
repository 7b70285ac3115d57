package loadgen

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// rawClient is a minimal HTTP/1.1 client over one keep-alive connection.
// It writes a request the caller built and reads just enough of the
// response to find its status and the end of its body (Content-Length,
// chunked, or close-delimited), discarding the body. It allocates nothing
// per request once warm, which keeps the generator's share of the CPU
// small when it runs on the same cores as the server under test.
type rawClient struct {
	addr   string
	conn   net.Conn
	br     *bufio.Reader
	reused bool  // conn has completed a request before
	dials  int64 // connections opened
}

// errNoResponse marks a failure before the first byte of a response
// arrived, which on a reused connection means the server closed it while
// idle: safe to retry once on a new connection, as net/http does.
type errNoResponse struct{ err error }

func (e errNoResponse) Error() string { return e.err.Error() }
func (e errNoResponse) Unwrap() error { return e.err }

// do sends req (a complete GET request) and returns the response status
// and the number of body bytes. deadline bounds the whole exchange.
func (c *rawClient) do(req []byte, deadline time.Time) (status int, body int64, err error) {
	for attempt := 0; ; attempt++ {
		if c.conn == nil {
			if err := c.dial(deadline); err != nil {
				return 0, 0, err
			}
		}
		retryable := c.reused && attempt == 0
		status, body, err = c.exchange(req, deadline)
		if err == nil {
			return status, body, nil
		}
		c.close()
		var nr errNoResponse
		if !retryable || !errors.As(err, &nr) {
			return 0, 0, err
		}
	}
}

func (c *rawClient) dial(deadline time.Time) error {
	conn, err := net.DialTimeout("tcp", c.addr, time.Until(deadline))
	if err != nil {
		return err
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
	}
	c.conn = conn
	c.reused = false
	c.dials++
	if c.br == nil {
		c.br = bufio.NewReaderSize(conn, 32<<10)
	} else {
		c.br.Reset(conn)
	}
	return nil
}

func (c *rawClient) close() {
	if c.conn != nil {
		_ = c.conn.Close()
		c.conn = nil
	}
}

func (c *rawClient) exchange(req []byte, deadline time.Time) (int, int64, error) {
	if err := c.conn.SetDeadline(deadline); err != nil {
		return 0, 0, err
	}
	if _, err := c.conn.Write(req); err != nil {
		return 0, 0, errNoResponse{err}
	}
	if _, err := c.br.Peek(1); err != nil {
		return 0, 0, errNoResponse{err}
	}
	for {
		status, body, keep, err := c.readResponse()
		if err != nil {
			return 0, 0, err
		}
		if status >= 100 && status < 200 {
			continue // interim response; the final one follows
		}
		if keep {
			c.reused = true
		} else {
			c.close()
		}
		return status, body, nil
	}
}

var (
	hContentLength    = []byte("content-length:")
	hTransferEncoding = []byte("transfer-encoding:")
	hConnection       = []byte("connection:")
)

// readResponse reads one response and discards its body. keep reports
// whether the connection may carry another request.
func (c *rawClient) readResponse() (status int, body int64, keep bool, err error) {
	line, err := c.readLine()
	if err != nil {
		return 0, 0, false, err
	}
	// "HTTP/1.1 200 OK"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
		return 0, 0, false, fmt.Errorf("malformed status line %q", line)
	}
	http11 := line[7] == '1'
	status, ok := atoi3(line[9:12])
	if !ok {
		return 0, 0, false, fmt.Errorf("malformed status line %q", line)
	}
	keep = http11
	length := int64(-1)
	chunked := false
	for {
		line, err := c.readLine()
		if err != nil {
			return 0, 0, false, err
		}
		if len(line) == 0 {
			break
		}
		switch {
		case hasFoldPrefix(line, hContentLength):
			n, ok := parseUint(bytes.TrimSpace(line[len(hContentLength):]), 10)
			if !ok {
				return 0, 0, false, fmt.Errorf("bad Content-Length %q", line)
			}
			length = n
		case hasFoldPrefix(line, hTransferEncoding):
			v := bytes.TrimSpace(line[len(hTransferEncoding):])
			if !bytes.EqualFold(v, []byte("chunked")) {
				return 0, 0, false, fmt.Errorf("unsupported Transfer-Encoding %q", v)
			}
			chunked = true
		case hasFoldPrefix(line, hConnection):
			v := bytes.TrimSpace(line[len(hConnection):])
			switch {
			case bytes.EqualFold(v, []byte("close")):
				keep = false
			case bytes.EqualFold(v, []byte("keep-alive")):
				keep = true
			}
		}
	}
	switch {
	case status < 200 || status == 204 || status == 304:
		return status, 0, keep, nil
	case chunked:
		body, err = c.discardChunked()
	case length >= 0:
		var n int
		n, err = c.br.Discard(int(length))
		body = int64(n)
	default: // delimited by the end of the connection
		body, err = io.Copy(io.Discard, c.br)
		keep = false
	}
	if err != nil {
		return 0, 0, false, fmt.Errorf("reading body: %w", err)
	}
	return status, body, keep, nil
}

func (c *rawClient) discardChunked() (int64, error) {
	var total int64
	for {
		line, err := c.readLine()
		if err != nil {
			return total, err
		}
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		size, ok := parseUint(bytes.TrimSpace(line), 16)
		if !ok {
			return total, fmt.Errorf("bad chunk size %q", line)
		}
		if size == 0 {
			for { // trailers, up to the empty line
				line, err := c.readLine()
				if err != nil {
					return total, err
				}
				if len(line) == 0 {
					return total, nil
				}
			}
		}
		n, err := c.br.Discard(int(size))
		total += int64(n)
		if err != nil {
			return total, err
		}
		if line, err := c.readLine(); err != nil || len(line) != 0 {
			return total, fmt.Errorf("missing CRLF after chunk")
		}
	}
}

// readLine returns the next line without its CRLF (or LF). The slice is
// valid until the next read.
func (c *rawClient) readLine() ([]byte, error) {
	line, err := c.br.ReadSlice('\n')
	if err != nil {
		if errors.Is(err, bufio.ErrBufferFull) {
			return nil, errors.New("response header line too long")
		}
		return nil, err
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}

func hasFoldPrefix(s, prefix []byte) bool {
	return len(s) >= len(prefix) && bytes.EqualFold(s[:len(prefix)], prefix)
}

func atoi3(b []byte) (int, bool) {
	n, ok := parseUint(b, 10)
	return int(n), ok
}

// parseUint parses a non-empty decimal or hexadecimal number of at most
// 15 digits (enough for any body size) without allocating.
func parseUint(b []byte, base int64) (int64, bool) {
	if len(b) == 0 || len(b) > 15 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		var d int64
		switch {
		case c >= '0' && c <= '9':
			d = int64(c - '0')
		case base == 16 && c >= 'a' && c <= 'f':
			d = int64(c-'a') + 10
		case base == 16 && c >= 'A' && c <= 'F':
			d = int64(c-'A') + 10
		default:
			return 0, false
		}
		n = n*base + d
	}
	return n, true
}
