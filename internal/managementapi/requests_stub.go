package managementapi

import "github.com/moniker-svc/moniker/internal/httpapi"

// requestRoutes is a placeholder until this area's routes land; the engineer who
// builds the area replaces this file.
func (s *Server) requestRoutes() []httpapi.Route { return nil }
