package requests

import "github.com/moniker-svc/moniker/internal/moniker"

// NodeChange is a stand-in for catalogedit.NodeChange until it lands.
type NodeChange struct {
	Path string
	Node *moniker.Node
	Base string
}

func newNodeChange(n *moniker.Node) NodeChange { return NodeChange{Path: n.Path, Node: n} }
