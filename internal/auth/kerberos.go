package auth

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/jcmturner/gokrb5/v8/gssapi"
	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/service"
	"github.com/jcmturner/gokrb5/v8/spnego"

	"github.com/moniker-svc/moniker/internal/config"
)

// DefaultKeytab is the keytab used when auth.kerberos.keytab_path is not
// set (MIT's default acceptor keytab).
const DefaultKeytab = "/etc/krb5.keytab"

// Kerberos authenticates "Authorization: Negotiate <token>" requests
// (auth.kerberos): an SPNEGO NegTokenInit carrying a Kerberos AP-REQ, or
// a bare Kerberos AP-REQ token, verified with the service's keytab
// (gokrb5). The principal is user@REALM. As upstream, it is a single-leg
// exchange: no mutual-authentication token is sent back.
type Kerberos struct {
	settings *service.Settings
}

// NewKerberos loads the keytab of c (DefaultKeytab when keytab_path is
// not set). With service_principal set ("HTTP/host@REALM" or
// "HTTP/host"), tickets are decrypted with that principal's key and the
// keytab must hold it; without, with the key of the principal each
// ticket names.
func NewKerberos(c config.Kerberos) (*Kerberos, error) {
	path := c.KeytabPath
	if path == "" {
		path = DefaultKeytab
	}
	kt, err := keytab.Load(path)
	if err != nil {
		return nil, fmt.Errorf("keytab %s: %w", path, err)
	}
	if len(kt.Entries) == 0 {
		return nil, fmt.Errorf("keytab %s has no keys", path)
	}
	// The PAC (AD group SIDs) is not used; MIT KDCs since 1.20 add a PAC
	// without the logon info gokrb5 requires when it decodes one.
	opts := []func(*service.Settings){service.DecodePAC(false)}
	if sp := c.ServicePrincipal; sp != "" {
		name, realm, _ := strings.Cut(sp, "@")
		if !keytabHas(kt, name, realm) {
			return nil, fmt.Errorf("keytab %s has no key for %s", path, sp)
		}
		opts = append(opts, service.KeytabPrincipal(name))
	}
	return &Kerberos{settings: service.NewSettings(kt, opts...)}, nil
}

// keytabHas reports whether kt has a key for name (components joined by
// "/") in realm ("" = any realm).
func keytabHas(kt *keytab.Keytab, name, realm string) bool {
	for _, e := range kt.Entries {
		if strings.Join(e.Principal.Components, "/") == name && (realm == "" || e.Principal.Realm == realm) {
			return true
		}
	}
	return false
}

// negotiateToken returns the token of an "Authorization: Negotiate"
// header (scheme case-insensitive); ok is false without one.
func negotiateToken(r *http.Request) (token string, ok bool) {
	scheme, rest, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Negotiate") {
		return "", false
	}
	return strings.TrimSpace(rest), true
}

// Authenticate implements Authenticator.
func (k *Kerberos) Authenticate(r *http.Request) (Result, bool) {
	tok, ok := negotiateToken(r)
	if !ok {
		return Result{}, false
	}
	res := Result{Method: MethodKerberos}
	principal, err := k.verify(tok)
	if err != nil {
		res.Err = fmt.Errorf("invalid Negotiate token: %w", err)
		return res, true
	}
	res.Principal = principal
	return res, true
}

// verify checks a base64 Negotiate token and returns its client's
// principal as user@REALM.
func (k *Kerberos) verify(tok string) (string, error) {
	b, err := base64.StdEncoding.DecodeString(tok)
	if err != nil {
		return "", errors.New("not base64")
	}
	mech := b
	var st spnego.SPNEGOToken
	if st.Unmarshal(b) == nil {
		if !st.Init {
			return "", errors.New("not an initial SPNEGO token")
		}
		if !offersKRB5(st.NegTokenInit) {
			return "", errors.New("SPNEGO token does not offer Kerberos")
		}
		mech = st.NegTokenInit.MechTokenBytes
	}
	// Else a bare Kerberos token (some clients send one).
	var kt spnego.KRB5Token
	if err := kt.Unmarshal(mech); err != nil {
		return "", err
	}
	if !kt.IsAPReq() {
		return "", errors.New("the Kerberos token is not an AP-REQ")
	}
	ok, creds, err := service.VerifyAPREQ(&kt.APReq, k.settings)
	if err != nil {
		return "", err
	}
	if !ok || creds == nil {
		return "", errors.New("AP-REQ not valid")
	}
	return creds.UserName() + "@" + creds.Domain(), nil
}

// offersKRB5 reports whether the first mechanism of t, the one its
// optimistic token is for, is Kerberos.
func offersKRB5(t spnego.NegTokenInit) bool {
	if len(t.MechTypes) == 0 || len(t.MechTokenBytes) == 0 {
		return false
	}
	m := t.MechTypes[0]
	return m.Equal(gssapi.OIDKRB5.OID()) || m.Equal(gssapi.OIDMSLegacyKRB5.OID())
}

// challenge implements challenger.
func (k *Kerberos) challenge(bool) string { return "Negotiate" }
