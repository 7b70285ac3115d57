package static

import (
	"context"
	"os"

	"golang.org/x/text/encoding"

	"github.com/moniker-svc/moniker/internal/fetch"
	"github.com/moniker-svc/moniker/internal/tabular"
)

// readJSON reads a JSON file: an array of objects (streamed element by
// element), JSON lines, or one object (tabular.JSON).
func readJSON(ctx context.Context, f *os.File, enc encoding.Encoding, maxRows int, closeFile func() error) (fetch.Rows, error) {
	next, err := tabular.JSON(decoded(f, enc), nil)
	if err != nil {
		return nil, err
	}
	return tabular.New(ctx, nil, next, tabular.Options{MaxRows: maxRows, Mixed: fetch.TypeJSON, Close: closeFile})
}
