package sqldb

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/moniker-svc/moniker/internal/fetch"
)

// normalize returns v, a value database/sql scanned from a driver, as the
// Go type of logical type t (fetch's Type table; nil stays nil). Drivers
// mostly hand over that type already; the conversions cover their text
// forms ([]byte of a MySQL DECIMAL, SQLite's dynamic typing: an integer in
// a REAL column, a date written as text). A value that cannot be the
// column's type (text that is no date in a DATE column) is an error.
func normalize(t fetch.Type, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch t {
	case fetch.TypeString:
		switch x := v.(type) {
		case string:
			return x, nil
		case []byte:
			return string(x), nil
		case time.Time:
			return x.Format(time.RFC3339Nano), nil
		}
		return fmt.Sprint(v), nil
	case fetch.TypeInt:
		switch x := v.(type) {
		case int64:
			return x, nil
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1<<63 {
				return int64(x), nil
			}
		case bool:
			if x {
				return int64(1), nil
			}
			return int64(0), nil
		case []byte:
			return parseInt(string(x))
		case string:
			return parseInt(x)
		case uint64:
			if x <= math.MaxInt64 {
				return int64(x), nil
			}
		}
	case fetch.TypeFloat:
		switch x := v.(type) {
		case float64:
			return x, nil
		case float32:
			// The float32's shortest decimal form, so 0.1 stays 0.1.
			f, _ := strconv.ParseFloat(strconv.FormatFloat(float64(x), 'g', -1, 32), 64)
			return f, nil
		case int64:
			return float64(x), nil
		case []byte:
			return strconv.ParseFloat(string(x), 64)
		case string:
			return strconv.ParseFloat(x, 64)
		}
	case fetch.TypeDecimal:
		switch x := v.(type) {
		case string:
			return x, nil
		case []byte:
			return string(x), nil
		case int64:
			return strconv.FormatInt(x, 10), nil
		case uint64:
			return strconv.FormatUint(x, 10), nil
		case float64:
			return strconv.FormatFloat(x, 'f', -1, 64), nil
		}
	case fetch.TypeBool:
		switch x := v.(type) {
		case bool:
			return x, nil
		case int64:
			return x != 0, nil
		case []byte:
			return strconv.ParseBool(string(x))
		case string:
			return strconv.ParseBool(x)
		}
	case fetch.TypeTimestamp, fetch.TypeDate:
		var tm time.Time
		switch x := v.(type) {
		case time.Time:
			tm = x
		case string:
			p, err := parseTime(x)
			if err != nil {
				return nil, err
			}
			tm = p
		case []byte:
			p, err := parseTime(string(x))
			if err != nil {
				return nil, err
			}
			tm = p
		default:
			return nil, fmt.Errorf("a %T is not a %s", v, t)
		}
		if t == fetch.TypeDate {
			y, m, d := tm.Date()
			tm = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		}
		return tm, nil
	case fetch.TypeBytes:
		switch x := v.(type) {
		case []byte:
			return x, nil
		case string:
			return []byte(x), nil
		}
	case fetch.TypeJSON:
		var raw []byte
		switch x := v.(type) {
		case []byte:
			raw = x
		case string:
			raw = []byte(x)
		default:
			return v, nil // already decoded
		}
		var out any
		if err := json.Unmarshal(raw, &out); err != nil {
			return nil, fmt.Errorf("not JSON: %v", err)
		}
		return out, nil
	}
	return nil, fmt.Errorf("a %T is not a %s", v, t)
}

func parseInt(s string) (any, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return nil, fmt.Errorf("%q is not an int64", s)
	}
	return n, nil
}

// timeLayouts are the text forms of dates and timestamps the engines
// write (SQLite stores them as text; modernc's own layouts among them).
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02T15:04",
	"2006-01-02",
}

// parseTime reads a date or timestamp written as text; one without a zone
// is UTC.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date or timestamp", s)
}
