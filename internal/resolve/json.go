package resolve

import (
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"unicode/utf8"

	"github.com/moniker-svc/moniker/internal/moniker"
)

// AppendResolutionJSON appends the JSON body of a 200 /resolve response for
// r to dst: every key of reference §3.2, in that order. It is the only
// encoder of the resolve body, so that the HTTP layer, the resolve cache
// and batch responses agree byte for byte.
func AppendResolutionJSON(dst []byte, r *moniker.Resolution) []byte {
	dst = append(dst, `{"moniker":`...)
	dst = AppendJSONString(dst, r.Moniker)
	dst = append(dst, `,"path":`...)
	dst = AppendJSONString(dst, r.Path)
	dst = append(dst, `,"source_type":`...)
	dst = AppendJSONString(dst, r.SourceType)
	dst = append(dst, `,"connection":`...)
	dst = appendKVObject(dst, r.Connection)
	dst = append(dst, `,"query":`...)
	if r.HasQuery {
		dst = AppendJSONString(dst, r.Query)
	} else {
		dst = append(dst, "null"...)
	}
	dst = append(dst, `,"params":`...)
	dst = appendKVObject(dst, r.Params)
	dst = append(dst, `,"schema_info":`...)
	dst = AppendJSONValue(dst, r.SchemaInfo)
	dst = append(dst, `,"read_only":`...)
	dst = strconv.AppendBool(dst, r.ReadOnly)
	dst = append(dst, `,"ownership":`...)
	dst = AppendOwnershipJSON(dst, &r.Ownership)
	dst = append(dst, `,"binding_path":`...)
	dst = AppendJSONString(dst, r.BindingPath)
	dst = append(dst, `,"sub_path":`...)
	dst = appendNullableString(dst, r.SubPath)
	dst = append(dst, `,"status":`...)
	dst = appendNullableString(dst, string(r.Status))
	dst = append(dst, `,"deprecation_message":`...)
	dst = appendNullableString(dst, r.DeprecationMessage)
	dst = append(dst, `,"successor":`...)
	dst = appendNullableString(dst, r.Successor)
	dst = append(dst, `,"sunset_deadline":`...)
	dst = appendNullableString(dst, r.SunsetDeadline)
	dst = append(dst, `,"migration_guide_url":`...)
	dst = appendNullableString(dst, r.MigrationGuideURL)
	dst = append(dst, `,"redirected_from":`...)
	dst = appendNullableString(dst, r.RedirectedFrom)
	dst = append(dst, `,"cache_ttl_hint":`...)
	dst = strconv.AppendInt(dst, int64(r.CacheTTLHint), 10)
	return append(dst, '}')
}

// AppendOwnershipJSON appends the 18-key resolved-ownership object of
// resolve and describe answers: each ownership field but the ui link, as
// inherited, then its source (a node path or "domain:<name>"); null when
// unset.
func AppendOwnershipJSON(dst []byte, o *moniker.ResolvedOwnership) []byte {
	dst = append(dst, '{')
	// The OwnerField order is the JSON order; UI, the last field, is not
	// part of the 18-key object.
	for f := moniker.OwnerField(0); f < moniker.UI; f++ {
		if f > 0 {
			dst = append(dst, ',')
		}
		key := f.Key()
		ov := &o[f]
		dst = append(dst, '"')
		dst = append(dst, key...)
		dst = append(dst, `":`...)
		dst = appendNullableString(dst, ov.Value)
		dst = append(dst, `,"`...)
		dst = append(dst, key...)
		dst = append(dst, `_source":`...)
		dst = appendNullableString(dst, ov.Source)
	}
	return append(dst, '}')
}

// appendNullableString appends s as a JSON string, or null when s is "".
func appendNullableString(dst []byte, s string) []byte {
	if s == "" {
		return append(dst, "null"...)
	}
	return AppendJSONString(dst, s)
}

// appendKVObject appends kvs as a JSON object, keys in slice order.
func appendKVObject(dst []byte, kvs []moniker.KV) []byte {
	dst = append(dst, '{')
	for i := range kvs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = AppendJSONString(dst, kvs[i].Key)
		dst = append(dst, ':')
		dst = AppendJSONValue(dst, kvs[i].Value)
	}
	return append(dst, '}')
}

// AppendJSONValue appends v as JSON. Scalars (string, bool, integers,
// float64, nil) and map[string]string are written directly; anything else
// (YAML lists and maps) goes through encoding/json, whose output has sorted
// map keys. A value encoding/json cannot encode (NaN, a map with non-string
// keys) is written as null: a resolve body is always valid JSON.
func AppendJSONValue(dst []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...)
	case string:
		return AppendJSONString(dst, v)
	case bool:
		return strconv.AppendBool(dst, v)
	case int:
		return strconv.AppendInt(dst, int64(v), 10)
	case int64:
		return strconv.AppendInt(dst, v, 10)
	case int32:
		return strconv.AppendInt(dst, int64(v), 10)
	case uint64:
		return strconv.AppendUint(dst, v, 10)
	case float64:
		return AppendJSONFloat(dst, v)
	case map[string]string:
		return appendStringMap(dst, v)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return append(dst, "null"...)
	}
	return append(dst, b...)
}

// appendStringMap appends m as a JSON object with sorted keys.
func appendStringMap(dst []byte, m map[string]string) []byte {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = AppendJSONString(dst, k)
		dst = append(dst, ':')
		dst = AppendJSONString(dst, m[k])
	}
	return append(dst, '}')
}

// AppendJSONFloat appends f as encoding/json formats it; NaN and ±Inf, which
// JSON cannot carry, become null.
func AppendJSONFloat(dst []byte, f float64) []byte {
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
		// Clean up e-09 to e-9, as encoding/json does.
		if e := len(dst); e-n >= 4 && dst[e-4] == 'e' && dst[e-3] == '-' && dst[e-2] == '0' {
			dst[e-2] = dst[e-1]
			dst = dst[:e-1]
		}
	}
	return dst
}

const hexDigits = "0123456789abcdef"

// jsonSafe reports whether the ASCII byte b needs no escaping in a JSON
// string written the way encoding/json writes it (HTML-safe: <, > and &
// are escaped too).
func jsonSafe(b byte) bool {
	return b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&'
}

// AppendJSONString appends s as a quoted JSON string, escaped like
// encoding/json: quotes, backslashes and control characters; <, > and &
// as \u003c, \u003e, \u0026; U+2028 and U+2029; and every invalid UTF-8
// byte replaced by U+FFFD.
func AppendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if jsonSafe(b) {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
