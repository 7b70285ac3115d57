package catalog

import (
	"fmt"
	"strings"

	"github.com/moniker-svc/moniker/internal/yamlfile"
)

// Check loads each catalog path (file or directory) exactly as the server
// would and reports, one line each, every error and warning, then a
// summary line per path. ok is false when any path failed to load. It
// backs `moniker catalog check FILE...`.
func Check(paths ...string) (report string, ok bool) {
	var b strings.Builder
	ok = true
	for _, p := range paths {
		c, warns, err := Load(p)
		for _, w := range warns {
			fmt.Fprintf(&b, "warning: %s\n", w)
		}
		if err != nil {
			ok = false
			les := yamlfile.AsLoadErrors(err)
			if len(les) == 0 {
				fmt.Fprintf(&b, "error: %v\n", err)
			}
			for _, e := range les {
				fmt.Fprintf(&b, "error: %s\n", e)
			}
			fmt.Fprintf(&b, "%s: FAILED (%d errors, %d warnings)\n", p, max(len(les), 1), len(warns))
			continue
		}
		fmt.Fprintf(&b, "%s: ok (%d nodes, %d warnings, version %s)\n", p, c.Len(), len(warns), c.Version())
	}
	return b.String(), ok
}
