package nativemsg_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/clock"
	"github.com/worktime/worktime/internal/localdb"
	"github.com/worktime/worktime/internal/nativemsg"
	"github.com/worktime/worktime/internal/rules"
	"github.com/worktime/worktime/internal/tracker"
)

// storeBackend answers the protocol from a real tracker over a real store,
// as the host does when the daemon is not running.
type storeBackend struct {
	t     *tracker.Tracker
	rules *rules.Rules // what the tracker's Rules returns
	// daily and weekly are the goals Goals returns (config.toml's).
	daily, weekly time.Duration
}

func classify(err error) error {
	if err == nil {
		return nil
	}
	return api.AsError(err)
}

func (b storeBackend) Status(ctx context.Context) (api.Status, error) {
	id, err := b.t.DeviceID(ctx)
	return api.Status{Version: "test", DeviceID: id, Sync: api.SyncState{State: api.SyncDisabled}}, classify(err)
}
func (b storeBackend) Start(ctx context.Context, r api.StartRequest) (api.Session, error) {
	s, err := b.t.Start(ctx, r)
	return s, classify(err)
}
func (b storeBackend) Heartbeat(ctx context.Context, id string, at *time.Time) (api.Session, error) {
	s, err := b.t.Heartbeat(ctx, id, at)
	return s, classify(err)
}
func (b storeBackend) End(ctx context.Context, id string, at *time.Time) (api.Session, error) {
	s, err := b.t.End(ctx, id, at)
	return s, classify(err)
}
func (b storeBackend) Active(ctx context.Context) (*api.Session, error) {
	s, err := b.t.Active(ctx)
	return s, classify(err)
}
func (b storeBackend) Stats(ctx context.Context, days int) (api.Stats, error) {
	s, err := b.t.Stats(ctx, tracker.StatsQuery{Days: days})
	return s, classify(err)
}

func (b storeBackend) ImportSessions(ctx context.Context, req api.ImportRequest) (api.ImportReply, error) {
	r, err := b.t.ImportSessions(ctx, req)
	return r, classify(err)
}
func (b storeBackend) Rules(context.Context) (rules.Rules, error) { return *b.rules, nil }
func (b storeBackend) Goals(context.Context) (time.Duration, time.Duration, error) {
	return b.daily, b.weekly, nil
}
func (b storeBackend) AddRule(_ context.Context, r rules.Rule) (rules.Rules, error) {
	next := *b.rules
	next.Repos = append(append([]rules.Rule{}, next.Repos...), r)
	if err := next.Validate(); err != nil {
		return rules.Rules{}, &api.Error{Code: api.CodeBadRequest, Message: err.Error()}
	}
	*b.rules = next
	return next, nil
}

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

