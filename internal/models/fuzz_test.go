package models_test

import (
	"os"
	"reflect"
	"testing"

	"github.com/moniker-svc/moniker/internal/fixtures"
	"github.com/moniker-svc/moniker/internal/models"
)

// FuzzLoadRoundTrip: LoadBytes never panics, and every model it loads is
// written by MarshalModel to text that loads back to the same model.
func FuzzLoadRoundTrip(f *testing.F) {
	data, err := os.ReadFile(fixtures.File(f, "models.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte("a:\n  appears_in: [x/*, {moniker_pattern: '**', notes: null}]\n  aliases: [b]\n  tags: [z, z, a]\n"))
	f.Add([]byte("a: &x\n  unit: USD\nb: *x\n"))
	f.Add([]byte("'q: x':\n  description: \"l1\\nl2\"\n  formula: 'yes'\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ms, err := models.LoadBytes("fuzz.yaml", data)
		if err != nil {
			return
		}
		for _, m := range ms {
			text := models.MarshalModel(nil, m)
			back, err := models.LoadBytes("roundtrip.yaml", text)
			if err != nil {
				t.Fatalf("%q: marshalled text does not load: %v\n%s", m.Path, err, text)
			}
			if len(back) != 1 || !reflect.DeepEqual(back[0], m) {
				t.Fatalf("%q: round trip differs\n got %+v\nwant %+v\n%s", m.Path, back, m, text)
			}
		}
	})
}
