package registry

import (
	"bytes"

	"github.com/moniker-svc/moniker/internal/strictjson"
)

// Optional is one field of a patch as a JSON body gave it: absent (Set
// false), null (Set and Null) or a value.
type Optional[T any] struct {
	Set   bool
	Null  bool
	Value T
}

// Some returns an Optional holding v.
func Some[T any](v T) Optional[T] { return Optional[T]{Set: true, Value: v} }

// Null returns an Optional that is an explicit null.
func Null[T any]() Optional[T] { return Optional[T]{Set: true, Null: true} }

// UnmarshalJSON records that the field was present, and whether it was
// null. A value is decoded strictly (unknown object keys are errors).
func (o *Optional[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		o.Null = true
		return nil
	}
	return strictjson.Unmarshal(b, &o.Value)
}

// Assign applies o, the field key of a JSON Merge Patch, to *dst: a value
// replaces it, null resets it to def, absent keeps it. It adds key to
// keys when o is set, and reports whether it was.
func Assign[T any](keys map[string]bool, key string, o Optional[T], dst *T, def T) bool {
	if !o.Set {
		return false
	}
	keys[key] = true
	if o.Null {
		*dst = def
	} else {
		*dst = o.Value
	}
	return true
}

// Change returns the change function of an Update that applies a JSON
// Merge Patch: it fails with refuse when that is not nil (a patch that
// may not apply, e.g. one that renames the entry), applies the patch with
// apply, and validates the fields the patch set (the keys apply returns)
// with validate.
func Change[T any](refuse error, apply func(*T) (*T, map[string]bool), validate func(*T, map[string]bool) error) func(*T) (*T, error) {
	return func(old *T) (*T, error) {
		if refuse != nil {
			return nil, refuse
		}
		v, keys := apply(old)
		if err := validate(v, keys); err != nil {
			return nil, err
		}
		return v, nil
	}
}