func newHost(t testing.TB) (*nativemsg.Host, *tracker.Tracker, *clock.Fake) {
	t.Helper()
	clk := clock.NewFake(t0)
	db, err := localdb.Open(context.Background(), t.TempDir()+"/worktime.db", localdb.Options{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	r := &rules.Rules{}
	tr := tracker.New(db, tracker.Options{Clock: clk, IdleTimeout: 10 * time.Minute, Rules: func() rules.Rules { return *r }})
	h := nativemsg.NewHost(nativemsg.HostOptions{Backend: storeBackend{t: tr, rules: r}, Clock: clk, Version: "test"})
	return h, tr, clk
}

type reply struct {
	ID      json.RawMessage `json:"id"`
	OK      bool            `json:"ok"`
	Error   *api.Error      `json:"error"`
	Session *api.Session    `json:"session"`
	// hello
	Protocol int             `json:"protocol"`
	Version  string          `json:"version"`
	SignedIn *bool           `json:"signed_in"`
	Sync     json.RawMessage `json:"sync"`
	// stats.summary
	TodaySeconds *int64 `json:"today_seconds"`
	Days         []struct {
		Date    string `json:"date"`
		Seconds int64  `json:"seconds"`
	} `json:"days"`
	Repos []struct {
		RepoOwner string `json:"repo_owner"`
		RepoName  string `json:"repo_name"`
		Seconds   int64  `json:"seconds"`
	} `json:"repos"`
}

func handle(t *testing.T, h *nativemsg.Host, msg string) reply {
	t.Helper()
	out := h.Handle(context.Background(), []byte(msg))
	var r reply
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("reply %s: %v", out, err)
	}
	return r
}

func TestHostMessageTypes(t *testing.T) {
	h, _, clk := newHost(t)

	r := handle(t, h, `{"id":1,"type":"hello","protocol":1,"extension_version":"1.0.0"}`)
	if !r.OK || string(r.ID) != "1" || r.Protocol != 1 || r.Version != "test" || r.SignedIn == nil || *r.SignedIn || !strings.Contains(string(r.Sync), `"pending":0`) {
		t.Fatalf("hello: %+v", r)
	}

	r = handle(t, h, `{"id":"s1","type":"session.start","repo_owner":"octo","repo_name":"hello","pr_number":7}`)
	if !r.OK || string(r.ID) != `"s1"` || r.Session == nil || r.Session.Status != api.StatusActive || !r.Session.StartTime.Equal(t0) || r.Session.PRNumber != 7 {
		t.Fatalf("start: %+v", r)
	}
	id := r.Session.ID

	clk.Advance(time.Minute)
	r = handle(t, h, `{"id":2,"type":"session.heartbeat","session_id":"`+id+`"}`)
	if !r.OK || r.Session.ID != id || r.Session.Status != api.StatusActive {
		t.Fatalf("heartbeat: %+v", r)
	}
	r = handle(t, h, `{"id":3,"type":"session.active"}`)
	if !r.OK || r.Session == nil || r.Session.ID != id {
		t.Fatalf("active: %+v", r)
	}
	end := t0.Add(90 * time.Second).Format(time.RFC3339)
	r = handle(t, h, `{"id":4,"type":"session.end","session_id":"`+id+`","at":"`+end+`"}`)
	if !r.OK || r.Session.Status != api.StatusCompleted || r.Session.DurationSeconds != 90 {
		t.Fatalf("end: %+v", r)
	}
	// End is idempotent.
	r = handle(t, h, `{"id":5,"type":"session.end","session_id":"`+id+`"}`)
	if !r.OK || r.Session.Status != api.StatusCompleted || r.Session.DurationSeconds != 90 {
		t.Fatalf("second end: %+v", r)
	}
	r = handle(t, h, `{"id":6,"type":"session.active"}`)
	if !r.OK || r.Session != nil {
		t.Fatalf("active after end: %+v", r)
	}
	r = handle(t, h, `{"id":7,"type":"stats.summary"}`)
	if !r.OK || r.TodaySeconds == nil || *r.TodaySeconds != 90 || len(r.Days) != 7 || len(r.Repos) != 1 || r.Repos[0].RepoOwner != "octo" || r.Repos[0].RepoName != "hello" || r.Repos[0].Seconds != 90 {
		t.Fatalf("stats.summary: %+v", r)
	}
	r = handle(t, h, `{"id":8,"type":"stats.summary","days":1}`)
	if !r.OK || len(r.Days) != 1 || r.Days[0].Date != "2026-11-25" || r.Days[0].Seconds != 90 {
		t.Fatalf("stats.summary days=1: %+v", r)
	}
}

func TestHostIdempotentStart(t *testing.T) {
	h, _, _ := newHost(t)
	const sid = "01935f3e-8a00-7000-8000-000000000001"
	msg := `{"id":1,"type":"session.start","repo_owner":"o","repo_name":"r","pr_number":1,"session_id":"` + sid + `"}`
	a := handle(t, h, msg)
	b := handle(t, h, msg)
	if !a.OK || !b.OK || a.Session.ID != sid || b.Session.ID != sid || !a.Session.StartTime.Equal(b.Session.StartTime) {
		t.Fatalf("idempotent start: %+v / %+v", a, b)
	}
	c := handle(t, h, `{"id":2,"type":"session.start","repo_owner":"o","repo_name":"r","pr_number":2,"session_id":"`+sid+`"}`)
	if c.OK || c.Error.Code != api.CodeConflict || string(c.ID) != "2" {
		t.Fatalf("reused id for another PR: %+v", c)
	}
}

func TestHostErrors(t *testing.T) {
	tests := []struct {
		name   string
		msg    string
		code   string
		wantID string
	}{
		{"invalid JSON", `{"id":1,`, api.CodeBadRequest, "null"},
		{"invalid UTF-8", "{\"id\":1,\"type\":\"hello\xff\"}", api.CodeBadRequest, "null"},
		{"array", `[1,2]`, api.CodeBadRequest, "null"},
		{"string", `"hello"`, api.CodeBadRequest, "null"},
		{"null", `null`, api.CodeBadRequest, "null"},
		{"empty", ``, api.CodeBadRequest, "null"},
		{"missing id", `{"type":"hello","protocol":1}`, api.CodeBadRequest, "null"},
		{"id is a bool", `{"id":true,"type":"hello","protocol":1}`, api.CodeBadRequest, "null"},
		{"id is an object", `{"id":{},"type":"hello","protocol":1}`, api.CodeBadRequest, "null"},
		{"missing type", `{"id":1}`, api.CodeBadRequest, "1"},
		{"type is a number", `{"id":1,"type":3}`, api.CodeBadRequest, "1"},
		{"unknown type", `{"id":"x","type":"session.pause"}`, api.CodeUnknownType, `"x"`},
		{"hello without protocol", `{"id":1,"type":"hello"}`, api.CodeBadRequest, "1"},
		{"hello protocol 2", `{"id":1,"type":"hello","protocol":2}`, api.CodeBadRequest, "1"},
		{"hello protocol string", `{"id":1,"type":"hello","protocol":"1"}`, api.CodeBadRequest, "1"},
		{"start missing repo_owner", `{"id":1,"type":"session.start","repo_name":"r","pr_number":1}`, api.CodeBadRequest, "1"},
		{"start missing pr_number", `{"id":1,"type":"session.start","repo_owner":"o","repo_name":"r"}`, api.CodeBadRequest, "1"},
		{"start pr_number string", `{"id":1,"type":"session.start","repo_owner":"o","repo_name":"r","pr_number":"1"}`, api.CodeBadRequest, "1"},
		{"start pr_number fraction", `{"id":1,"type":"session.start","repo_owner":"o","repo_name":"r","pr_number":1.5}`, api.CodeBadRequest, "1"},
		{"start pr_number zero", `{"id":1,"type":"session.start","repo_owner":"o","repo_name":"r","pr_number":0}`, api.CodeBadRequest, "1"},
		{"start repo_owner empty", `{"id":1,"type":"session.start","repo_owner":"","repo_name":"r","pr_number":1}`, api.CodeBadRequest, "1"},
		{"start repo_owner invalid", `{"id":1,"type":"session.start","repo_owner":"a b","repo_name":"r","pr_number":1}`, api.CodeBadRequest, "1"},
		{"start at not RFC 3339", `{"id":1,"type":"session.start","repo_owner":"o","repo_name":"r","pr_number":1,"at":"yesterday"}`, api.CodeBadRequest, "1"},
		{"start at far future", `{"id":1,"type":"session.start","repo_owner":"o","repo_name":"r","pr_number":1,"at":"2030-01-01T00:00:00Z"}`, api.CodeBadRequest, "1"},
		{"start session_id not a UUID", `{"id":1,"type":"session.start","repo_owner":"o","repo_name":"r","pr_number":1,"session_id":"abc"}`, api.CodeBadRequest, "1"},
		{"start session_id number", `{"id":1,"type":"session.start","repo_owner":"o","repo_name":"r","pr_number":1,"session_id":5}`, api.CodeBadRequest, "1"},
		{"heartbeat missing session_id", `{"id":1,"type":"session.heartbeat"}`, api.CodeBadRequest, "1"},
		{"heartbeat session_id number", `{"id":1,"type":"session.heartbeat","session_id":1}`, api.CodeBadRequest, "1"},
		{"heartbeat unknown session", `{"id":1,"type":"session.heartbeat","session_id":"01935f3e-8a00-7000-8000-000000000009"}`, api.CodeNotFound, "1"},
		{"end unknown session", `{"id":1,"type":"session.end","session_id":"01935f3e-8a00-7000-8000-000000000009"}`, api.CodeNotFound, "1"},
		{"end empty session_id", `{"id":1,"type":"session.end","session_id":""}`, api.CodeBadRequest, "1"},
		{"stats days 0", `{"id":1,"type":"stats.summary","days":0}`, api.CodeBadRequest, "1"},
		{"stats days 367", `{"id":1,"type":"stats.summary","days":367}`, api.CodeBadRequest, "1"},
		{"stats days string", `{"id":1,"type":"stats.summary","days":"7"}`, api.CodeBadRequest, "1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, tr, _ := newHost(t)
			r := handle(t, h, tt.msg)
			if r.OK || r.Error == nil || r.Error.Code != tt.code || r.Error.Message == "" || string(r.ID) != tt.wantID {
				t.Fatalf("reply %+v (error %+v), want code %s id %s", r, r.Error, tt.code, tt.wantID)
			}
			// Nothing was recorded.
			list, err := tr.Sessions(context.Background(), tracker.SessionQuery{})
			if err != nil || len(list) != 0 {
				t.Fatalf("sessions after a refused message: %v, %v", list, err)
			}
		})
	}
}

