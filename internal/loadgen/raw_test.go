package loadgen

import (
	"bufio"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestRawReadResponse(t *testing.T) {
	const next = "HTTP/1.1 201 Created\r\nContent-Length: 3\r\n\r\nabc"
	tests := []struct {
		name     string
		resp     string
		status   int
		body     int64
		keep     bool
		wantErr  string
		nextRead bool // the next response follows and must parse: framing was exact
	}{
		{name: "content-length", resp: "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\nhello",
			status: 200, body: 5, keep: true, nextRead: true},
		{name: "header names fold case, LF only", resp: "HTTP/1.1 404 Not Found\nCONTENT-LENGTH:  4 \n\nnope",
			status: 404, body: 4, keep: true, nextRead: true},
		{name: "chunked with extension and trailer", resp: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
			"5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-Trailer: 1\r\n\r\n",
			status: 200, body: 15, keep: true, nextRead: true},
		{name: "chunked upper-case hex", resp: "HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\n\r\n1F\r\n" +
			strings.Repeat("z", 31) + "\r\n0\r\n\r\n", status: 200, body: 31, keep: true, nextRead: true},
		{name: "no content 204", resp: "HTTP/1.1 204 No Content\r\n\r\n", status: 204, keep: true, nextRead: true},
		{name: "connection close", resp: "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok",
			status: 200, body: 2, keep: false, nextRead: true},
		{name: "http/1.0 keep-alive", resp: "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok",
			status: 200, body: 2, keep: true, nextRead: true},
		{name: "http/1.0 default close", resp: "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
			status: 200, body: 2, keep: false, nextRead: true},
		{name: "close-delimited body", resp: "HTTP/1.1 200 OK\r\n\r\nuntil the end", status: 200, body: 13, keep: false},
		{name: "malformed status line", resp: "HTTP/2 200\r\n\r\n", wantErr: "malformed status line"},
		{name: "non-numeric status", resp: "HTTP/1.1 2x0 OK\r\n\r\n", wantErr: "malformed status line"},
		{name: "bad content-length", resp: "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", wantErr: "bad Content-Length"},
		{name: "unsupported transfer-encoding", resp: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", wantErr: "unsupported Transfer-Encoding"},
		{name: "bad chunk size", resp: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", wantErr: "bad chunk size"},
		{name: "chunk without CRLF", resp: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokX\r\n0\r\n\r\n", wantErr: "missing CRLF"},
		{name: "truncated body", resp: "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", wantErr: "reading body"},
		{name: "truncated headers", resp: "HTTP/1.1 200 OK\r\nContent-Le", wantErr: "EOF"},
		{name: "header line too long", resp: "HTTP/1.1 200 OK\r\nX-Big: " + strings.Repeat("a", 70000) + "\r\n\r\n", wantErr: "too long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.resp
			if tt.nextRead {
				in += next
			}
			c := &rawClient{br: bufio.NewReaderSize(strings.NewReader(in), 32<<10)}
			status, body, keep, err := c.readResponse()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if status != tt.status || body != tt.body || keep != tt.keep {
				t.Errorf("got status %d body %d keep %v, want %d %d %v", status, body, keep, tt.status, tt.body, tt.keep)
			}
			if !tt.nextRead {
				if _, err := c.br.ReadByte(); err != io.EOF {
					t.Errorf("bytes left after a close-delimited body")
				}
				return
			}
			status, body, _, err = c.readResponse()
			if err != nil || status != 201 || body != 3 {
				t.Errorf("next response: %d %d %v, want 201 3 (framing of the first was off)", status, body, err)
			}
		})
	}
}

func TestRawInterimResponse(t *testing.T) {
	// A 100 Continue before the final response is skipped.
	addr := cannedServer(t, 0, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
	d := newRawDoer(target{dialAddr: addr, base: mustURL(t, "http://"+addr)})
	defer d.close()
	for range 3 {
		status, body, err := d.do([]byte("/x"), farFuture())
		if err != nil || status != 200 || body != 2 {
			t.Fatalf("do = %d %d %v, want 200 2", status, body, err)
		}
	}
	if d.dials != 1 {
		t.Errorf("dials = %d, want 1", d.dials)
	}
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func farFuture() time.Time { return time.Now().Add(10 * time.Second) }
