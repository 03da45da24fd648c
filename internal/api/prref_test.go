package api

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
)

// prrefCases is testdata/prrefs.json, shared with the dashboard's tests.
type prrefCases struct {
	Accept []struct {
		Input  string `json:"input"`
		Owner  string `json:"owner"`
		Name   string `json:"name"`
		Number int    `json:"number"`
	} `json:"accept"`
	Reject []string `json:"reject"`
}

func TestParsePRRef(t *testing.T) {
	b, err := os.ReadFile("testdata/prrefs.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases prrefCases
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases.Accept) == 0 || len(cases.Reject) == 0 {
		t.Fatal("no cases in testdata/prrefs.json")
	}
	for _, c := range cases.Accept {
		got, err := ParsePRRef(c.Input)
		want := PRRef{Owner: c.Owner, Name: c.Name, Number: c.Number}
		if err != nil || got != want {
			t.Errorf("ParsePRRef(%q) = %+v, %v; want %+v", c.Input, got, err, want)
		}
	}
	for _, in := range cases.Reject {
		got, err := ParsePRRef(in)
		if err == nil {
			t.Errorf("ParsePRRef(%q) = %+v, want an error", in, got)
		} else if !errors.Is(err, ErrInvalid) {
			t.Errorf("ParsePRRef(%q): %v is not ErrInvalid", in, err)
		}
	}
}

func TestParsePRRefQuotesAShortPrefix(t *testing.T) {
	in := strings.Repeat("é", 100000)
	_, err := ParsePRRef(in)
	if err == nil || len(err.Error()) > 200 {
		t.Fatalf("error for a 200 kB input is %d bytes, want a short one", len(err.Error()))
	}
	if !strings.Contains(err.Error(), "é…") {
		t.Errorf("error %q does not quote a prefix of the input", err)
	}
}
