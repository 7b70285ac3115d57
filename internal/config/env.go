package config

// ExpandEnv expands ${VAR} and ${VAR:-default} references in s with getenv,
// as the config file's definition_file keys are expanded; other packages
// (the fetch adapters' secrets) use the same syntax through it. A variable
// that is unset or empty with no default is an error naming the variable.
func ExpandEnv(s string, getenv func(string) string) (string, error) {
	return expandEnv(s, getenv)
}
