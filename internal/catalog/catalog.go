// Package catalog loads catalog and domain YAML files into an immutable,
// indexed snapshot of moniker.Node values.
package catalog

import "github.com/moniker-svc/moniker/internal/moniker"

// Catalog is an immutable, indexed set of nodes. It is safe for concurrent
// use by any number of readers; nothing mutates it after New returns.
type Catalog struct {
	nodes  []*moniker.Node          // load order; nodes[i].Index == i
	byPath map[string]*moniker.Node // exact path -> node
}

// New indexes nodes (already de-duplicated, in load order). It sets each
// node's Index.
func New(nodes []*moniker.Node) *Catalog {
	c := &Catalog{nodes: nodes, byPath: make(map[string]*moniker.Node, len(nodes))}
	for i, n := range nodes {
		n.Index = i
		c.byPath[n.Path] = n
	}
	return c
}

// Get returns the node at exactly path, or nil.
func (c *Catalog) Get(path string) *moniker.Node { return c.byPath[path] }

// Nodes returns every node in load order. The slice must not be modified.
func (c *Catalog) Nodes() []*moniker.Node { return c.nodes }

// Len returns the number of nodes.
func (c *Catalog) Len() int { return len(c.nodes) }
