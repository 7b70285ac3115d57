package fetch

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/moniker-svc/moniker/internal/moniker"
)

func TestConfigValues(t *testing.T) {
	for _, v := range []any{2, int64(2), uint64(2), 2.0, json.Number("2"), " 2"} {
		if got, err := Int("n", v, 7); got != 2 || err != nil {
			t.Errorf("Int(%#v) = %d, %v; want 2", v, got, err)
		}
	}
	if got, err := Int("n", nil, 7); got != 7 || err != nil {
		t.Errorf("Int(nil) = %d, %v; want the default 7", got, err)
	}
	for _, v := range []any{2.5, "two", true, []any{1}, uint64(1 << 63)} {
		if _, err := Int("header_row", v, 1); !errors.Is(err, moniker.ErrInvalid) || err.Error() != "header_row: must be a whole number" {
			t.Errorf("Int(%#v) error = %v", v, err)
		}
	}
	for _, v := range []any{2.5, json.Number("2.5"), "2.5"} {
		if got, err := Float("t", v, 0); got != 2.5 || err != nil {
			t.Errorf("Float(%#v) = %v, %v; want 2.5", v, got, err)
		}
	}
	if _, err := Float("timeout", "NaN", 0); err == nil {
		t.Error("Float(NaN): want an error")
	}
	if got, err := String("s", nil); got != "" || err != nil {
		t.Errorf("String(nil) = %q, %v", got, err)
	}
	if _, err := String("sheet", 3); err == nil || err.Error() != "sheet: must be a string" {
		t.Errorf("String(3) error = %v", err)
	}
}