func frame(msg string) []byte {
	b := make([]byte, 4, 4+len(msg))
	binary.NativeEndian.PutUint32(b, uint32(len(msg)))
	return append(b, msg...)
}

func readReplies(t *testing.T, out []byte) []reply {
	t.Helper()
	fr := nativemsg.NewFrameReader(bytes.NewReader(out))
	var rs []reply
	for {
		msg, err := fr.ReadFrame()
		if err == io.EOF {
			return rs
		}
		if err != nil {
			t.Fatalf("reading replies: %v", err)
		}
		var r reply
		if err := json.Unmarshal(msg, &r); err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r)
	}
}

func TestServeFraming(t *testing.T) {
	huge := make([]byte, 4)
	binary.NativeEndian.PutUint32(huge, nativemsg.MaxFrame+1)
	huge = append(huge, bytes.Repeat([]byte("x"), nativemsg.MaxFrame+1)...)
	tests := []struct {
		name  string
		input []byte
		codes []string // "" = ok
	}{
		{"over 1 MiB then a valid frame", append(huge, frame(`{"id":1,"type":"session.active"}`)...), []string{api.CodeTooLarge, ""}},
		{"0xFFFFFFFF without body", append(frame(`{"id":1,"type":"session.active"}`), 0xff, 0xff, 0xff, 0xff), []string{""}},
		{"truncated body", append(frame(`{"id":1,"type":"session.active"}`), frame(`{"id":2,"type":"session.active"}`)[:10]...), []string{""}},
		{"truncated header", append(frame(`{"id":1,"type":"session.active"}`), 1, 0), []string{""}},
		{"empty stream", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, _, _ := newHost(t)
			var out bytes.Buffer
			if err := h.Serve(context.Background(), bytes.NewReader(tt.input), &out); err != nil {
				t.Fatalf("Serve: %v", err)
			}
			rs := readReplies(t, out.Bytes())
			if len(rs) != len(tt.codes) {
				t.Fatalf("%d replies, want %d", len(rs), len(tt.codes))
			}
			for i, code := range tt.codes {
				if code == "" && !rs[i].OK || code != "" && (rs[i].OK || rs[i].Error.Code != code) {
					t.Fatalf("reply %d: %+v, want %q", i, rs[i], code)
				}
			}
		})
	}
}

