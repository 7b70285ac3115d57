package reload

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/moniker-svc/moniker/internal/audit"
	"github.com/moniker-svc/moniker/internal/catalog"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/resolve"
)

// Diff is what a reload changes.
type Diff struct {
	Added, Removed []string
	// BindingChanged lists nodes whose source binding was added, removed
	// or changed (type, config, schema or read_only).
	BindingChanged []string
	// BrokenSuccessors lists nodes whose successor is not in the new
	// catalog.
	BrokenSuccessors []string
}

// Breaking reports whether the diff can break clients: a node disappears,
// or a binding is removed or changes type.
func (d Diff) Breaking(old, new *catalog.Catalog) []string {
	var out []string
	for _, p := range d.Removed {
		out = append(out, "removed "+p)
	}
	for _, p := range d.BindingChanged {
		ob, nb := old.Get(p), new.Get(p)
		switch {
		case ob == nil || ob.Binding == nil:
		case nb == nil || nb.Binding == nil:
			out = append(out, "binding removed from "+p)
		case ob.Binding.Type != nb.Binding.Type:
			out = append(out, fmt.Sprintf("binding of %s changed type %s -> %s", p, ob.Binding.Type, nb.Binding.Type))
		}
	}
	return out
}

// Compare diffs two catalogs in one pass over each.
func Compare(old, new *catalog.Catalog) Diff {
	var d Diff
	for _, n := range new.Nodes() {
		o := old.Get(n.Path)
		if o == nil {
			d.Added = append(d.Added, n.Path)
		}
		if o != nil && !sameBinding(o.Binding, n.Binding) {
			d.BindingChanged = append(d.BindingChanged, n.Path)
		}
		if n.Successor != "" && new.Get(n.Successor) == nil {
			d.BrokenSuccessors = append(d.BrokenSuccessors, n.Path)
		}
	}
	for _, o := range old.Nodes() {
		if new.Get(o.Path) == nil {
			d.Removed = append(d.Removed, o.Path)
		}
	}
	return d
}

func sameBinding(a, b *moniker.SourceBinding) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Type == b.Type && a.ReadOnly == b.ReadOnly && reflect.DeepEqual(a.Config, b.Config) && reflect.DeepEqual(a.Schema, b.Schema)
}

// ValidatedCheck is the deprecation.validated_reload check: it records the
// diff (removed nodes, changed bindings) in the audit log under actor and,
// with block, refuses a breaking reload.
func ValidatedCheck(log *audit.Log, block bool, actor string) Check {
	return func(ctx context.Context, old, new *resolve.Snapshot) error {
		oc, nc := old.Catalog(), new.Catalog()
		if oc.Version() == nc.Version() {
			return nil
		}
		d := Compare(oc, nc)
		breaking := d.Breaking(oc, nc)
		if block && len(breaking) > 0 {
			err := fmt.Errorf("breaking reload blocked (deprecation.block_breaking_reload): %s", strings.Join(breaking, "; "))
			if log != nil {
				log.Append(ctx, audit.Entry{Action: "reload_blocked", Actor: actor, OldValue: oc.Version(), NewValue: nc.Version(), Details: breaking})
			}
			return err
		}
		if log == nil {
			return nil
		}
		var entries []audit.Entry
		for _, p := range d.Removed {
			entries = append(entries, audit.Entry{Path: p, Action: "node_removed", Actor: actor, OldValue: oc.Version(), NewValue: nc.Version()})
		}
		for _, p := range d.BindingChanged {
			entries = append(entries, audit.Entry{Path: p, Action: "binding_changed", Actor: actor, OldValue: oc.Version(), NewValue: nc.Version()})
		}
		for _, p := range d.BrokenSuccessors {
			entries = append(entries, audit.Entry{Path: p, Action: "successor_missing", Actor: actor, NewValue: nc.Get(p).Successor})
		}
		if len(entries) > 0 {
			return log.Append(ctx, entries...)
		}
		return nil
	}
}
