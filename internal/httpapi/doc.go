// Package httpapi holds what every HTTP surface of monikerd shares: the one
// place that maps domain error kinds to status codes and JSON bodies, JSON
// writers, the path guard, panic recovery and request metrics.
package httpapi
