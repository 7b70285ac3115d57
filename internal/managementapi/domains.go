package managementapi

import (
	"net/http"

	"github.com/moniker-svc/moniker/internal/domains"
	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/moniker"
)

// domainJSON is a domain in API answers: always all 14 keys.
type domainJSON struct {
	Name            string `json:"name"`
	ID              *int   `json:"id"`
	DisplayName     string `json:"display_name"`
	ShortCode       string `json:"short_code"`
	DataCategory    string `json:"data_category"`
	Color           string `json:"color"`
	Owner           string `json:"owner"`
	TechCustodian   string `json:"tech_custodian"`
	BusinessSteward string `json:"business_steward"`
	Confidentiality string `json:"confidentiality"`
	PII             bool   `json:"pii"`
	HelpChannel     string `json:"help_channel"`
	WikiLink        string `json:"wiki_link"`
	Notes           string `json:"notes"`
}

func toDomainJSON(d *moniker.DomainRecord) domainJSON {
	return domainJSON{
		Name: d.Name, ID: d.ID, DisplayName: d.DisplayName, ShortCode: d.ShortCode, DataCategory: d.DataCategory,
		Color: d.Color, Owner: d.Owner, TechCustodian: d.TechCustodian, BusinessSteward: d.BusinessSteward,
		Confidentiality: d.Confidentiality, PII: d.PII, HelpChannel: d.HelpChannel, WikiLink: d.WikiLink, Notes: d.Notes,
	}
}

// domainList is GET /domains: every domain, sorted by name.
func (s *Server) domainList(reg *domains.Registry, w http.ResponseWriter, r *http.Request) {
	list := reg.List()
	out := make([]domainJSON, len(list))
	for i, d := range list {
		out[i] = toDomainJSON(d)
	}
	httpapi.WriteJSON(w, http.StatusOK, struct {
		Domains []domainJSON `json:"domains"`
		Count   int          `json:"count"`
	}{out, len(out)})
}

// domainGet is GET /domains/{name}: the domain, with its ETag, and the
// catalog nodes (of the management working copy) whose effective domain
// it is (domains.MonikerPaths: HEAD's rule, not f206ffd's direct children
// of the node named like the domain).
func (s *Server) domainGet(reg *domains.Registry, w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	d, tag := reg.Entry(name)
	if d == nil {
		httpapi.WriteError(w, s.log, moniker.Errorf(moniker.ErrNotFound, "Domain not found: %s", name))
		return
	}
	paths := []string{}
	if s.c.Catalog != nil {
		paths = domains.MonikerPaths(s.c.Catalog.View(), name)
	}
	w.Header().Set("ETag", tag)
	httpapi.WriteJSON(w, http.StatusOK, struct {
		Domain       domainJSON `json:"domain"`
		MonikerPaths []string   `json:"moniker_paths"`
		MonikerCount int        `json:"moniker_count"`
	}{toDomainJSON(d), paths, len(paths)})
}

// domainCreate is POST /domains: 201 with the new domain. The body is a
// domains.Patch whose name is required; absent fields take their
// defaults.
func (s *Server) domainCreate(reg *domains.Registry, w http.ResponseWriter, r *http.Request) {
	p, ok := httpapi.DecodeJSON[domains.Patch](w, r, httpapi.MaxBody)
	if !ok {
		return
	}
	if !p.Name.Set || p.Name.Null {
		httpapi.WriteFields(w, httpapi.InBody, httpapi.Missing("name"))
		return
	}
	d, _ := p.Apply(domains.New(p.Name.Value))
	created, err := reg.Create(r.Context(), d, registryActor(r))
	if err != nil {
		s.registryError(w, err)
		return
	}
	w.Header().Set("ETag", reg.ETag(created.Name))
	httpapi.WriteJSON(w, http.StatusCreated, toDomainJSON(created))
}

// domainUpdate is PUT /domains/{name}: a JSON Merge Patch of the domain
// (absent keeps, null resets to the default, a value replaces), checked
// against If-Match.
func (s *Server) domainUpdate(reg *domains.Registry, w http.ResponseWriter, r *http.Request) {
	p, ok := httpapi.DecodeJSON[domains.Patch](w, r, httpapi.MaxBody)
	if !ok {
		return
	}
	d, err := reg.Update(r.Context(), r.PathValue("name"), p, r.Header.Get("If-Match"), registryActor(r))
	if err != nil {
		s.registryError(w, err)
		return
	}
	w.Header().Set("ETag", reg.ETag(d.Name))
	httpapi.WriteJSON(w, http.StatusOK, toDomainJSON(d))
}

// domainDelete is DELETE /domains/{name}, checked against If-Match.
// Catalog nodes naming the domain keep their domain field.
func (s *Server) domainDelete(reg *domains.Registry, w http.ResponseWriter, r *http.Request) {
	s.registryDelete(w, r, reg, "Domain", r.PathValue("name"))
}

// domainSave is POST /domains/save, kept for upstream's clients: every
// change is already on disk, so it writes only when the file is missing
// (domains.Registry.Save).
func (s *Server) domainSave(reg *domains.Registry, w http.ResponseWriter, r *http.Request) {
	s.registrySave(w, r, reg, "Domain")
}

// domainReload is POST /domains/reload: re-reads the file; a file that
// does not load leaves the registry as it was.
func (s *Server) domainReload(reg *domains.Registry, w http.ResponseWriter, r *http.Request) {
	if n, msg, ok := s.registryReload(w, r, reg, "Domain"); ok {
		httpapi.WriteJSON(w, http.StatusOK, struct {
			Success bool   `json:"success"`
			Message string `json:"message"`
			Loaded  int    `json:"domains_loaded"`
		}{true, msg, n})
	}
}
