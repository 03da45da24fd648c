package tracker

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
)

func TestAppendSessionJSONMatchesEncodingJSON(t *testing.T) {
	end := time.Date(2026, 11, 25, 11, 0, 0, 0, time.UTC)
	tests := []api.Session{
		{ID: "0190a000-0000-7000-8000-000000000001", RepoOwner: "acme", RepoName: "web", PRNumber: 7,
			StartTime: end.Add(-time.Hour), EndTime: &end, DurationSeconds: 3600, Status: "completed", DeviceID: "d"},
		{ID: "x", RepoOwner: "a", RepoName: "b", PRNumber: 1, StartTime: end, Status: "active"},
		{ID: "q\"uote\\", RepoOwner: "<tag>&", RepoName: "ünï\u2028code\x01", PRNumber: 1 << 30,
			StartTime: end.Add(500 * time.Millisecond), Status: "abandoned", DeviceID: "\t"},
	}
	for _, s := range tests {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendSessionJSON(nil, s); !bytes.Equal(got, want) {
			t.Errorf("appendSessionJSON\n got %s\nwant %s", got, want)
		}
	}
}

func TestWriteExportFormats(t *testing.T) {
	h := newHarness(t, nil)
	for i := 0; i < 3; i++ {
		s := h.start("acme", "web", i+1, "", ptr(t0.Add(time.Duration(i-5)*time.Hour)))
		h.tr.End(h.ctx, s.ID, ptr(t0.Add(time.Duration(i-5)*time.Hour+30*time.Minute)))
	}
	var buf bytes.Buffer
	var last int64
	if err := h.tr.WriteExport(h.ctx, &buf, FormatJSON, ExportQuery{}, func(n int64) { last = n }); err != nil {
		t.Fatal(err)
	}
	var got []api.Session
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("export is not JSON: %v\n%s", err, buf.String())
	}
	if len(got) != 3 || last != 3 || got[0].PRNumber != 1 || got[2].DurationSeconds != 1800 {
		t.Fatalf("export %+v (progress %d)", got, last)
	}
	buf.Reset()
	if err := h.tr.WriteExport(h.ctx, &buf, "xml", ExportQuery{}, nil); !errors.Is(err, api.ErrInvalid) {
		t.Fatalf("xml format = %v, want api.ErrInvalid", err)
	}
	if err := h.tr.WriteExport(h.ctx, &buf, FormatCSV, ExportQuery{Since: t0, Until: t0.Add(-time.Hour)}, nil); !errors.Is(err, api.ErrInvalid) {
		t.Fatalf("until before since = %v, want api.ErrInvalid", err)
	}
	n, err := h.tr.ExportCount(h.ctx, ExportQuery{Since: t0.Add(-4 * time.Hour)})
	if err != nil || n != 2 {
		t.Fatalf("ExportCount = %d, %v; want 2", n, err)
	}
	ctx, cancel := context.WithCancel(h.ctx)
	cancel()
	if err := h.tr.WriteExport(ctx, &buf, FormatCSV, ExportQuery{}, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled export = %v", err)
	}
}

func TestAppendSessionCSVMatchesEncodingCSV(t *testing.T) {
	end := time.Date(2026, 11, 25, 11, 0, 0, 0, time.UTC)
	tests := []api.Session{
		{ID: "0190a000-0000-7000-8000-000000000001", RepoOwner: "acme", RepoName: "web", PRNumber: 7,
			StartTime: end.Add(-time.Hour), EndTime: &end, DurationSeconds: 3600, Status: "completed", DeviceID: "d"},
		{ID: "x", RepoOwner: "a", RepoName: "b", PRNumber: 1, StartTime: end, Status: "active"},
		{ID: `q"uote`, RepoOwner: "a,b", RepoName: " lead", PRNumber: 2, StartTime: end, Status: "line\nbreak", DeviceID: `\.`},
		{ID: "\r", RepoOwner: "\tx", RepoName: "ü", PRNumber: 3, StartTime: end, Status: "", DeviceID: "\u00a0nbsp"},
	}
	for _, s := range tests {
		var want bytes.Buffer
		w := csv.NewWriter(&want)
		endS := ""
		if s.EndTime != nil {
			endS = s.EndTime.Format(time.RFC3339)
		}
		w.Write([]string{s.ID, s.RepoOwner, s.RepoName, strconv.Itoa(s.PRNumber), s.StartTime.Format(time.RFC3339), endS,
			strconv.FormatInt(s.DurationSeconds, 10), s.Status, s.DeviceID})
		w.Flush()
		if got := appendSessionCSV(nil, s); string(got) != want.String() {
			t.Errorf("appendSessionCSV\n got %q\nwant %q", got, want.String())
		}
	}
}
