package catalog

import "github.com/moniker-svc/moniker/internal/yamlfile"

// Warning is a tolerated problem: the catalog loads, but something was
// changed or ignored (an unknown status became active, an unknown source
// type became static, a key had a leading or trailing "/" trimmed).
type Warning struct {
	File string
	Line int
	Node string
	Msg  string
}

// String formats the warning like a load error
// (`catalog.yaml:12: node "a": status: unknown status "retired", using active`).
func (w Warning) String() string {
	e := yamlfile.LoadError{File: w.File, Line: w.Line, Noun: "node", Entry: w.Node, Message: w.Msg}
	return e.Error()
}
