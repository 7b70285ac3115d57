package managementapi

import "github.com/moniker-svc/moniker/internal/httpapi"

// Routes returns the management plane's route table (the plan's
// "Management process" routes): each area's table, in this order.
func (s *Server) Routes() []httpapi.Route {
	var rs []httpapi.Route
	rs = append(rs, s.pageRoutes()...)    // pages.go: GET /, /dashboard, /dashboard/api/stats
	rs = append(rs, s.configRoutes()...)  // config.go: /config/*
	rs = append(rs, s.statusRoutes()...)  // status.go: PUT /config/status/{path}
	rs = append(rs, s.domainRoutes()...)  // domains.go: /domains/*
	rs = append(rs, s.modelRoutes()...)   // models.go: /models/*
	rs = append(rs, s.matchRoutes()...)   // match.go: GET /config/matches
	rs = append(rs, s.requestRoutes()...) // requests.go: /requests/*
	return rs
}
