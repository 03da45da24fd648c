package nativemsg_test

import (
	"encoding/json"
	"testing"

	"github.com/worktime/worktime/internal/api"
)

// TestRulesMessages: the popup's "don't track this repository" adds a rule
// for exactly that repository, rules.check then says the page is excluded,
// and a start there is refused with code excluded and nothing recorded.
func TestRulesMessages(t *testing.T) {
	h, tr, _ := newHost(t)
	type ruleReply struct {
		OK      bool       `json:"ok"`
		Error   *api.Error `json:"error"`
		Action  string     `json:"action"`
		Tracked bool       `json:"tracked"`
		Synced  bool       `json:"synced"`
		Reason  string     `json:"reason"`
		Match   string     `json:"match"`
	}
	ask := func(msg string) ruleReply {
		t.Helper()
		var r ruleReply
		if err := json.Unmarshal(h.Handle(t.Context(), []byte(msg)), &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := ask(`{"id":1,"type":"rules.check","repo_owner":"octo","repo_name":"app"}`); !r.OK || r.Action != "track" || !r.Tracked || !r.Synced || r.Match != "" {
		t.Fatalf("check before: %+v", r)
	}
	if r := ask(`{"id":2,"type":"rules.add","repo_owner":"octo","repo_name":"app","action":"dont_track"}`); !r.OK || r.Action != "dont_track" || r.Tracked {
		t.Fatalf("add: %+v", r)
	}
	if r := ask(`{"id":3,"type":"rules.check","repo_owner":"Octo","repo_name":"App"}`); !r.OK || r.Tracked || r.Reason == "" || r.Match != "octo/app" {
		t.Fatalf("check after: %+v", r)
	}
	if r := ask(`{"id":4,"type":"rules.check","repo_owner":"octo","repo_name":"web"}`); !r.OK || !r.Tracked {
		t.Fatalf("another repository of the organisation: %+v", r)
	}
	r := handle(t, h, `{"id":5,"type":"session.start","repo_owner":"octo","repo_name":"app","pr_number":1}`)
	if r.OK || r.Error == nil || r.Error.Code != api.CodeExcluded {
		t.Fatalf("start of an excluded repository: %+v", r)
	}
	if a, err := tr.Active(t.Context()); err != nil || a != nil {
		t.Fatalf("something was recorded: %+v, %v", a, err)
	}
	for _, tc := range []struct{ msg, code string }{
		{`{"id":6,"type":"rules.check","repo_name":"app"}`, api.CodeBadRequest},
		{`{"id":7,"type":"rules.check","repo_owner":"octo"}`, api.CodeBadRequest},
		{`{"id":8,"type":"rules.check","repo_owner":"-x","repo_name":"app"}`, api.CodeBadRequest},
		{`{"id":9,"type":"rules.add","repo_owner":"octo","repo_name":"app"}`, api.CodeBadRequest},
		{`{"id":10,"type":"rules.add","repo_owner":"octo","repo_name":"app","action":"hide"}`, api.CodeBadRequest},
		{`{"id":11,"type":"rules.add","repo_owner":"octo","repo_name":"app","action":7}`, api.CodeBadRequest},
		{`{"id":12,"type":"rules.add","repo_owner":"octo","repo_name":"app","action":"dont_track","scope":"team"}`, api.CodeBadRequest},
		{`{"id":13,"type":"rules.add","repo_owner":"octo","repo_name":"app","action":"dont_track","scope":1}`, api.CodeBadRequest},
	} {
		if r := ask(tc.msg); r.OK || r.Error == nil || r.Error.Code != tc.code {
			t.Errorf("%s: %+v, want %s", tc.msg, r, tc.code)
		}
	}
}

// TestRulesAddScope: the popup offers the repository or its whole
// organisation; scope "org" adds a rule for the owner, which then excludes
// its other repositories and no one else's.
func TestRulesAddScope(t *testing.T) {
	for _, tc := range []struct {
		scope       string
		otherRepoIn bool   // octo/web excluded too
		match       string // the rule written
	}{
		{`,"scope":"org"`, true, "octo"},
		{`,"scope":"repo"`, false, "octo/app"},
		{``, false, "octo/app"},
	} {
		t.Run("scope"+tc.scope, func(t *testing.T) {
			h, _, _ := newHost(t)
			var r struct {
				OK    bool   `json:"ok"`
				Match string `json:"match"`
			}
			out := h.Handle(t.Context(), []byte(`{"id":1,"type":"rules.add","repo_owner":"octo","repo_name":"app","action":"dont_track"`+tc.scope+`}`))
			if err := json.Unmarshal(out, &r); err != nil || !r.OK || r.Match != tc.match {
				t.Fatalf("add: %s, want the rule %q (%v)", out, tc.match, err)
			}
			check := func(owner, name string) bool {
				t.Helper()
				var c struct {
					OK      bool `json:"ok"`
					Tracked bool `json:"tracked"`
				}
				out := h.Handle(t.Context(), []byte(`{"id":2,"type":"rules.check","repo_owner":"`+owner+`","repo_name":"`+name+`"}`))
				if err := json.Unmarshal(out, &c); err != nil || !c.OK {
					t.Fatalf("check %s/%s: %s (%v)", owner, name, out, err)
				}
				return c.Tracked
			}
			if check("octo", "app") {
				t.Error("octo/app is still tracked")
			}
			if got := !check("octo", "web"); got != tc.otherRepoIn {
				t.Errorf("octo/web excluded = %v, want %v", got, tc.otherRepoIn)
			}
			if !check("other", "app") {
				t.Error("other/app is excluded")
			}
		})
	}
}
