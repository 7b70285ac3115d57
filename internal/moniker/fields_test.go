package moniker

import (
	"reflect"
	"slices"
	"testing"
)

// accessor returns the address the row's accessor gives in n, or 0 for a
// row without one.
func accessor(f *NodeField, n *Node) uintptr {
	switch {
	case f.Text != nil:
		return reflect.ValueOf(f.Text(n)).Pointer()
	case f.List != nil:
		return reflect.ValueOf(f.List(n)).Pointer()
	case f.Number != nil:
		return reflect.ValueOf(f.Number(n)).Pointer()
	case f.Any != nil:
		return reflect.ValueOf(f.Any(n)).Pointer()
	case f.Map != nil:
		return reflect.ValueOf(f.Map(n)).Pointer()
	case f.TextMap != nil:
		return reflect.ValueOf(f.TextMap(n)).Pointer()
	}
	return 0
}

// accessors counts the accessors a row sets.
func accessors(f *NodeField) int {
	c := 0
	for _, set := range []bool{f.Text != nil, f.List != nil, f.Number != nil, f.Any != nil, f.Map != nil, f.TextMap != nil, f.Block != nil} {
		if set {
			c++
		}
	}
	return c
}

// wantAccessor says which accessor each kind uses.
var wantAccessor = map[Kind]func(*NodeField) bool{
	KindText:    func(f *NodeField) bool { return f.Text != nil },
	KindEnum:    func(f *NodeField) bool { return f.Text != nil },
	KindTags:    func(f *NodeField) bool { return f.List != nil },
	KindList:    func(f *NodeField) bool { return f.List != nil },
	KindNumber:  func(f *NodeField) bool { return f.Number != nil },
	KindAny:     func(f *NodeField) bool { return f.Any != nil },
	KindMap:     func(f *NodeField) bool { return f.Map != nil },
	KindTextMap: func(f *NodeField) bool { return f.TextMap != nil },
	KindBlock:   func(f *NodeField) bool { return f.Block != nil },
}

// checkRow checks the invariants of one row.
func checkRow(t *testing.T, f *NodeField, sub bool) {
	t.Helper()
	want, hasAccessor := wantAccessor[f.Kind]
	switch {
	case f.Key == "":
		t.Errorf("a row without a key")
	case hasAccessor && (!want(f) || accessors(f) != 1):
		t.Errorf("%s: kind %d needs its accessor and no other", f.Key, f.Kind)
	case !hasAccessor && accessors(f) != 0:
		t.Errorf("%s: kind %d takes no accessor", f.Key, f.Kind)
	case sub && (f.Kind == KindBlock || f.Kind == KindExtra || f.Describe):
		t.Errorf("%s: a sub-field cannot be a block, an extra key or marked Describe", f.Key)
	case !sub && f.Kind == KindColumns:
		t.Errorf("%s: columns belong to a block", f.Key)
	case f.Kind == KindEnum && (len(f.Values) == 0 || !slices.Contains(f.Values, f.Default)):
		t.Errorf("%s: an enum needs values, its default among them", f.Key)
	case f.Kind != KindEnum && len(f.Values) > 0:
		t.Errorf("%s: only an enum has values", f.Key)
	case (f.Default != "" || f.PathDefault || f.NotNull) && f.Kind != KindText && f.Kind != KindEnum:
		t.Errorf("%s: only texts and enums have defaults", f.Key)
	case f.Format != FormatNone && f.Kind != KindText && f.Kind != KindTextMap:
		t.Errorf("%s: only texts have a format", f.Key)
	}
}