// openPort serves h on a pipe as the browser's port: send writes one
// message and waits for its reply; closePort closes the port (the browser
// quit) and waits until Serve has ended the port's sessions and returned.
func openPort(t *testing.T, h *nativemsg.Host) (send func(msg string), closePort func()) {
	t.Helper()
	pr, pw := io.Pipe()
	var out syncBuffer
	done := make(chan error, 1)
	go func() { done <- h.Serve(context.Background(), pr, &out) }()
	send = func(msg string) {
		t.Helper()
		if _, err := pw.Write(frame(msg)); err != nil {
			t.Fatal(err)
		}
		out.waitFrames(t)
	}
	closePort = func() {
		t.Helper()
		pw.Close()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	return send, closePort
}

// TestPortCloseEndsSessions: when the browser closes the port long after the
// session's last heartbeat (the browser hung, the computer slept), the
// session started through it ends at that last heartbeat.
func TestPortCloseEndsSessions(t *testing.T) {
	h, tr, clk := newHost(t)
	ctx := context.Background()
	send, closePort := openPort(t, h)
	send(`{"id":1,"type":"session.start","repo_owner":"o","repo_name":"r","pr_number":1}`)
	active, err := tr.Active(ctx)
	if err != nil || active == nil {
		t.Fatalf("active: %v %v", active, err)
	}
	clk.Advance(time.Minute)
	send(`{"id":2,"type":"session.heartbeat","session_id":"` + active.ID + `"}`)
	clk.Advance(30 * time.Second)
	send(`{"id":3,"type":"session.heartbeat","session_id":"` + active.ID + `"}`)
	lastBeat := clk.Now().UTC().Truncate(time.Second)
	clk.Advance(5 * time.Minute) // the browser crashes some time later
	closePort()
	s, err := tr.Session(ctx, active.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s.Status != api.StatusCompleted || s.EndTime == nil || !s.EndTime.Equal(lastBeat) || s.DurationSeconds != 90 {
		t.Fatalf("after port close: %+v (end %v, want %v)", s, s.EndTime, lastBeat)
	}
}

// TestPortCloseTime: the browser quits (or crashes) at some point of the
// heartbeat period. A session whose last start or heartbeat came at most
// nativemsg.CloseGrace before the close ends that much after it; an older
// one at its last heartbeat. Before, a session quit 47 s after its start, before its
// first heartbeat, was stored as 0 s.
func TestPortCloseTime(t *testing.T) {
	tests := []struct {
		name     string
		beats    []time.Duration // heartbeats, after the start
		closeAt  time.Duration   // the port closes, after the start
		wantSecs int64
		extAhead time.Duration // the extension's clock runs ahead of the host's by this much
		received time.Duration // the host receives the start this long after it (its clock)
	}{
		{name: "quit 5 s after the start", closeAt: 5 * time.Second, wantSecs: 5},
		{name: "quit in the 48th second, the start received late in its second", received: 900 * time.Millisecond, closeAt: 47*time.Second + 100*time.Millisecond, wantSecs: 47},
		{name: "the port closes in the second it was fed", received: 100 * time.Millisecond, closeAt: 900 * time.Millisecond, wantSecs: 0},
		{name: "the start crossed into the next second on its way to the host", received: 1050 * time.Millisecond, closeAt: 47*time.Second + 200*time.Millisecond, wantSecs: 47},
		{name: "an event that took 2 s or more to arrive counts from its arrival", received: 2500 * time.Millisecond, closeAt: 47*time.Second + 200*time.Millisecond, wantSecs: 45},
		{name: "quit 47 s after the start, before the first heartbeat", closeAt: 47 * time.Second, wantSecs: 47},
		{name: "quit 1 s after a heartbeat", beats: []time.Duration{time.Minute}, closeAt: 61 * time.Second, wantSecs: 61},
		{name: "quit 74 s after the last heartbeat", beats: []time.Duration{time.Minute, 2 * time.Minute}, closeAt: 194 * time.Second, wantSecs: 194},
		{name: "quit at the grace's end", beats: []time.Duration{time.Minute}, closeAt: time.Minute + nativemsg.CloseGrace, wantSecs: 180},
		{name: "quit a second past the grace", beats: []time.Duration{time.Minute}, closeAt: time.Minute + nativemsg.CloseGrace + time.Second, wantSecs: 60},
		{name: "no heartbeat at all for five minutes", closeAt: 5 * time.Minute, wantSecs: 0},
		{name: "the extension's clock is ahead: the 2 s since its heartbeat count", beats: []time.Duration{time.Minute}, closeAt: 62 * time.Second, extAhead: 30 * time.Second, wantSecs: 62},
		{name: "back-dated events: only the 1 s the port stayed open after them counts", beats: []time.Duration{time.Minute}, closeAt: 61 * time.Second, extAhead: -3 * time.Minute, wantSecs: 61},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, tr, clk := newHost(t)
			ctx := context.Background()
			send, closePort := openPort(t, h)
			const sid = "01935f3e-8a00-7000-8000-0000000000a1"
			at := func(d time.Duration) string { return t0.Add(d + tc.extAhead).Format(time.RFC3339) }
			clk.Set(t0.Add(tc.received))
			send(`{"id":1,"type":"session.start","repo_owner":"o","repo_name":"r","pr_number":1,"session_id":"` + sid + `","at":"` + at(0) + `"}`)
			for i, b := range tc.beats {
				clk.Set(t0.Add(b))
				send(fmt.Sprintf(`{"id":%d,"type":"session.heartbeat","session_id":"%s","at":"%s"}`, i+2, sid, at(b)))
			}
			clk.Set(t0.Add(tc.closeAt))
			closePort()
			s, err := tr.Session(ctx, sid)
			if err != nil {
				t.Fatal(err)
			}
			if s.Status != api.StatusCompleted || s.DurationSeconds != tc.wantSecs {
				t.Fatalf("after the port closed: status %s, %d s (end %v), want completed, %d s", s.Status, s.DurationSeconds, s.EndTime, tc.wantSecs)
			}
		})
	}
}

