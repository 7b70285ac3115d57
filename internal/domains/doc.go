// Package domains is the management plane's domain registry: CRUD over
// domains.yaml with conflict-safe saves.
package domains

// Registry holds the domains.
type Registry struct{}
