package managementapi

import "github.com/moniker-svc/moniker/internal/httpapi"

// domainRoutes is a placeholder until this area's routes land; the engineer who
// builds the area replaces this file.
func (s *Server) domainRoutes() []httpapi.Route { return nil }
