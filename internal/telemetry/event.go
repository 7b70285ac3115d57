// Package telemetry records who accessed which moniker: access events
// (upstream's schema plus cached and catalog_version), a non-blocking
// bounded pipeline that batches them (Emitter), and the sinks the batches
// go to (console, file, zmq).
package telemetry

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/moniker-svc/moniker/internal/resolve"
)

// Operation is what the caller did (upstream's operation values).
type Operation string

// Operations. The request_* values exist upstream but nothing emits them;
// fetch (a /fetch: the rows were read by the service) is ours.
const (
	OpRead           Operation = "read"
	OpFetch          Operation = "fetch"
	OpList           Operation = "list"
	OpDescribe       Operation = "describe"
	OpLineage        Operation = "lineage"
	OpRequestSubmit  Operation = "request_submit"
	OpRequestApprove Operation = "request_approve"
	OpRequestReject  Operation = "request_reject"
	OpRequestComment Operation = "request_comment"
)

// Outcome is how an access ended (upstream's outcome values).
type Outcome string

// Outcomes. A denial by an access policy is OutcomeError with
// Metadata.OutcomeDetail "denied", as upstream recorded it as error.
const (
	OutcomeSuccess      Outcome = "success"
	OutcomeNotFound     Outcome = "not_found"
	OutcomeError        Outcome = "error"
	OutcomeUnauthorized Outcome = "unauthorized"
	OutcomeRateLimited  Outcome = "rate_limited"
)

// Caller is who accessed. "" fields are JSON null. The serialized
// principal is the first non-empty of ServiceID, UserID, AppID, else
// "anonymous" (upstream's CallerIdentity.principal).
type Caller struct {
	ServiceID string
	UserID    string
	AppID     string
	Team      string
}

// Principal is the caller's principal as serialized.
func (c *Caller) Principal() string {
	switch {
	case c.ServiceID != "":
		return c.ServiceID
	case c.UserID != "":
		return c.UserID
	case c.AppID != "":
		return c.AppID
	}
	return "anonymous"
}

// Metadata is the event's metadata object; "" fields are left out.
type Metadata struct {
	// EventType is "resolution" for server-side events, "" (an empty
	// object) for client-reported accesses, as upstream.
	EventType string
	// OutcomeDetail refines the outcome: "denied" when an access policy
	// refused the moniker (ours, additive).
	OutcomeDetail string
}

// Metadata values.
const (
	EventTypeResolution = "resolution"
	DetailDenied        = "denied"
)

// Event is one access event. Its JSON form (AppendJSON) has upstream's
// field names and order, plus catalog_version. String fields that are ""
// serialize as null, except where noted.
type Event struct {
	// RequestID is the event's id; "" means a fresh random UUID v4, which
	// the Emitter assigns off the request path.
	RequestID string
	// Timestamp is when the access ended; serialized in UTC with
	// microseconds and a "+00:00" offset.
	Timestamp time.Time
	Caller    Caller
	// Moniker is the moniker string as received or built
	// (moniker://...). Serialized as a string ("" stays "").
	Moniker string
	// MonikerDomain is the text of MonikerPath before its first "/";
	// "" means derive it so (the usual case).
	MonikerDomain string
	// MonikerPath is the canonical path, or the raw string when it did
	// not parse. Serialized as a string.
	MonikerPath string
	Operation   Operation
	Outcome     Outcome
	// ErrorMessage says why the access failed.
	ErrorMessage string
	// LatencyMs is the server-measured (or client-reported) latency.
	LatencyMs          float64
	ResolvedSourceType string
	// ResolvedSourcePath is never set by the server (as upstream).
	ResolvedSourcePath string
	// OwnerAtAccess is the resolved accountable owner.
	OwnerAtAccess string
	// ResultCount is the row count: the client-reported one, or the rows
	// a /fetch returned; nil is null.
	ResultCount *int64
	// Cached is true when the resolution came from the resolve cache, or
	// (operation fetch) the rows from the fetch result cache.
	Cached   bool
	Metadata Metadata
	// Deprecated, Successor and RedirectedFrom are set only with
	// deprecation telemetry on (deprecation.enabled and
	// deprecation.deprecation_telemetry).
	Deprecated     bool
	Successor      string
	RedirectedFrom string
	// CatalogVersion is the catalog generation that answered (ours).
	CatalogVersion string

	uid [16]byte // random bytes of a UUID v4, set by the Emitter
}

