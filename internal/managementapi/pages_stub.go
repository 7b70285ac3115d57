package managementapi

import "github.com/moniker-svc/moniker/internal/httpapi"

// pageRoutes is a placeholder until this area's routes land; the engineer who
// builds the area replaces this file.
func (s *Server) pageRoutes() []httpapi.Route { return nil }
