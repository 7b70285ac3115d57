package auth_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jcmturner/gokrb5/v8/client"
	krbconfig "github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/spnego"

	"github.com/moniker-svc/moniker/internal/auth"
	"github.com/moniker-svc/moniker/internal/config"
)

const (
	testRealm   = "MONIKER.TEST"
	userPass    = "alice-password-1"
	servicePrin = "HTTP/localhost"
)

// kdc is an MIT Kerberos KDC for one test realm, run from a temporary
// folder on a loopback port.
type kdc struct {
	dir    string
	port   int
	env    []string // KRB5_CONFIG, KRB5_KDC_PROFILE
	keytab string   // HTTP/localhost's keys
}

// lookBinary finds an MIT program on PATH or in the sbin folders (which a
// non-root PATH may lack). When it is missing the test skips, unless CI is
// set: then it fails, so CI cannot pass by skipping.
func lookBinary(t *testing.T, name, pkg string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/usr/local/sbin", "/sbin"} {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	msg := fmt.Sprintf("%s not found: install the Debian package %s (see .ci/run)", name, pkg)
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// startKDC creates a realm with the principals alice (password userPass),
// HTTP/localhost (keys exported to k.keytab) and HTTP/other (keys not
// exported), and starts krb5kdc on a free loopback port.
func startKDC(t *testing.T) *kdc {
	t.Helper()
	bins := map[string]string{}
	for b, pkg := range map[string]string{"krb5kdc": "krb5-kdc", "kdb5_util": "krb5-kdc", "kadmin.local": "krb5-admin-server"} {
		bins[b] = lookBinary(t, b, pkg)
	}
	dir := t.TempDir()
	k := &kdc{dir: dir, port: freePort(t), keytab: filepath.Join(dir, "http.keytab")}
	writeFile(t, filepath.Join(dir, "krb5.conf"), []byte(k.krb5Conf()))
	writeFile(t, filepath.Join(dir, "kdc.conf"), []byte(fmt.Sprintf(`[kdcdefaults]
 kdc_listen = 127.0.0.1:%[2]d
 kdc_tcp_listen = 127.0.0.1:%[2]d

[realms]
 %[3]s = {
  database_name = %[1]s/principal
  key_stash_file = %[1]s/stash
  acl_file = %[1]s/kadm5.acl
  admin_keytab = %[1]s/kadm5.keytab
  kdc_listen = 127.0.0.1:%[2]d
  kdc_tcp_listen = 127.0.0.1:%[2]d
  max_life = 1h
  supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
 }

[logging]
 kdc = FILE:%[1]s/kdc.log
`, dir, k.port, testRealm)))
	writeFile(t, filepath.Join(dir, "kadm5.acl"), nil)
	k.env = append(os.Environ(), "KRB5_CONFIG="+filepath.Join(dir, "krb5.conf"), "KRB5_KDC_PROFILE="+filepath.Join(dir, "kdc.conf"),
		"KRB5CCNAME=FILE:"+filepath.Join(dir, "ccache"))

	k.run(t, bins["kdb5_util"], "-r", testRealm, "create", "-s", "-P", "master-password-1")
	for _, q := range []string{
		"addprinc -pw " + userPass + " alice",
		"addprinc -randkey " + servicePrin,
		"addprinc -randkey HTTP/other",
		"ktadd -k " + k.keytab + " " + servicePrin,
	} {
		k.run(t, bins["kadmin.local"], "-r", testRealm, "-q", q)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bins["krb5kdc"], "-n", "-r", testRealm)
	cmd.Env = k.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cancel()
		<-exited
	})
	// Wait until it accepts TCP connections (or dies).
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", k.addr(), 200*time.Millisecond)
		if err == nil {
			c.Close()
			break
		}
		select {
		case err := <-exited:
			log, _ := os.ReadFile(filepath.Join(dir, "kdc.log"))
			t.Fatalf("krb5kdc exited: %v\n%s\n%s", err, out.String(), log)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("krb5kdc does not listen on %s: %s", k.addr(), out.String())
		}
	}
	return k
}

func (k *kdc) addr() string { return "127.0.0.1:" + strconv.Itoa(k.port) }

// krb5Conf is the client configuration for the realm (TCP only).
func (k *kdc) krb5Conf() string {
	return fmt.Sprintf(`[libdefaults]
 default_realm = %[1]s
 dns_lookup_kdc = false
 dns_lookup_realm = false
 udp_preference_limit = 1
 rdns = false
 default_tkt_enctypes = aes256-cts-hmac-sha1-96
 default_tgs_enctypes = aes256-cts-hmac-sha1-96
 permitted_enctypes = aes256-cts-hmac-sha1-96

[realms]
 %[1]s = {
  kdc = %[2]s
 }

[domain_realm]
 localhost = %[1]s
`, testRealm, k.addr())
}

func (k *kdc) run(t *testing.T, bin string, args ...string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = k.env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, out)
	}
}

// login returns a gokrb5 client logged in as user.
func (k *kdc) login(t *testing.T, user, password string) *client.Client {
	t.Helper()
	cfg, err := krbconfig.NewFromString(k.krb5Conf())
	if err != nil {
		t.Fatal(err)
	}
	cl := client.NewWithPassword(user, testRealm, password, cfg, client.DisablePAFXFAST(true))
	if err := cl.Login(); err != nil {
		t.Fatalf("login %s: %v", user, err)
	}
	t.Cleanup(cl.Destroy)
	return cl
}

// freePort returns a loopback port nothing listens on (TCP and UDP).
func freePort(t *testing.T) int {
	t.Helper()
	for range 20 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		u, err := net.ListenPacket("udp", l.Addr().String())
		l.Close()
		if err == nil {
			u.Close()
			return port
		}
	}
	t.Fatal("no free loopback port")
	return 0
}

