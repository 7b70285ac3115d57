// Package models is the business-model registry: measures and fields, the
// monikers they appear in (glob patterns), CRUD over models.yaml.
package models

// Registry holds the models.
type Registry struct{}
