package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/moniker-svc/moniker/client"
)

// maxCatalogPaths bounds how many paths discovery reads from /catalog.
const maxCatalogPaths = 2_000_000

// discover finds up to n monikers that the server resolves (200): it
// reads every path of GET /catalog, then tries /resolve on paths spread
// evenly over the catalog (a stride of len/n, then the paths in between)
// until n succeed, and writes them to w one a line. It is how the load
// test gets valid monikers for a generated catalog.
func discover(ctx context.Context, c *client.Client, n int, w io.Writer) (int, error) {
	var paths []string
	for cursor := ""; ; {
		page, err := c.Catalog(ctx, cursor, 1000, "")
		if err != nil {
			return 0, fmt.Errorf("listing the catalog: %w", err)
		}
		paths = append(paths, page.Paths...)
		if page.NextCursor == "" || len(page.Paths) == 0 || len(paths) >= maxCatalogPaths {
			break
		}
		cursor = page.NextCursor
	}
	stride := max(1, len(paths)/n)
	found := 0
	for offset := 0; offset < stride && found < n; offset++ {
		for i := offset; i < len(paths) && found < n; i += stride {
			_, err := c.Resolve(ctx, paths[i])
			var apiErr *client.Error
			if errors.As(err, &apiErr) {
				continue // not bound, denied, ...: not a load-test moniker
			}
			if err != nil {
				return found, err
			}
			if _, err := fmt.Fprintln(w, paths[i]); err != nil {
				return found, err
			}
			found++
		}
	}
	if found == 0 {
		return 0, fmt.Errorf("none of the catalog's %d paths resolves", len(paths))
	}
	return found, nil
}
