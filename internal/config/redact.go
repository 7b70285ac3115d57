package config

import (
	"net/url"
	"strings"

	"go.yaml.in/yaml/v3"
)

// masked replaces secret values in Redacted output.
const masked = "<redacted>"

// Redacted returns the effective configuration as YAML for logging, with
// secrets masked: the value of every key whose name contains secret,
// password, passwd, token, credential, api_key, apikey or private_key (at
// any depth, sink_config included), and the password of any URL that
// carries one.
func (c *Config) Redacted() string {
	var n yaml.Node
	if err := n.Encode(c); err != nil {
		// Config holds only YAML-encodable values; this is unreachable
		// unless sink_config was filled in code with something odd.
		return "# cannot encode config: " + err.Error() + "\n"
	}
	redactNode(&n)
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&n); err != nil {
		return "# cannot encode config: " + err.Error() + "\n"
	}
	_ = enc.Close() // flushes into a strings.Builder: cannot fail
	return b.String()
}

func redactNode(n *yaml.Node) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if secretKey(k.Value) && !(v.Kind == yaml.ScalarNode && (v.Value == "" || v.Tag == "!!null")) {
				*v = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: masked}
				continue
			}
			redactNode(v)
		}
	case yaml.SequenceNode, yaml.DocumentNode:
		for _, v := range n.Content {
			redactNode(v)
		}
	case yaml.ScalarNode:
		if strings.Contains(n.Value, "://") {
			n.Value = redactURL(n.Value)
		}
	}
}

func secretKey(k string) bool {
	k = strings.ToLower(k)
	for _, s := range []string{"secret", "password", "passwd", "token", "credential", "api_key", "apikey", "private_key"} {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}

// redactURL masks the password of a URL with user info; anything else is
// returned unchanged.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	if _, ok := u.User.Password(); !ok {
		return s
	}
	return u.Redacted()
}
