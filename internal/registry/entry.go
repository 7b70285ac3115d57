package registry

import (
	"bytes"

	"go.yaml.in/yaml/v3"
)

// AppendEntry appends the entry "key:" with body below it, indented by
// two spaces, to dst: an entry of a keyed file as Kind.Marshal returns
// it. The key is quoted where YAML would read it as something else.
func AppendEntry(dst []byte, key string, body *yaml.Node) []byte {
	var k yaml.Node
	_ = k.Encode(key) // encoding a string cannot fail
	doc := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{&k, body}}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	// Encoding a tree of scalar, sequence and mapping nodes cannot fail.
	_ = enc.Encode(doc)
	_ = enc.Close()
	return append(dst, buf.Bytes()...)
}
