package cloud

import (
	"strings"
	"testing"

	"github.com/cloudflare/cloudflare-go/v6/d1"
)

func TestSetFillsAParameterField(t *testing.T) {
	var p d1.DatabaseListParams
	set(&p.Name, "worktime")
	if p.Name.Value != "worktime" || !p.Name.Present || p.Name.Null {
		t.Fatalf("Name = %+v", p.Name)
	}
	if p.AccountID.Present {
		t.Fatal("an untouched field is present")
	}
	var q d1.DatabaseQueryParamsBodyMultipleQueriesBatch
	set(&q.Params, []string(nil))
	if !q.Params.Present || q.Params.Value != nil {
		t.Fatalf("Params = %+v", q.Params)
	}
}

func TestSetRefusesWhatIsNotAParameterField(t *testing.T) {
	var p d1.DatabaseListParams
	var s string
	tests := []struct {
		name  string
		field any
		value any
	}{
		{"wrong value type", &p.Name, 5},
		{"not a pointer", p.Name, "x"},
		{"not a field", &s, "x"},
		{"nil", (*d1.DatabaseListParams)(nil), "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if msg, _ := r.(string); !strings.Contains(msg, "is not a pointer to a parameter field") {
					t.Fatalf("recovered %v, want a panic naming the misuse", r)
				}
			}()
			switch v := tt.value.(type) {
			case int:
				set(tt.field, v)
			case string:
				set(tt.field, v)
			}
		})
	}
}
