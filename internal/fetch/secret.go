package fetch

import (
	"strings"

	"github.com/moniker-svc/moniker/internal/config"
	"github.com/moniker-svc/moniker/internal/moniker"
)

// Secret returns the secret of config key key (a password, a token, an API
// key) of cfg, a binding's config or an object inside it. It is given one
// of three ways:
//
//   - key itself: the value, with ${VAR} and ${VAR:-default} references
//     expanded from Env.Getenv (config.ExpandEnv);
//   - key+"_env": the name of an environment variable holding it;
//   - key+"_file": a file holding it (Env.ReadFile), one trailing newline
//     removed.
//
// It returns "" and no error when none is set. Setting more than one, an
// unset variable or an unreadable file is an error (moniker.ErrInvalid)
// naming the key and the variable or file, never the value: callers may
// log and return it.
func Secret(cfg map[string]any, key string, env Env) (string, error) {
	var set []string
	for _, k := range []string{key, key + "_env", key + "_file"} {
		if v, ok := cfg[k]; ok && v != nil {
			if _, ok := v.(string); !ok {
				return "", moniker.Errorf(moniker.ErrInvalid, "%s: must be a string", k)
			}
			set = append(set, k)
		}
	}
	switch len(set) {
	case 0:
		return "", nil
	case 1:
	default:
		return "", moniker.Errorf(moniker.ErrInvalid, "set only one of %s", strings.Join(set, ", "))
	}
	k, v := set[0], cfg[set[0]].(string)
	switch k {
	case key:
		return Expand(k, v, env)
	case key + "_env":
		s := env.getenv(v)
		if s == "" {
			return "", moniker.Errorf(moniker.ErrInvalid, "%s: environment variable %s is not set", k, v)
		}
		return s, nil
	default:
		if env.ReadFile == nil {
			return "", moniker.Errorf(moniker.ErrInvalid, "%s: secret files are not available here", k)
		}
		b, err := env.ReadFile(v)
		if err != nil {
			return "", moniker.Errorf(moniker.ErrInvalid, "%s: %w", k, err)
		}
		s := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
		if s == "" {
			return "", moniker.Errorf(moniker.ErrInvalid, "%s: file %s is empty", k, v)
		}
		return s, nil
	}
}

// Expand returns v, the value of config key key, with its ${VAR} and
// ${VAR:-default} references expanded from Env.Getenv. An error names key
// and the variable, never v.
func Expand(key, v string, env Env) (string, error) {
	if !strings.Contains(v, "${") {
		return v, nil
	}
	s, err := config.ExpandEnv(v, env.getenv)
	if err != nil {
		return "", moniker.Errorf(moniker.ErrInvalid, "%s: %w", key, err)
	}
	return s, nil
}

// getenv is Env.Getenv, or an empty environment when it is nil.
func (e Env) getenv(name string) string {
	if e.Getenv == nil {
		return ""
	}
	return e.Getenv(name)
}
