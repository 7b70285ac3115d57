package yamlfile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/moniker-svc/moniker/internal/moniker"
)

// Entry is one top-level key of a keyed YAML file and its text.
type Entry struct {
	Key string
	// Text runs from the key line to the entry's last content line, line
	// break included. Blank lines and column-0 comments after it belong
	// to no entry (a comment introducing the next entry stays put).
	Text []byte
	// start and end locate Text in the file.
	start, end int
}

// Keyed is a YAML file whose top level is a block mapping, split into its
// entries so a writer can replace some of them and keep every other byte
// (comments, quoting, order) as it was.
type Keyed struct {
	Data    []byte
	Hash    string
	Entries []Entry // file order, duplicates included (the last one wins)
	index   map[string]int
}

// ErrNotSplittable: the file's top level is not a plain block mapping of
// simple keys (flow style, complex keys, several documents, anchors shared
// across entries), so entries cannot be replaced in place.
var ErrNotSplittable = errors.New("not a plain block mapping of simple keys")

// SplitKeyed splits data into top-level entries. A top-level key is a line
// at column 0 that is not blank, a comment, "---" or "...": everything up
// to the next such line belongs to it. Keys are plain or quoted scalars.
func SplitKeyed(data []byte) (*Keyed, error) {
	k := &Keyed{Data: data, Hash: Hash(data), index: map[string]int{}}
	lastContent := -1 // end offset of the last content line of the open entry
	for off := 0; off < len(data); {
		end := bytes.IndexByte(data[off:], '\n')
		next := len(data)
		if end >= 0 {
			next = off + end + 1
		}
		line := data[off:next]
		trimmed := bytes.TrimRight(line, "\r\n")
		switch {
		case len(bytes.TrimSpace(trimmed)) == 0:
		case trimmed[0] == '#':
		case trimmed[0] == ' ' || trimmed[0] == '\t':
			if len(k.Entries) == 0 {
				return nil, fmt.Errorf("%w: indented line before the first key", ErrNotSplittable)
			}
			if t := bytes.TrimSpace(trimmed); t[0] != '#' {
				lastContent = next
			}
		case bytes.Equal(trimmed, []byte("---")) && len(k.Entries) == 0:
			// a leading document marker is fine
		default:
			key, err := topKey(trimmed)
			if err != nil {
				return nil, err
			}
			k.close(lastContent)
			k.Entries = append(k.Entries, Entry{Key: key, start: off})
			lastContent = next
		}
		off = next
	}
	k.close(lastContent)
	for i, e := range k.Entries {
		k.Entries[i].Text = data[e.start:e.end]
		k.index[e.Key] = i
	}
	return k, nil
}

func (k *Keyed) close(lastContent int) {
	if n := len(k.Entries); n > 0 && k.Entries[n-1].end == 0 {
		k.Entries[n-1].end = lastContent
	}
}

// topKey returns the key of a column-0 "key: ..." line.
func topKey(line []byte) (string, error) {
	s := string(line)
	if strings.HasPrefix(s, "- ") || s == "-" || strings.HasPrefix(s, "? ") || strings.HasPrefix(s, "{") ||
		strings.HasPrefix(s, "[") || strings.HasPrefix(s, "&") || strings.HasPrefix(s, "*") || strings.HasPrefix(s, "<<") ||
		s == "---" || s == "..." {
		return "", fmt.Errorf("%w: line %q", ErrNotSplittable, s)
	}
	var keyText string
	if s[0] == '"' || s[0] == '\'' {
		i := closingQuote(s)
		if i < 0 || i+1 >= len(s) || s[i+1] != ':' {
			return "", fmt.Errorf("%w: line %q", ErrNotSplittable, s)
		}
		keyText = s[:i+1]
	} else {
		i := strings.Index(s, ": ")
		if i < 0 {
			if !strings.HasSuffix(s, ":") {
				return "", fmt.Errorf("%w: line %q", ErrNotSplittable, s)
			}
			i = len(s) - 1
		}
		keyText = s[:i]
	}
	if plainKey(keyText) {
		return keyText, nil
	}
	var key string
	if err := yaml.Unmarshal([]byte(keyText), &key); err != nil {
		return "", fmt.Errorf("%w: key %q: %v", ErrNotSplittable, keyText, err)
	}
	return key, nil
}

// plainKey reports whether a key's text is its own value: only the
// characters of catalog paths and names, and not a YAML null. Such keys
// skip the YAML decoder (a large file has a key per entry).
func plainKey(s string) bool {
	if s == "" || s == "null" || s == "Null" || s == "NULL" || s == "~" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '.' || c == '/' || c == '-' || c == '@') {
			return false
		}
	}
	return s[0] != '-' && s[0] != '@'
}

