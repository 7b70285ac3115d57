package moniker

// OwnerValue is one resolved ownership field: its value and where it was
// defined (a catalog path, or "domain:<name>" for the domain fallback).
type OwnerValue struct {
	Value  string
	Source string
}

// ResolvedOwnership is ownership after inheritance down the hierarchy and
// the domain fallback (reference §6.9).
type ResolvedOwnership [NumOwnerFields]OwnerValue

// KV is one ordered key/value pair of a JSON object whose key order is part
// of the contract (connection, params).
type KV struct {
	Key   string
	Value any
}

// Resolution is the answer to "where does this moniker's data live and how
// do I read it" (reference §3.2). It is immutable once built and may be
// shared by many requests through the resolve cache.
type Resolution struct {
	// Moniker is the canonical moniker string (moniker://...).
	Moniker string
	// Path is the canonical path.
	Path       string
	SourceType string
	// Connection is the connection object, in source-type key order.
	Connection []KV
	// Query is the rendered query, URL path or file name; HasQuery false
	// means JSON null.
	Query    string
	HasQuery bool
	// Params are the source-specific extra params followed by
	// moniker_version, moniker_revision, moniker_namespace and (when the
	// moniker had query parameters) moniker_params.
	Params      []KV
	SchemaInfo  any
	ReadOnly    bool
	Ownership   ResolvedOwnership
	BindingPath string
	// SubPath is "" for JSON null (path == binding path).
	SubPath string
	// Status and the deprecation fields come from the exact node at Path;
	// "" means JSON null.
	Status             Status
	DeprecationMessage string
	Successor          string
	SunsetDeadline     string
	MigrationGuideURL  string
	// RedirectedFrom is the original path when a successor redirect happened.
	RedirectedFrom string
	CacheTTLHint   int

	// EstimatedRows is the access policy's row estimate (0 without a policy).
	EstimatedRows int64
}