// Domain returns MonikerDomain, or the text of MonikerPath before its
// first "/".
func (e *Event) Domain() string {
	if e.MonikerDomain != "" {
		return e.MonikerDomain
	}
	d, _, _ := strings.Cut(e.MonikerPath, "/")
	return d
}

// ID returns RequestID, or the UUID the Emitter assigned.
func (e *Event) ID() string {
	if e.RequestID != "" {
		return e.RequestID
	}
	return string(appendUUID(nil, &e.uid))
}

// setUUID makes b the event's UUID v4 (version and variant bits set).
func (e *Event) setUUID(b []byte) {
	copy(e.uid[:], b)
	e.uid[6] = e.uid[6]&0x0f | 0x40
	e.uid[8] = e.uid[8]&0x3f | 0x80
}

const hexDigits = "0123456789abcdef"

func appendUUID(dst []byte, u *[16]byte) []byte {
	for i, b := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			dst = append(dst, '-')
		}
		dst = append(dst, hexDigits[b>>4], hexDigits[b&0xf])
	}
	return dst
}

// AppendJSON appends e as one line of JSON (no newline), escaped as
// encoding/json escapes strings.
func (e *Event) AppendJSON(dst []byte) []byte {
	var enc encoder
	return enc.append(dst, e)
}

// encoder encodes events, reusing the date and time text of the previous
// event's second (batches share seconds).
type encoder struct {
	sec   int64 // Unix second of clock; valid when set
	set   bool
	clock [19]byte // YYYY-MM-DDTHH:MM:SS
}

func (enc *encoder) append(dst []byte, e *Event) []byte {
	dst = append(dst, `{"request_id":`...)
	if e.RequestID != "" {
		dst = appendString(dst, e.RequestID)
	} else {
		dst = append(dst, '"')
		dst = appendUUID(dst, &e.uid)
		dst = append(dst, '"')
	}
	dst = append(dst, `,"timestamp":"`...)
	dst = enc.appendTimestamp(dst, e.Timestamp)
	dst = append(dst, `","caller":{"principal":`...)
	dst = appendString(dst, e.Caller.Principal())
	dst = appendNullable(dst, `,"service_id":`, e.Caller.ServiceID)
	dst = appendNullable(dst, `,"user_id":`, e.Caller.UserID)
	dst = appendNullable(dst, `,"app_id":`, e.Caller.AppID)
	dst = appendNullable(dst, `,"team":`, e.Caller.Team)
	dst = append(dst, `},"moniker":`...)
	dst = appendString(dst, e.Moniker)
	dst = append(dst, `,"moniker_domain":`...)
	dst = appendString(dst, e.Domain())
	dst = append(dst, `,"moniker_path":`...)
	dst = appendString(dst, e.MonikerPath)
	dst = append(dst, `,"operation":`...)
	dst = appendString(dst, string(e.Operation))
	dst = append(dst, `,"outcome":`...)
	dst = appendString(dst, string(e.Outcome))
	dst = appendNullable(dst, `,"error_message":`, e.ErrorMessage)
	dst = append(dst, `,"latency_ms":`...)
	dst = appendFloat(dst, e.LatencyMs)
	dst = appendNullable(dst, `,"resolved_source_type":`, e.ResolvedSourceType)
	dst = appendNullable(dst, `,"resolved_source_path":`, e.ResolvedSourcePath)
	dst = appendNullable(dst, `,"owner_at_access":`, e.OwnerAtAccess)
	dst = append(dst, `,"result_count":`...)
	if e.ResultCount == nil {
		dst = append(dst, "null"...)
	} else {
		dst = strconv.AppendInt(dst, *e.ResultCount, 10)
	}
	dst = append(dst, `,"cached":`...)
	dst = strconv.AppendBool(dst, e.Cached)
	dst = append(dst, `,"metadata":{`...)
	if m := &e.Metadata; m.EventType != "" || m.OutcomeDetail != "" {
		sep := ""
		if m.EventType != "" {
			dst = append(dst, `"event_type":`...)
			dst = appendString(dst, m.EventType)
			sep = ","
		}
		if m.OutcomeDetail != "" {
			dst = append(dst, sep...)
			dst = append(dst, `"outcome_detail":`...)
			dst = appendString(dst, m.OutcomeDetail)
		}
	}
	dst = append(dst, `},"deprecated":`...)
	dst = strconv.AppendBool(dst, e.Deprecated)
	dst = appendNullable(dst, `,"successor":`, e.Successor)
	dst = appendNullable(dst, `,"redirected_from":`, e.RedirectedFrom)
	dst = appendNullable(dst, `,"catalog_version":`, e.CatalogVersion)
	return append(dst, '}')
}

