package client

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// Error is a non-2xx answer from the server. The fields come from the JSON
// error body: {"error","detail","code"} on resolution routes,
// {"detail","code"} elsewhere.
type Error struct {
	// Status is the HTTP status code.
	Status int
	// Code is the stable machine-readable code ("not_found",
	// "invalid_moniker", "access_denied", ...); "" if the body had none.
	Code string
	// Title is the body's "error" field ("Not found", "Invalid moniker",
	// "Access denied"); "" on routes that send only a detail.
	Title string
	// Detail is the human-readable message. A validation error list
	// (422) is flattened to "loc: msg; loc: msg".
	Detail string
	// Domain, Documentation and HelpChannel are the domain hint of a 404
	// from /resolve.
	Domain, Documentation, HelpChannel string
	// EstimatedRows is the access policy's estimate on a 403, if any.
	EstimatedRows *int64
	// Body is the raw response body.
	Body []byte
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("moniker server: ")
	b.WriteString(strconv.Itoa(e.Status))
	if t := http.StatusText(e.Status); t != "" {
		b.WriteString(" ")
		b.WriteString(t)
	}
	switch {
	case e.Detail != "":
		b.WriteString(": ")
		b.WriteString(e.Detail)
	case e.Title != "":
		b.WriteString(": ")
		b.WriteString(e.Title)
	}
	return b.String()
}

// newError builds an *Error from a non-2xx status and its body. A body
// that is not the JSON error shape becomes the detail, trimmed.
func newError(status int, body []byte) *Error {
	e := &Error{Status: status, Body: body}
	var wire struct {
		Error         string          `json:"error"`
		Detail        json.RawMessage `json:"detail"`
		Code          string          `json:"code"`
		Domain        string          `json:"domain"`
		Documentation string          `json:"documentation"`
		HelpChannel   string          `json:"help_channel"`
		EstimatedRows *int64          `json:"estimated_rows"`
	}
	if err := json.Unmarshal(body, &wire); err != nil {
		e.Detail = shorten(strings.TrimSpace(string(body)), 500)
		return e
	}
	e.Title, e.Code = wire.Error, wire.Code
	e.Domain, e.Documentation, e.HelpChannel = wire.Domain, wire.Documentation, wire.HelpChannel
	e.EstimatedRows = wire.EstimatedRows
	e.Detail = detailText(wire.Detail)
	return e
}

// detailText returns a string detail as is, and flattens a validation
// list ([{"loc": [...], "msg": ...}]) into "loc: msg; ...".
func detailText(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var list []struct {
		Loc []any  `json:"loc"`
		Msg string `json:"msg"`
	}
	if json.Unmarshal(raw, &list) == nil {
		parts := make([]string, 0, len(list))
		for _, item := range list {
			loc := make([]string, len(item.Loc))
			for i, l := range item.Loc {
				switch v := l.(type) {
				case string:
					loc[i] = v
				default:
					b, _ := json.Marshal(v)
					loc[i] = string(b)
				}
			}
			if len(loc) > 0 {
				parts = append(parts, strings.Join(loc, ".")+": "+item.Msg)
			} else {
				parts = append(parts, item.Msg)
			}
		}
		return strings.Join(parts, "; ")
	}
	return string(raw)
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