// TestPortCloseLeavesOtherSessions: a session this port ended, or one it
// never touched, is left alone.
func TestPortCloseLeavesOtherSessions(t *testing.T) {
	h, tr, clk := newHost(t)
	ctx := context.Background()
	end := t0.Add(20 * time.Second).Format(time.RFC3339)
	input := append(frame(`{"id":1,"type":"session.start","repo_owner":"o","repo_name":"r","pr_number":1,"session_id":"01935f3e-8a00-7000-8000-000000000001"}`),
		frame(`{"id":2,"type":"session.end","session_id":"01935f3e-8a00-7000-8000-000000000001","at":"`+end+`"}`)...)
	var out bytes.Buffer
	if err := h.Serve(ctx, bytes.NewReader(input), &out); err != nil {
		t.Fatal(err)
	}
	s, err := tr.Session(ctx, "01935f3e-8a00-7000-8000-000000000001")
	if err != nil || s.DurationSeconds != 20 {
		t.Fatalf("ended session changed: %+v %v", s, err)
	}
	// A session started elsewhere (the CLI) stays active when a port closes.
	clk.Advance(time.Minute)
	other, err := tr.Start(ctx, api.StartRequest{RepoOwner: "o", RepoName: "r", PRNumber: 2})
	if err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := h.Serve(ctx, bytes.NewReader(frame(`{"id":1,"type":"session.active"}`)), &out); err != nil {
		t.Fatal(err)
	}
	s, err = tr.Session(ctx, other.ID)
	if err != nil || s.Status != api.StatusActive {
		t.Fatalf("other session: %+v %v", s, err)
	}
}