// jsonSafe (read-only) marks the ASCII bytes a JSON string carries unescaped (as
// encoding/json writes strings: <, > and & are escaped too).
var jsonSafe = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// appendString appends s as a JSON string: plain ASCII directly, anything
// else through resolve.AppendJSONString (escapes, UTF-8 checks).
func appendString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if !jsonSafe[s[i]] {
			return resolve.AppendJSONString(dst, s)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

// appendNullable appends key and s, or null when s is "".
func appendNullable(dst []byte, key, s string) []byte {
	dst = append(dst, key...)
	if s == "" {
		return append(dst, "null"...)
	}
	return appendString(dst, s)
}

// appendTimestamp appends t in UTC as YYYY-MM-DDTHH:MM:SS.ffffff+00:00
// (Python's isoformat of an aware UTC datetime, always with
// microseconds).
func (enc *encoder) appendTimestamp(dst []byte, t time.Time) []byte {
	if sec := t.Unix(); !enc.set || sec != enc.sec {
		t := t.UTC()
		y, mo, d := t.Date()
		h, mi, s := t.Clock()
		b := enc.clock[:0]
		b = appendDigits(b, y, 4)
		b = append(b, '-')
		b = appendDigits(b, int(mo), 2)
		b = append(b, '-')
		b = appendDigits(b, d, 2)
		b = append(b, 'T')
		b = appendDigits(b, h, 2)
		b = append(b, ':')
		b = appendDigits(b, mi, 2)
		b = append(b, ':')
		appendDigits(b, s, 2)
		enc.sec, enc.set = sec, true
	}
	dst = append(dst, enc.clock[:]...)
	dst = append(dst, '.')
	dst = appendDigits(dst, t.Nanosecond()/1000, 6)
	return append(dst, "+00:00"...)
}

// appendDigits appends n (0 <= n) zero-padded to width digits.
func appendDigits(dst []byte, n, width int) []byte {
	var b [20]byte
	i := len(b)
	for n > 0 || width > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		width--
	}
	return append(dst, b[i:]...)
}

// appendFloat formats f as encoding/json does; NaN and ±Inf, which JSON
// cannot carry, become null.
func appendFloat(dst []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(dst, "null"...)
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	n := len(dst)
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' {
		// e-09 becomes e-9, as encoding/json writes it.
		if e := len(dst); e-n >= 4 && dst[e-4] == 'e' && dst[e-3] == '-' && dst[e-2] == '0' {
			dst[e-2] = dst[e-1]
			dst = dst[:e-1]
		}
	}
	return dst
}
