// Package requests is the moniker request and approval workflow.
package requests

// Workflow holds the requests and drives their state machine.
type Workflow struct{}