// FuzzHostHandle feeds arbitrary messages to a host over a real store:
// every one gets a well-formed reply that echoes a valid id, and nothing
// panics.
func FuzzHostHandle(f *testing.F) {
	for _, s := range []string{
		`{"id":1,"type":"hello","protocol":1}`,
		`{"id":"a","type":"session.start","repo_owner":"o","repo_name":"r","pr_number":1}`,
		`{"id":2,"type":"session.start","repo_owner":"o","repo_name":"r","pr_number":1,"session_id":"01935f3e-8a00-7000-8000-000000000001","at":"2026-11-25T09:59:00Z"}`,
		`{"id":3,"type":"session.heartbeat","session_id":"01935f3e-8a00-7000-8000-000000000001"}`,
		`{"id":4,"type":"session.end","session_id":"01935f3e-8a00-7000-8000-000000000001","at":"2026-11-25T10:00:00+02:00"}`,
		`{"id":5,"type":"session.active"}`,
		`{"id":6,"type":"stats.summary","days":366}`,
		`{"id":7,"type":"x"}`, `{"id":1e400,"type":"hello"}`, `{"id":"\u0000","type":"session.end","session_id":"\u0000"}`,
	} {
		f.Add([]byte(s))
	}
	h, _, _ := newHost(f)
	f.Fuzz(func(t *testing.T, msg []byte) {
		out := h.Handle(context.Background(), msg)
		if len(out) > nativemsg.MaxFrame {
			t.Fatalf("reply of %d bytes", len(out))
		}
		var r struct {
			ID    json.RawMessage `json:"id"`
			OK    *bool           `json:"ok"`
			Error *api.Error      `json:"error"`
		}
		if err := json.Unmarshal(out, &r); err != nil || r.OK == nil {
			t.Fatalf("reply %q: %v", out, err)
		}
		if !*r.OK && (r.Error == nil || r.Error.Code == "" || r.Error.Message == "") {
			t.Fatalf("error reply without code or message: %s", out)
		}
		if id := string(r.ID); id != "null" && (len(id) == 0 || id[0] != '"' && id[0] != '-' && (id[0] < '0' || id[0] > '9')) {
			t.Fatalf("reply id %s", id)
		}
	})
}

