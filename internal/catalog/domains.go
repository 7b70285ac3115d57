package catalog

import (
	"errors"
	"io/fs"
	"os"

	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/yamlfile"
	"go.yaml.in/yaml/v3"
)

var domainKeys = []string{
	"id", "display_name", "short_code", "data_category", "color", "owner",
	"tech_custodian", "business_steward", "confidentiality", "pii",
	"help_channel", "wiki_link", "notes",
}

// Domains is the domain registry (reference §8): records in file order,
// looked up by exact name. The zero value is an empty registry. It is
// immutable and safe for concurrent use.
type Domains struct {
	list   []*moniker.DomainRecord
	byName map[string]*moniker.DomainRecord
	found  bool
}

// Get returns the domain named name, or nil.
func (d Domains) Get(name string) *moniker.DomainRecord { return d.byName[name] }

// All returns every domain in file order. The slice must not be modified.
func (d Domains) All() []*moniker.DomainRecord { return d.list }

// Len returns the number of domains.
func (d Domains) Len() int { return len(d.list) }

// Found reports whether a domains file was read (false when LoadDomains
// was given a path that does not exist).
func (d Domains) Found() bool { return d.found }

// LoadDomains reads a domains.yaml file: a mapping from domain name to its
// attributes. Missing keys take the reference §8 defaults (display_name =
// the name, color #6B7280, confidentiality internal). Unknown keys, type
// errors and non-mapping entries are errors (*yamlfile.LoadError, joined, wrapping
// moniker.ErrInvalid) naming file, line, domain and key. A later entry
// with the same name replaces an earlier one in place.
//
// A path that does not exist is not an error: the result is an empty
// registry whose Found is false (upstream runs without domains).
func LoadDomains(path string) (Domains, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Domains{}, nil
	}
	if err != nil {
		return Domains{}, err
	}
	return LoadDomainsBytes(path, data)
}

// LoadDomainsBytes parses domains YAML (name is used in messages).
func LoadDomainsBytes(name string, data []byte) (Domains, error) {
	out := Domains{byName: map[string]*moniker.DomainRecord{}, found: true}
	root, err := yamlfile.TopMapping(name, data, "domain name to attributes")
	if err != nil || root == nil {
		if err != nil {
			return Domains{}, err
		}
		return out, nil
	}
	d := newDecoder(name)
	d.Noun = "domain"
	d.Budget = yamlfile.NodeBudget(len(data))
	d.pairs(root, at{}, 0, func(dname string, kn, vn *yaml.Node) {
		d.Entry = dname
		m := deref(vn)
		if m.Kind != yaml.MappingNode {
			d.errorf(m, at{}, "domain must be a mapping, got %s", kindName(m))
			return
		}
		rec := d.domain(dname, m)
		if old, ok := out.byName[dname]; ok {
			*old = *rec
			return
		}
		out.byName[dname] = rec
		out.list = append(out.list, rec)
	})
	if len(d.Errs) > 0 {
		return Domains{}, errors.Join(d.Errs...)
	}
	return out, nil
}

func (d *decoder) domain(name string, m *yaml.Node) *moniker.DomainRecord {
	rec := &moniker.DomainRecord{Name: name, Color: "#6B7280", Confidentiality: "internal"}
	d.pairs(m, at{}, 0, func(k string, kn, vn *yaml.Node) {
		switch k {
		case "id":
			if n, ok := d.integer(vn, top(k)); ok {
				id := int(n)
				rec.ID = &id
			}
		case "display_name":
			rec.DisplayName = d.text(vn, top(k))
		case "short_code":
			rec.ShortCode = d.text(vn, top(k))
		case "data_category":
			rec.DataCategory = d.text(vn, top(k))
		case "color":
			if s := d.text(vn, top(k)); s != "" {
				rec.Color = s
			}
		case "owner":
			rec.Owner = d.text(vn, top(k))
		case "tech_custodian":
			rec.TechCustodian = d.text(vn, top(k))
		case "business_steward":
			rec.BusinessSteward = d.text(vn, top(k))
		case "confidentiality":
			if s := d.text(vn, top(k)); s != "" {
				rec.Confidentiality = s
			}
		case "pii":
			rec.PII = d.boolean(vn, top(k), false)
		case "help_channel":
			rec.HelpChannel = d.text(vn, top(k))
		case "wiki_link":
			rec.WikiLink = d.text(vn, top(k))
		case "notes":
			rec.Notes = d.text(vn, top(k))
		default:
			d.unknownKey(kn, top(k), k, domainKeys)
		}
	})
	if rec.DisplayName == "" {
		rec.DisplayName = name
	}
	return rec
}
