package fetch

// Param returns the value of the resolution's params key key, and whether
// it is there.
func (q *Query) Param(key string) (any, bool) {
	for _, kv := range q.Params {
		if kv.Key == key {
			return kv.Value, true
		}
	}
	return nil, false
}
