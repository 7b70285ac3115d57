package config

// IsSet reports whether the loaded file set the dotted key ("server.port").
// Defaults and Seed configs set nothing.
func (c *Config) IsSet(key string) bool {
	_, ok := c.lines[key]
	return ok
}