func closingQuote(s string) int {
	q := s[0]
	for i := 1; i < len(s); i++ {
		switch {
		case q == '"' && s[i] == '\\':
			i++
		case s[i] == q && q == '\'' && i+1 < len(s) && s[i+1] == '\'':
			i++
		case s[i] == q:
			return i
		}
	}
	return -1
}

// Get returns the text of the live (last) entry for key.
func (k *Keyed) Get(key string) ([]byte, bool) {
	i, ok := k.index[key]
	if !ok {
		return nil, false
	}
	return k.Entries[i].Text, true
}

// Change is one entry a writer replaces, adds or deletes.
type Change struct {
	Key string
	// Text is the new entry text, key line included ("key:\n  a: 1\n");
	// nil deletes the key.
	Text []byte
	// Base is the entry's text as the writer read it before changing it
	// (nil: the key did not exist). A save refuses the change when the
	// file's entry is no longer Base: someone else changed it meanwhile.
	Base []byte
}

// ConflictError lists the keys a save refused because they changed on
// disk since the writer read them. It wraps moniker.ErrConflict.
type ConflictError struct {
	File string
	Keys []string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("changed on disk since they were read (%s): %s", e.File, strings.Join(e.Keys, ", "))
}

func (e *ConflictError) Unwrap() error { return moniker.ErrConflict }

// Apply returns the file with changes applied: replaced entries keep their
// place, deleted ones go (every duplicate of the key), new ones are
// appended. It does not check Base.
func (k *Keyed) Apply(changes []Change) []byte {
	byKey := map[string]*Change{}
	for i := range changes {
		byKey[changes[i].Key] = &changes[i]
	}
	var out bytes.Buffer
	out.Grow(len(k.Data))
	prev := 0
	done := map[string]bool{}
	for i, e := range k.Entries {
		c, ok := byKey[e.Key]
		if !ok {
			continue
		}
		out.Write(k.Data[prev:e.start])
		if c.Text != nil && i == k.index[e.Key] {
			out.Write(c.Text)
		}
		prev = e.end
		done[e.Key] = true
	}
	out.Write(k.Data[prev:])
	for _, c := range changes {
		if c.Text == nil || done[c.Key] {
			continue
		}
		if out.Len() > 0 && !bytes.HasSuffix(out.Bytes(), []byte("\n")) {
			out.WriteByte('\n')
		}
		out.Write(c.Text)
	}
	return out.Bytes()
}

// Conflicts returns the keys whose entry in k is not the change's Base.
func (k *Keyed) Conflicts(changes []Change) []string {
	var keys []string
	for _, c := range changes {
		cur, ok := k.Get(c.Key)
		if ok != (c.Base != nil) || ok && !bytes.Equal(cur, c.Base) {
			keys = append(keys, c.Key)
		}
	}
	sort.Strings(keys)
	return keys
}

// SaveOptions tune SaveKeyed.
type SaveOptions struct {
	// Header starts a file that does not exist yet (e.g. a comment).
	Header []byte
	// Validate must accept the merged file before it is written (e.g. it
	// parses as a catalog); its error aborts the save.
	Validate func(data []byte) error
	// Perm is the mode of a new file (default 0644).
	Perm fs.FileMode
}

// SaveKeyed applies changes to the keyed file at path under its lock:
// it re-reads the file, refuses with a *ConflictError when any change's
// Base no longer matches, applies the rest, validates, and replaces the
// file atomically. It returns the file as written.
func SaveKeyed(ctx context.Context, path string, changes []Change, opts SaveOptions) (*Keyed, error) {
	lock, err := Acquire(ctx, path)
	if err != nil {
		return nil, err
	}
	defer lock.Release()
	data, _, exists, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	if !exists {
		data = opts.Header
	}
	cur, err := SplitKeyed(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if keys := cur.Conflicts(changes); len(keys) > 0 {
		return nil, &ConflictError{File: path, Keys: keys}
	}
	out := cur.Apply(changes)
	if opts.Validate != nil {
		if err := opts.Validate(out); err != nil {
			return nil, fmt.Errorf("refusing to write %s: %w", path, err)
		}
	}
	perm := opts.Perm
	if perm == 0 {
		perm = 0o644
	}
	if err := WriteFile(path, out, perm); err != nil {
		return nil, err
	}
	return SplitKeyed(out)
}
