package yamlfile

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/moniker-svc/moniker/internal/moniker"
)

// Keyed is a YAML file whose top level is a block mapping, split into its
// entries so a writer can replace some of them and keep every other byte
// (comments, quoting, order) as it was.
type Keyed struct {
	Data    []byte
	Hash    string
	Entries []Entry // file order, duplicates included (the last one wins)
	index   map[string]int
}

// SplitKeyed splits data into its top-level entries (see Splitter) and
// reads each entry's key, a plain or quoted scalar. It works on lines and
// does not parse the entries: Check does.
func SplitKeyed(data []byte) (*Keyed, error) {
	ents, err := Split(data)
	if err != nil {
		return nil, err
	}
	k := &Keyed{Data: data, Hash: Hash(data), Entries: ents, index: make(map[string]int, len(ents))}
	for i := range k.Entries {
		e := &k.Entries[i]
		line := e.Text
		if j := bytes.IndexByte(line, '\n'); j >= 0 {
			line = line[:j]
		}
		if e.Key, err = topKey(line); err != nil {
			return nil, &SplitError{Line: e.Line, Reason: err.Error()}
		}
		k.index[e.Key] = i
	}
	return k, nil
}

// Check parses every entry on its own, as the catalog loader does, and
// fails with a *SplitError when one does not parse as exactly its own
// key: the line splitter cut it where the YAML does not end (a quoted
// scalar or flow collection continued at column 0), or it uses an anchor
// defined in another entry. A file that passes is safe to edit entry by
// entry.
func (k *Keyed) Check() error {
	for i, e := range k.Entries {
		end := len(k.Data)
		if i+1 < len(k.Entries) {
			end = k.Entries[i+1].Start
		}
		kn, _, err := ParseEntry(k.Data[e.Start:end])
		if err != nil {
			return &SplitError{Line: e.Line, Reason: fmt.Sprintf("entry %q does not parse on its own: %v", e.Key, err)}
		}
		if kn.Kind != yaml.ScalarNode || kn.Value != e.Key {
			return &SplitError{Line: e.Line, Reason: fmt.Sprintf("entry %q parses as key %q", e.Key, kn.Value)}
		}
	}
	return nil
}

// topKey returns the key of a top-level key line (without its line
// break): the text before the first ':' that is followed by white space
// or the line end, or a quoted scalar followed by ':'.
func topKey(line []byte) (string, error) {
	s := strings.TrimRight(string(line), "\r")
	sep := func(i int) bool { return i >= len(s) || s[i] == ' ' || s[i] == '\t' }
	var keyText string
	if s[0] == '"' || s[0] == '\'' {
		i := closingQuote(s)
		if i < 0 {
			return "", fmt.Errorf("unterminated quoted key in %q", s)
		}
		j := i + 1
		for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
			j++
		}
		if j >= len(s) || s[j] != ':' || !sep(j+1) {
			return "", fmt.Errorf("no ':' after the quoted key in %q", s)
		}
		keyText = s[:i+1]
	} else {
		i := 0
		for ; i < len(s) && !(s[i] == ':' && sep(i+1)); i++ {
		}
		if i == len(s) {
			return "", fmt.Errorf("no \"key:\" in %q", s)
		}
		keyText = strings.TrimRight(s[:i], " \t")
	}
	if plainKey(keyText) {
		return keyText, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(keyText), &doc); err != nil {
		return "", fmt.Errorf("key %q: %v", keyText, err)
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.ScalarNode {
		return "", fmt.Errorf("key %q is not a scalar", keyText)
	}
	return doc.Content[0].Value, nil
}

// plainKey reports whether a key's text is its own value: only the
// characters of catalog paths and names. Such keys skip the YAML decoder
// (a large file has a key per entry).
func plainKey(s string) bool {
	if s == "" {
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

// Conflict is the error of a save of file refused because keys changed
// on disk since the writer read them: a *moniker.ConflictError listing
// the keys.
func Conflict(file string, keys []string) error {
	return &moniker.ConflictError{Paths: keys,
		Message: fmt.Sprintf("changed on disk since they were read (%s): %s", file, strings.Join(keys, ", "))}
}

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
		out.Write(k.Data[prev:e.Start])
		if c.Text != nil && i == k.index[e.Key] {
			out.Write(c.Text)
		}
		prev = e.End
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
// it re-reads the file, refuses with a *moniker.ConflictError (Conflict)
// when any change's Base no longer matches, applies the rest, validates,
// and replaces the file atomically. It returns the file as written.
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
		return nil, Conflict(path, keys)
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