// TestPortCloseKeepsReplayedSessionTime: a port that only replays the start
// of a session heartbeated for an hour (the extension reconnected) ends it,
// when it closes, at that hour's last heartbeat, not at its start.
func TestPortCloseKeepsReplayedSessionTime(t *testing.T) {
	first, tr, clk := newHost(t)
	ctx := context.Background()
	const sid = "01935f3e-8a00-7000-8000-000000000042"
	start := `{"id":1,"type":"session.start","repo_owner":"o","repo_name":"r","pr_number":1,"session_id":"` + sid + `","at":"` + t0.Format(time.RFC3339) + `"}`
	if r := handle(t, first, start); !r.OK {
		t.Fatalf("start: %+v", r.Error)
	}
	for range 12 {
		clk.Advance(5 * time.Minute)
		if r := handle(t, first, `{"id":2,"type":"session.heartbeat","session_id":"`+sid+`"}`); !r.OK {
			t.Fatalf("heartbeat: %+v", r.Error)
		}
	}
	lastBeat := t0.Add(time.Hour)
	clk.Advance(2 * time.Minute)

	second := nativemsg.NewHost(nativemsg.HostOptions{Backend: storeBackend{t: tr, rules: &rules.Rules{}}, Clock: clk, Version: "test"})
	var out bytes.Buffer
	if err := second.Serve(ctx, bytes.NewReader(frame(start)), &out); err != nil {
		t.Fatal(err)
	}
	if rs := readReplies(t, out.Bytes()); len(rs) != 1 || !rs[0].OK || !rs[0].Session.StartTime.Equal(t0) {
		t.Fatalf("replayed start: %+v", rs)
	}
	s, err := tr.Session(ctx, sid)
	if err != nil {
		t.Fatal(err)
	}
	if s.Status != api.StatusCompleted || s.EndTime == nil || !s.EndTime.Equal(lastBeat) || s.DurationSeconds != 3600 {
		t.Fatalf("after the port closed: %+v (end %v, want %v)", s, s.EndTime, lastBeat)
	}
}

// TestServeAnswersMessageWithHugeEcho: a message whose error reply would
// repeat a long value (a 250 KB type of bytes %q expands fivefold, an id
// near 1 MiB) is answered with an error that fits in a frame, and the host
// goes on serving the next message.
func TestServeAnswersMessageWithHugeEcho(t *testing.T) {
	longType := `{"id":1,"type":"` + strings.Repeat("\x7f", 250<<10) + `"}`
	longID := `{"id":"` + strings.Repeat("\x7f", nativemsg.MaxFrame-40) + `","type":"x"}`
	if len(longID) > nativemsg.MaxFrame {
		t.Fatalf("test message of %d bytes is over MaxFrame", len(longID))
	}
	next := `{"id":2,"type":"session.active"}`
	tests := []struct {
		name   string
		msg    string
		code   string
		wantID string
	}{
		{"long type", longType, api.CodeUnknownType, "1"},
		{"long id", longID, api.CodeTooLarge, "null"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, _, _ := newHost(t)
			var out bytes.Buffer
			if err := h.Serve(context.Background(), bytes.NewReader(append(frame(tt.msg), frame(next)...)), &out); err != nil {
				t.Fatalf("Serve: %v", err)
			}
			rs := readReplies(t, out.Bytes())
			if len(rs) != 2 {
				t.Fatalf("%d replies, want 2", len(rs))
			}
			if r := rs[0]; r.OK || r.Error.Code != tt.code || string(r.ID) != tt.wantID || len(r.Error.Message) > 1<<10 {
				t.Fatalf("reply to the long message: id %s, error %.300v", r.ID, r.Error)
			}
			if r := rs[1]; !r.OK || string(r.ID) != "2" {
				t.Fatalf("reply to the next message: %+v", r)
			}
		})
	}
	// The echoed type is cut and says so.
	h, _, _ := newHost(t)
	r := handle(t, h, longType)
	if !strings.Contains(r.Error.Message, "truncated") || len(r.Error.Message) > 4*200+100 { // 200 bytes, each \x7f when quoted
		t.Fatalf("message %.400q", r.Error.Message)
	}
}

