package httpapi

import "github.com/moniker-svc/moniker/internal/moniker"

// ResolvedOwnership is the 18-key resolved-ownership object of the
// resolver's describe answer: each ownership field but the ui link, as
// inherited, with its source (a node path or "domain:<name>"); null when
// unset.
type ResolvedOwnership struct {
	AccountableOwner       *string `json:"accountable_owner"`
	AccountableOwnerSource *string `json:"accountable_owner_source"`
	DataSpecialist         *string `json:"data_specialist"`
	DataSpecialistSource   *string `json:"data_specialist_source"`
	SupportChannel         *string `json:"support_channel"`
	SupportChannelSource   *string `json:"support_channel_source"`
	ADOP                   *string `json:"adop"`
	ADOPSource             *string `json:"adop_source"`
	ADOPName               *string `json:"adop_name"`
	ADOPNameSource         *string `json:"adop_name_source"`
	ADS                    *string `json:"ads"`
	ADSSource              *string `json:"ads_source"`
	ADSName                *string `json:"ads_name"`
	ADSNameSource          *string `json:"ads_name_source"`
	ADAL                   *string `json:"adal"`
	ADALSource             *string `json:"adal_source"`
	ADALName               *string `json:"adal_name"`
	ADALNameSource         *string `json:"adal_name_source"`
}

// ResolvedOwnershipWithUI is ResolvedOwnership followed by the ui link
// and its source: the 20 keys of the management plane's
// GET /config/nodes/{path}.
type ResolvedOwnershipWithUI struct {
	ResolvedOwnership
	UI       *string `json:"ui"`
	UISource *string `json:"ui_source"`
}

// NewResolvedOwnership returns o's 18-key object.
func NewResolvedOwnership(o *moniker.ResolvedOwnership) ResolvedOwnership {
	var r ResolvedOwnership
	r.AccountableOwner, r.AccountableOwnerSource = ownerField(o, moniker.AccountableOwner)
	r.DataSpecialist, r.DataSpecialistSource = ownerField(o, moniker.DataSpecialist)
	r.SupportChannel, r.SupportChannelSource = ownerField(o, moniker.SupportChannel)
	r.ADOP, r.ADOPSource = ownerField(o, moniker.ADOP)
	r.ADOPName, r.ADOPNameSource = ownerField(o, moniker.ADOPName)
	r.ADS, r.ADSSource = ownerField(o, moniker.ADS)
	r.ADSName, r.ADSNameSource = ownerField(o, moniker.ADSName)
	r.ADAL, r.ADALSource = ownerField(o, moniker.ADAL)
	r.ADALName, r.ADALNameSource = ownerField(o, moniker.ADALName)
	return r
}

// NewResolvedOwnershipWithUI returns o's 20-key object.
func NewResolvedOwnershipWithUI(o *moniker.ResolvedOwnership) ResolvedOwnershipWithUI {
	r := ResolvedOwnershipWithUI{ResolvedOwnership: NewResolvedOwnership(o)}
	r.UI, r.UISource = ownerField(o, moniker.UI)
	return r
}

// ownerField returns field f's value and source, nil (null) for "".
func ownerField(o *moniker.ResolvedOwnership, f moniker.OwnerField) (value, source *string) {
	return orNull(o[f].Value), orNull(o[f].Source)
}

func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
