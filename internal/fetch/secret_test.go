package fetch

import (
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/moniker-svc/moniker/internal/moniker"
)

func TestSecret(t *testing.T) {
	const pw = "s3cr3t-Pa55"
	env := Env{
		Getenv: func(k string) string {
			return map[string]string{"DB_PW": pw, "EMPTY": ""}[k]
		},
		ReadFile: func(name string) ([]byte, error) {
			switch name {
			case "/run/secrets/pw":
				return []byte(pw + "\n"), nil
			case "/run/secrets/empty":
				return []byte("\n"), nil
			}
			return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
		},
	}
	cases := []struct {
		name string
		cfg  map[string]any
		want string
		err  string // a substring of the error; "" = none
	}{
		{"none", map[string]any{"user": "u"}, "", ""},
		{"literal", map[string]any{"password": pw}, pw, ""},
		{"reference", map[string]any{"password": "${DB_PW}"}, pw, ""},
		{"embedded reference", map[string]any{"password": "x-${DB_PW}-y"}, "x-" + pw + "-y", ""},
		{"default", map[string]any{"password": "${UNSET:-dflt}"}, "dflt", ""},
		{"dollar kept", map[string]any{"password": "a$b"}, "a$b", ""},
		{"env", map[string]any{"password_env": "DB_PW"}, pw, ""},
		{"file", map[string]any{"password_file": "/run/secrets/pw"}, pw, ""},
		{"unset reference", map[string]any{"password": "${UNSET}"}, "", "password: environment variable UNSET is not set"},
		{"unset env", map[string]any{"password_env": "EMPTY"}, "", "password_env: environment variable EMPTY is not set"},
		{"missing file", map[string]any{"password_file": "/nope"}, "", "password_file: open /nope"},
		{"empty file", map[string]any{"password_file": "/run/secrets/empty"}, "", "password_file: file /run/secrets/empty is empty"},
		{"two ways", map[string]any{"password": pw, "password_env": "DB_PW"}, "", "set only one of password, password_env"},
		{"not a string", map[string]any{"password": 1234}, "", "password: must be a string"},
		{"unterminated", map[string]any{"password": pw + "${X"}, "", "password: unterminated ${"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Secret(tc.cfg, "password", env)
			if tc.err == "" {
				if err != nil || got != tc.want {
					t.Fatalf("Secret = %q, %v; want %q", got, err, tc.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("Secret error = %v, want %q", err, tc.err)
			}
			if !errors.Is(err, moniker.ErrInvalid) {
				t.Errorf("error %v is not ErrInvalid", err)
			}
			if strings.Contains(err.Error(), pw) {
				t.Errorf("error %q holds the secret", err)
			}
		})
	}
}

func TestSecretNilEnv(t *testing.T) {
	if _, err := Secret(map[string]any{"token_env": "T"}, "token", Env{}); err == nil {
		t.Error("no environment: want an error for token_env")
	}
	if _, err := Secret(map[string]any{"token_file": "/x"}, "token", Env{}); err == nil {
		t.Error("no ReadFile: want an error for token_file")
	}
}
