package httpapi

import (
	"net/http"
	"time"
)

// ExtendDeadlines moves the read and write deadlines of this request's
// connection to d from now; d <= 0 removes them. The server's read and
// write timeouts (monikerd -http.read-timeout, -http.write-timeout) bound
// every request; a handler that must stream or wait longer (a long
// download, server-sent events) opts out explicitly by calling this
// first, and may call it again as it makes progress, so a stalled client
// is still cut off. It must be called before the deadline has passed.
//
// The read deadline matters even after the body was read: when it
// expires while the handler runs, the server cancels the request's
// context.
func ExtendDeadlines(w http.ResponseWriter, d time.Duration) error {
	var t time.Time
	if d > 0 {
		t = time.Now().Add(d)
	}
	rc := http.NewResponseController(w)
	if err := rc.SetWriteDeadline(t); err != nil {
		return err
	}
	return rc.SetReadDeadline(t)
}