// TestHostUpperCaseSessionID: an extension that mints upper-case UUIDs can
// heartbeat and end the session it started.
func TestHostUpperCaseSessionID(t *testing.T) {
	h, _, clk := newHost(t)
	const upper = "01935F3E-8A00-7000-8000-0000000000AB"
	r := handle(t, h, `{"id":1,"type":"session.start","repo_owner":"o","repo_name":"r","pr_number":1,"session_id":"`+upper+`"}`)
	if !r.OK || r.Session.ID != strings.ToLower(upper) {
		t.Fatalf("start: %+v %+v", r, r.Error)
	}
	clk.Advance(time.Minute)
	if r := handle(t, h, `{"id":2,"type":"session.heartbeat","session_id":"`+upper+`"}`); !r.OK {
		t.Fatalf("heartbeat: %+v", r.Error)
	}
	clk.Advance(time.Minute)
	if r := handle(t, h, `{"id":3,"type":"session.end","session_id":"`+upper+`"}`); !r.OK || r.Session.DurationSeconds != 120 {
		t.Fatalf("end: %+v %+v", r, r.Error)
	}
}

// TestHostLeavesStartTimeToTracker: a start without "at" is sent without a
// time, so the tracker reads its clock under the store's write lock. A time
// the host read earlier (here: from a clock a minute behind, as a host that
// waited a minute for the lock would have) could fall inside a session
// another writer recorded meanwhile.
func TestHostLeavesStartTimeToTracker(t *testing.T) {
	_, tr, clk := newHost(t)
	clk.Set(t0.Add(time.Minute))
	h := nativemsg.NewHost(nativemsg.HostOptions{Backend: storeBackend{t: tr, rules: &rules.Rules{}}, Clock: clock.NewFake(t0), Version: "test"})
	r := handle(t, h, `{"id":1,"type":"session.start","repo_owner":"o","repo_name":"r","pr_number":1}`)
	if !r.OK || r.Session == nil || !r.Session.StartTime.Equal(t0.Add(time.Minute)) {
		t.Fatalf("start = %+v (error %+v), want it started at the tracker's now %s", r.Session, r.Error, t0.Add(time.Minute))
	}
}

// daemonBackend is a store backend that says whether "the daemon" answered,
// as the relay does.
type daemonBackend struct {
	storeBackend
	running bool
}

func (b daemonBackend) StatusWithDaemon(ctx context.Context) (api.Status, bool, error) {
	st, err := b.Status(ctx)
	return st, b.running, err
}

// TestHelloDaemonRunning: hello says whether the daemon is running when the
// backend can tell, and leaves daemon_running out when it cannot.
func TestHelloDaemonRunning(t *testing.T) {
	_, tr, clk := newHost(t)
	for _, tc := range []struct {
		name    string
		backend nativemsg.Backend
		want    string
	}{
		{"daemon running", daemonBackend{storeBackend{t: tr}, true}, "true"},
		{"daemon down", daemonBackend{storeBackend{t: tr}, false}, "false"},
		{"a backend that cannot tell", storeBackend{t: tr}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := nativemsg.NewHost(nativemsg.HostOptions{Backend: tc.backend, Clock: clk, Version: "test"})
			out := h.Handle(context.Background(), []byte(`{"id":1,"type":"hello","protocol":1}`))
			var r struct {
				OK            bool            `json:"ok"`
				DaemonRunning json.RawMessage `json:"daemon_running"`
			}
			if err := json.Unmarshal(out, &r); err != nil || !r.OK || string(r.DaemonRunning) != tc.want {
				t.Fatalf("hello %s: daemon_running %q, want %q (%v)", out, r.DaemonRunning, tc.want, err)
			}
		})
	}
}