// TestNodeFieldTable: every row is well formed, every key is unique at
// its level, and the accessors reach every field of Node and of its
// blocks, each exactly once, so a field added to Node without a row (or a
// row pointing at the wrong field) fails here.
func TestNodeFieldTable(t *testing.T) {
	var n Node
	reached := map[uintptr]string{}
	top := map[string]bool{}
	for i := range NodeFields() {
		f := &NodeFields()[i]
		checkRow(t, f, false)
		if top[f.Key] {
			t.Errorf("key %q twice", f.Key)
		}
		top[f.Key] = true
		if got, ok := FieldByKey(f.Key); !ok || got != f {
			t.Errorf("FieldByKey(%q) does not find its row", f.Key)
		}
		if p := accessor(f, &n); p != 0 {
			reached[p] = f.Key
		}
		if f.Kind != KindBlock {
			continue
		}
		f.Block.New(&n)
		if !f.Block.Has(&n) {
			t.Errorf("%s: Has after New is false", f.Key)
		}
		sub := map[string]bool{}
		for j := range f.Block.Fields {
			sf := &f.Block.Fields[j]
			checkRow(t, sf, true)
			if sub[sf.Key] {
				t.Errorf("%s.%s twice", f.Key, sf.Key)
			}
			sub[sf.Key] = true
			if p := accessor(sf, &n); p != 0 {
				reached[p] = f.Key + "." + sf.Key
			}
		}
	}
	if _, ok := FieldByKey(ExtraKey); ok {
		t.Errorf("%q names the extra keys' object; no field may have it", ExtraKey)
	}

	// Every Go field of Node and of each block, but those the structured
	// kinds, blocks and bookkeeping hold.
	notRows := map[string]bool{
		"Path": true, "Index": true, "File": true, "Line": true, "Extra": true, // bookkeeping, KindExtra
		"Ownership": true, "Binding": true, "AccessPolicy": true, "Schema.Columns": true, // structured kinds
		"DataQuality": true, "SLA": true, "Freshness": true, "Schema": true, "Documentation": true, // blocks
	}
	var walk func(v reflect.Value, prefix string)
	walk = func(v reflect.Value, prefix string) {
		for i := range v.NumField() {
			sf := v.Type().Field(i)
			fv := v.Field(i)
			if notRows[prefix+sf.Name] {
				if fv.Kind() == reflect.Pointer && fv.Type().Elem().Kind() == reflect.Struct && !fv.IsNil() &&
					sf.Name != "Binding" && sf.Name != "AccessPolicy" {
					walk(fv.Elem(), sf.Name+".")
				}
				continue
			}
			if _, ok := reached[fv.Addr().Pointer()]; !ok {
				t.Errorf("Node field %s%s has no row in the node-field table", prefix, sf.Name)
			}
			delete(reached, fv.Addr().Pointer())
		}
	}
	walk(reflect.ValueOf(&n).Elem(), "")
	for _, key := range reached {
		t.Errorf("row %s reaches no field of Node", key)
	}
}

// TestNodeFieldOps: Value, Equal and Copy do what each kind means.
func TestNodeFieldOps(t *testing.T) {
	n := &Node{Path: "prices.equity/AAPL"}
	for key, want := range map[string]string{"display_name": "AAPL", "classification": DefaultClassification, "status": "active", "domain": ""} {
		f, _ := FieldByKey(key)
		if got := f.Value(n); got != want {
			t.Errorf("%s: Value = %q, want %q", key, got, want)
		}
	}
	q := 0.5
	full := &Node{DisplayName: "x", Tags: []string{"a"}, Metadata: map[string]any{"k": 1}, Status: StatusDraft,
		DataQuality: &DataQuality{QualityScore: &q}, Ownership: Ownership{AccountableOwner: "o"},
		Binding: &SourceBinding{Type: "static"}, AccessPolicy: &AccessPolicy{MinFilters: 1},
		Schema: &NodeSchema{Columns: []Column{{Name: "c"}}}, Extra: map[string]any{"vendor": "v"}}
	set := map[string]bool{"display_name": true, "tags": true, "metadata": true, "status": true, "data_quality": true,
		"ownership": true, "source_binding": true, "access_policy": true, "schema": true}
	for _, f := range NodeFields() {
		if f.Kind == KindExtra {
			continue
		}
		var dst Node
		f.Copy(&dst, full)
		if !f.Equal(&dst, full) {
			t.Errorf("%s: not equal after Copy", f.Key)
		}
		if f.Equal(full, &Node{}) == set[f.Key] {
			t.Errorf("%s: Equal to a node without it = %v", f.Key, !set[f.Key])
		}
	}
	tags, _ := FieldByKey("tags")
	if tags.Equal(&Node{Tags: []string{}}, &Node{}) {
		t.Error("an empty list equals a missing one")
	}
	dq, _ := FieldByKey("data_quality")
	r := 0.5
	if !dq.Equal(full, &Node{DataQuality: &DataQuality{QualityScore: &r}}) {
		t.Error("equal blocks differ")
	}
	vendor, _ := FieldByKey("vendor")
	if vendor.Equal(full, &Node{}) || !vendor.Equal(full, &Node{Extra: map[string]any{"vendor": "v"}}) {
		t.Error("extra keys compare wrongly")
	}
}