// negotiate returns the Authorization header value of an SPNEGO token
// from cl for spn.
func negotiate(t *testing.T, cl *client.Client, spn string) string {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	if err := spnego.SetSPNEGOHeader(cl, r, spn); err != nil {
		t.Fatal(err)
	}
	return r.Header.Get("Authorization")
}

// TestKerberosAgainstKDC authenticates SPNEGO tokens made from tickets a
// real MIT KDC issued.
func TestKerberosAgainstKDC(t *testing.T) {
	k := startKDC(t)
	cl := k.login(t, "alice", userPass)
	c := testAuth(t, true, true, false)
	c.MethodOrder = []string{config.MethodKerberos}
	c.Kerberos = config.Kerberos{Enabled: true, KeytabPath: k.keytab, ServicePrincipal: servicePrin + "@" + testRealm}
	s := newService(t, c)
	h := s.Middleware()(echo())
	call := func(authz string) (int, seen) {
		r := httptest.NewRequest(http.MethodGet, "/resolve/prices", nil)
		if authz != "" {
			r.Header.Set("Authorization", authz)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		var got seen
		if rec.Code == http.StatusOK {
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
		}
		return rec.Code, got
	}

	good := negotiate(t, cl, servicePrin)
	code, got := call(good)
	if code != http.StatusOK || got.Principal != "alice@"+testRealm || got.Method != auth.MethodKerberos {
		t.Fatalf("status %d caller %+v, want alice@%s by kerberos", code, got, testRealm)
	}
	// A second, fresh token works too; the first one replayed does not.
	if code, got := call(negotiate(t, cl, servicePrin)); code != http.StatusOK || got.Principal != "alice@"+testRealm {
		t.Errorf("second token: status %d caller %+v", code, got)
	}
	if code, _ := call(good); code != http.StatusUnauthorized {
		t.Errorf("replayed token: status %d, want 401", code)
	}

	// A bare Kerberos AP-REQ (no SPNEGO wrapping) is accepted as well.
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(negotiate(t, cl, servicePrin), "Negotiate "))
	if err != nil {
		t.Fatal(err)
	}
	var st spnego.SPNEGOToken
	if err := st.Unmarshal(raw); err != nil {
		t.Fatal(err)
	}
	if code, got := call("Negotiate " + base64.StdEncoding.EncodeToString(st.NegTokenInit.MechTokenBytes)); code != http.StatusOK || got.Principal != "alice@"+testRealm {
		t.Errorf("bare AP-REQ: status %d caller %+v", code, got)
	}

	refused := []struct{ name, authz string }{
		{"ticket for another service", negotiate(t, cl, "HTTP/other")},
		{"garbage", "Negotiate " + base64.StdEncoding.EncodeToString([]byte("this is not a token at all"))},
		{"not base64", "Negotiate !!!"},
		{"empty", "Negotiate "},
		{"truncated", good[:len(good)/2]},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/resolve/prices", nil)
			r.Header.Set("Authorization", tc.authz)
			res, claimed := s.Authenticator().Authenticate(r)
			if !claimed || res.Err == nil {
				t.Fatalf("claimed %v err %v principal %q: want refused", claimed, res.Err, res.Principal)
			}
			if code, _ := call(tc.authz); code != http.StatusUnauthorized {
				t.Errorf("status %d, want 401", code)
			}
		})
	}

	// A wrong password never gets a ticket: the KDC itself refuses.
	cfg, err := krbconfig.NewFromString(k.krb5Conf())
	if err != nil {
		t.Fatal(err)
	}
	bad := client.NewWithPassword("alice", testRealm, "wrong", cfg, client.DisablePAFXFAST(true))
	if err := bad.Login(); err == nil {
		t.Error("login with a wrong password succeeded")
	}
}

// TestKerberosMITClient: curl --negotiate, with a ticket from MIT's
// kinit, against a server using the middleware (the path a real client
// library's GSS-API takes).
func TestKerberosMITClient(t *testing.T) {
	k := startKDC(t)
	kinit := lookBinary(t, "kinit", "krb5-user")
	curl := lookBinary(t, "curl", "curl")
	if out, err := exec.Command(curl, "-V").Output(); err != nil || !strings.Contains(string(out), "GSS-API") {
		msg := "curl has no GSS-API support"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	c := testAuth(t, true, true, false)
	c.MethodOrder = []string{config.MethodKerberos}
	c.Kerberos = config.Kerberos{Enabled: true, KeytabPath: k.keytab}
	s := newService(t, c)
	srv := httptest.NewServer(s.Middleware()(echo()))
	defer srv.Close()
	url := "http://localhost:" + strconv.Itoa(srv.Listener.Addr().(*net.TCPAddr).Port) + "/describe/prices"

	cmd := exec.Command(kinit, "alice@"+testRealm)
	cmd.Env = k.env
	cmd.Stdin = strings.NewReader(userPass + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("kinit: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd = exec.CommandContext(ctx, curl, "-sS", "--negotiate", "-u", ":", "-w", "\n%{http_code}", url)
	cmd.Env = k.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			t.Fatal(err)
		}
		t.Fatalf("curl: %v\n%s", err, out)
	}
	text := strings.TrimSpace(string(out))
	i := strings.LastIndexByte(text, '\n')
	if i < 0 {
		t.Fatalf("curl printed %q", text)
	}
	body, code := strings.TrimSpace(text[:i]), text[i+1:]
	if code != "200" {
		t.Fatalf("curl --negotiate: HTTP %s: %s", code, body)
	}
	var got seen
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	if got.Principal != "alice@"+testRealm || got.Method != auth.MethodKerberos {
		t.Errorf("caller %+v, want alice@%s by kerberos", got, testRealm)
	}
}
