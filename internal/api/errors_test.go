package api_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/worktime/worktime/internal/api"
)

func TestAsErrorAndSentinels(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		code     string
		sentinel error // the one sentinel err matches, or nil
	}{
		{"tracker not found", fmt.Errorf("end: %w: abc", api.ErrNotFound), api.CodeNotFound, api.ErrNotFound},
		{"tracker conflict", fmt.Errorf("%w: session is completed", api.ErrConflict), api.CodeConflict, api.ErrConflict},
		{"validation", fmt.Errorf("start: %w", api.Invalid("repo_owner", "is empty")), api.CodeBadRequest, api.ErrInvalid},
		{"daemon's not_found", &api.Error{Code: api.CodeNotFound, Message: "session not found: abc"}, api.CodeNotFound, api.ErrNotFound},
		{"daemon's bad_request, wrapped", fmt.Errorf("stats: %w", &api.Error{Code: api.CodeBadRequest, Message: "x"}), api.CodeBadRequest, api.ErrInvalid},
		{"daemon's unavailable", &api.Error{Code: api.CodeUnavailable, Message: "sync is not configured"}, api.CodeUnavailable, nil},
		{"cancelled", fmt.Errorf("stats: %w", context.Canceled), api.CodeUnavailable, nil},
		{"anything else", errors.New("disk full"), api.CodeInternal, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ae := api.AsError(tt.err)
			if ae == nil || ae.Code != tt.code {
				t.Fatalf("AsError(%v) = %v, want code %s", tt.err, ae, tt.code)
			}
			var want *api.Error
			if !errors.As(tt.err, &want) && ae.Message != tt.err.Error() {
				t.Errorf("message %q, want the error's own %q", ae.Message, tt.err.Error())
			}
			for _, s := range []error{api.ErrNotFound, api.ErrConflict, api.ErrInvalid} {
				if got := errors.Is(tt.err, s); got != (s == tt.sentinel) {
					t.Errorf("errors.Is(%v, %v) = %v", tt.err, s, got)
				}
				if got := errors.Is(ae, s); got != (s == tt.sentinel) {
					t.Errorf("errors.Is(AsError(%v), %v) = %v", tt.err, s, got)
				}
			}
		})
	}
	if api.AsError(nil) != nil {
		t.Error("AsError(nil) is not nil")
	}
}

func TestParseRepo(t *testing.T) {
	for _, tt := range []struct {
		in    string
		field string // "" when valid
	}{
		{"acme/web", ""},
		{"a-b/web.site_2", ""},
		{"acme", "repo"},
		{"acme/web/x", "repo"},
		{"/web", "repo_owner"},
		{"-acme/web", "repo_owner"},
		{"ac--me/web", "repo_owner"},
		{"ac me/web", "repo_owner"},
		{"acme/", "repo_name"},
		{"acme/..", "repo_name"},
		{"acme/we b", "repo_name"},
	} {
		owner, name, err := api.ParseRepo(tt.in)
		var ve *api.ValidationError
		switch {
		case tt.field == "" && (err != nil || owner+"/"+name != tt.in):
			t.Errorf("ParseRepo(%q) = %q, %q, %v", tt.in, owner, name, err)
		case tt.field != "" && (!errors.As(err, &ve) || ve.Field != tt.field || !errors.Is(err, api.ErrInvalid)):
			t.Errorf("ParseRepo(%q) = %v, want an invalid %s", tt.in, err, tt.field)
		}
	}
}
