// Package moniker is the domain core of the Moniker service: the moniker
// grammar (Moniker, Parse), the catalog node model (Node and its parts), the
// resolved answer (Resolution, ResolvedOwnership) and the error kinds every
// other package maps to HTTP statuses. It imports nothing of ours.
package moniker
