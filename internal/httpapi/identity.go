package httpapi

import "context"

// Caller is who sent a request, as far as the server knows. Authentication
// (a later piece of work) fills Principal; until then, and when auth is
// off, Principal is "" and only the unauthenticated hints are set.
type Caller struct {
	// Principal is the authenticated identity ("" = unknown).
	Principal string
	// Groups are the authenticated caller's groups.
	Groups []string
	// AppID and Team are the X-App-ID and X-Team headers: hints, never proof.
	AppID, Team string
}

type callerKey struct{}

// WithCaller returns ctx carrying c.
func WithCaller(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom returns the caller ctx carries (the zero Caller if none).
func CallerFrom(ctx context.Context) Caller {
	c, _ := ctx.Value(callerKey{}).(Caller)
	return c
}
