package moniker

import (
	"strconv"
	"strings"
	"unsafe"
)

// String returns the canonical form of m (reference §4.4, adjusted):
//
//	moniker://[ns@]path[@version[/sub.resource]][/vN][?k=v&...]
//
// It is the {moniker} template value, the telemetry name and the resolve
// cache key, and Parse(m.String()) gives back an equal Moniker for every m
// that Parse returned. To keep that round trip exact it differs from
// upstream's form in three ways:
//
//   - An empty version ("x@", HasVersion with Version "") is written as a
//     trailing "@" instead of being omitted, so HasVersion survives (it is
//     the difference between moniker_version "" and null).
//   - Query keys and values are escaped like url.QueryEscape (upstream
//     re-joined them unescaped, so "&", "=", "#" in values broke).
//   - Without a namespace, a version on a path of at most one segment
//     gets a leading "/" ("moniker:///prices@latest", "moniker:///@latest"):
//     "moniker://prices@latest" would read as namespace "prices" (Q34).
//   - A path whose last segment is "date" gets a "/" before "@version"
//     ("moniker://x/date/@latest"), since "x/date@latest" is a date@
//     segment; and a path whose last segment looks like a revision (v2)
//     gets a trailing "/" when no version or revision follows
//     ("moniker://x/v2/"), since "x/v2" is path "x" with revision 2 (Q35).
//
// A revision keeps no leading zeros ("v007" gives "/v7"); a date@ segment is
// written as "@VALUE"; parameters keep their order. A SubResource is written
// only when HasVersion is set (the grammar has no other place for it).
func (m *Moniker) String() string {
	b := m.AppendString(make([]byte, 0, m.canonicalLen()))
	// b is never modified after this point and does not escape elsewhere,
	// so it can back the string directly (as strings.Builder does).
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// AppendString appends the canonical form of m (see String) to dst and
// returns the extended buffer. It does not allocate when dst has room.
func (m *Moniker) AppendString(dst []byte) []byte {
	dst = append(dst, scheme...)
	if m.Namespace != "" {
		dst = append(dst, m.Namespace...)
		dst = append(dst, '@')
	}
	if m.needsLeadingSlash() {
		dst = append(dst, '/')
	}
	dst = append(dst, m.Path...)
	if m.needsTrailingSlash() {
		dst = append(dst, '/')
	}
	if m.HasVersion {
		if m.lastSegmentIsDate() {
			dst = append(dst, '/')
		}
		dst = append(dst, '@')
		dst = append(dst, m.Version...)
		if m.SubResource != "" {
			dst = append(dst, '/')
			dst = append(dst, m.SubResource...)
		}
	}
	if m.HasRevision {
		dst = append(dst, "/v"...)
		dst = strconv.AppendInt(dst, int64(m.Revision), 10)
	}
	for i, p := range m.Params {
		if i == 0 {
			dst = append(dst, '?')
		} else {
			dst = append(dst, '&')
		}
		dst = appendQueryEscape(dst, p.Key)
		dst = append(dst, '=')
		dst = appendQueryEscape(dst, p.Value)
	}
	return dst
}

// CacheKey appends the resolve cache key of m to dst: its canonical form,
// which holds everything that can change a resolution (path, namespace,
// version, sub-resource, revision, params; DESIGN §4, Q3). Pass a reused
// buffer to avoid allocating.
func (m *Moniker) CacheKey(dst []byte) []byte {
	return m.AppendString(dst)
}

// canonicalLen returns len(m.String()) without building it.
func (m *Moniker) canonicalLen() int {
	n := len(scheme) + len(m.Path)
	if m.Namespace != "" {
		n += len(m.Namespace) + 1
	}
	if m.needsLeadingSlash() {
		n++
	}
	if m.needsTrailingSlash() {
		n++
	}
	if m.HasVersion {
		if m.lastSegmentIsDate() {
			n++
		}
		n += 1 + len(m.Version)
		if m.SubResource != "" {
			n += 1 + len(m.SubResource)
		}
	}
	if m.HasRevision {
		var tmp [24]byte
		n += 2 + len(strconv.AppendInt(tmp[:0], int64(m.Revision), 10))
	}
	for _, p := range m.Params {
		n += 2 + queryEscapeLen(p.Key) + queryEscapeLen(p.Value) // "?" or "&", and "="
	}
	return n
}

// needsLeadingSlash reports whether the canonical form needs a "/" before
// the path so that the version's "@" is not read as a namespace "@".
func (m *Moniker) needsLeadingSlash() bool {
	return m.HasVersion && m.Namespace == "" && strings.IndexByte(m.Path, '/') < 0
}

// needsTrailingSlash reports whether the canonical form needs a "/" after
// the path so that a last segment like "v2" is not read as a revision.
func (m *Moniker) needsTrailingSlash() bool {
	if m.HasVersion || m.HasRevision {
		return false
	}
	last := m.Path[strings.LastIndexByte(m.Path, '/')+1:]
	return len(last) >= 2 && (last[0] == 'v' || last[0] == 'V') && isDigits(last[1:])
}

// lastSegmentIsDate reports whether the last path segment is "date", which
// must not be followed directly by "@" in the canonical form.
func (m *Moniker) lastSegmentIsDate() bool {
	return m.Path == "date" || strings.HasSuffix(m.Path, "/date")
}

// queryUnreserved reports whether url.QueryEscape leaves c as is.
func queryUnreserved(c byte) bool {
	return isAlnum(c) || c == '-' || c == '_' || c == '.' || c == '~'
}

func queryEscapeLen(s string) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		if c := s[i]; !queryUnreserved(c) && c != ' ' {
			n += 2
		}
	}
	return n
}

// appendQueryEscape appends s escaped exactly as url.QueryEscape does.
func appendQueryEscape(dst []byte, s string) []byte {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case queryUnreserved(c):
			dst = append(dst, c)
		case c == ' ':
			dst = append(dst, '+')
		default:
			dst = append(dst, '%', hex[c>>4], hex[c&15])
		}
	}
	return dst
}
