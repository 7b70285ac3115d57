package httpapi_test

import (
	"encoding/json"
	"testing"

	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/moniker"
)

func TestResolvedOwnershipJSON(t *testing.T) {
	var o moniker.ResolvedOwnership
	o[moniker.AccountableOwner] = moniker.OwnerValue{Value: "owner@firm.com", Source: "prices"}
	o[moniker.ADALName] = moniker.OwnerValue{Value: "Ada", Source: "domain:prices"}
	o[moniker.UI] = moniker.OwnerValue{Value: "https://ui", Source: "prices.equity"}
	const keys18 = `"accountable_owner":"owner@firm.com","accountable_owner_source":"prices",` +
		`"data_specialist":null,"data_specialist_source":null,"support_channel":null,"support_channel_source":null,` +
		`"adop":null,"adop_source":null,"adop_name":null,"adop_name_source":null,` +
		`"ads":null,"ads_source":null,"ads_name":null,"ads_name_source":null,` +
		`"adal":null,"adal_source":null,"adal_name":"Ada","adal_name_source":"domain:prices"`
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"18 keys, no ui", httpapi.NewResolvedOwnership(&o), `{` + keys18 + `}`},
		{"20 keys, ui last", httpapi.NewResolvedOwnershipWithUI(&o), `{` + keys18 + `,"ui":"https://ui","ui_source":"prices.equity"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(tt.v)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}
