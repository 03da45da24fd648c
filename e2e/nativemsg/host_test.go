package nativemsge2e

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/tracker"
)

func rfc(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// modes runs fn with the daemon running and without it.
func modes(t *testing.T, fn func(t *testing.T, w *world, withDaemon bool)) {
	for _, withDaemon := range []bool{false, true} {
		name := "without daemon"
		if withDaemon {
			name = "with daemon"
		}
		t.Run(name, func(t *testing.T) {
			w := newWorld(t)
			if withDaemon {
				w.startDaemon(t)
			}
			fn(t, w, withDaemon)
		})
	}
}

func TestEveryMessageType(t *testing.T) {
	modes(t, func(t *testing.T, w *world, withDaemon bool) {
		h := w.startHost(t)
		now := time.Now().UTC().Truncate(time.Second)
		r := h.call(t, `{"id":1,"type":"hello","protocol":1,"extension_version":"0.1.0"}`)
		if !r.OK || string(r.ID) != "1" || r.Protocol != 1 || r.Version == "" || r.SignedIn == nil || *r.SignedIn || string(r.User) != "null" ||
			r.Sync == nil || r.Sync.Pending == nil || r.Sync.LastError == nil {
			t.Fatalf("hello: %+v", r)
		}
		// Without the daemon the host says so; with it the daemon answers.
		if daemonDown := strings.Contains(*r.Sync.LastError, "not running"); daemonDown == withDaemon {
			t.Fatalf("hello sync.last_error %q with daemon=%v", *r.Sync.LastError, withDaemon)
		}
		if r.DaemonRunning == nil || *r.DaemonRunning != withDaemon {
			t.Fatalf("hello daemon_running %v with daemon=%v", r.DaemonRunning, withDaemon)
		}

		sid := uuid.Must(uuid.NewV7()).String()
		start := now.Add(-2 * time.Minute)
		startMsg := fmt.Sprintf(`{"id":"a","type":"session.start","repo_owner":"octo","repo_name":"hello-world","pr_number":42,"at":"%s","session_id":"%s"}`, rfc(start), sid)
		r = h.call(t, startMsg)
		if !r.OK || string(r.ID) != `"a"` || r.Session == nil || r.Session.ID != sid || r.Session.Status != api.StatusActive ||
			!r.Session.StartTime.Equal(start) || r.Session.RepoOwner != "octo" || r.Session.RepoName != "hello-world" || r.Session.PRNumber != 42 || r.Session.DeviceID == "" {
			t.Fatalf("session.start: %+v", r)
		}
		// The same start again is a no-op.
		if r = h.call(t, startMsg); !r.OK || r.Session.ID != sid || !r.Session.StartTime.Equal(start) {
			t.Fatalf("repeated session.start: %+v", r)
		}
		r = h.call(t, fmt.Sprintf(`{"id":2,"type":"session.heartbeat","session_id":"%s","at":"%s"}`, sid, rfc(start.Add(time.Minute))))
		if !r.OK || r.Session.ID != sid || r.Session.Status != api.StatusActive {
			t.Fatalf("session.heartbeat: %+v", r)
		}
		r = h.call(t, `{"id":3,"type":"session.active"}`)
		if !r.OK || r.Session == nil || r.Session.ID != sid {
			t.Fatalf("session.active: %+v", r)
		}
		r = h.call(t, fmt.Sprintf(`{"id":4,"type":"session.end","session_id":"%s","at":"%s"}`, sid, rfc(start.Add(90*time.Second))))
		if !r.OK || r.Session.Status != api.StatusCompleted || r.Session.DurationSeconds != 90 || r.Session.EndTime == nil {
			t.Fatalf("session.end: %+v", r)
		}
		if r = h.call(t, fmt.Sprintf(`{"id":5,"type":"session.end","session_id":"%s"}`, sid)); !r.OK || r.Session.DurationSeconds != 90 {
			t.Fatalf("repeated session.end: %+v", r)
		}
		if r = h.call(t, `{"id":6,"type":"session.active"}`); !r.OK || r.Session != nil {
			t.Fatalf("session.active after end: %+v", r)
		}
		r = h.call(t, `{"id":7,"type":"stats.summary","days":2}`)
		if !r.OK || r.TodaySeconds == nil || len(r.Days) != 2 || len(r.Repos) != 1 || r.Repos[0].RepoOwner != "octo" || r.Repos[0].RepoName != "hello-world" || r.Repos[0].Seconds != 90 {
			t.Fatalf("stats.summary: %+v", r)
		}
		if r = h.call(t, `{"id":8,"type":"stats.summary"}`); !r.OK || len(r.Days) != 7 {
			t.Fatalf("stats.summary default days: %+v", r)
		}
		// The recorded session waits to be pushed.
		if r = h.call(t, `{"id":9,"type":"hello","protocol":1}`); !r.OK || r.Sync == nil || r.Sync.Pending == nil || (!withDaemon && *r.Sync.Pending < 1) {
			t.Fatalf("hello after recording: %+v", r)
		}
		if code := h.close(t); code != 0 {
			t.Fatalf("exit code %d (stderr %s)", code, h.stderr)
		}
		s, err := w.openStore(t).Session(context.Background(), sid)
		if err != nil || s.Status != api.StatusCompleted || s.DurationSeconds != 90 || s.Source != api.SourceBrowser {
			t.Fatalf("stored session: %+v, %v", s, err)
		}
	})
}

// TestSummaryGoals: stats.summary carries config.toml's goals and the
// week's total, so the popup shows "1h 20m of 4h today", whether the
// daemon or the host answers; without goals they are 0.
func TestSummaryGoals(t *testing.T) {
	modes(t, func(t *testing.T, w *world, withDaemon bool) {
		h := w.startHost(t)
		r := h.call(t, `{"id":1,"type":"stats.summary","days":1}`)
		if !r.OK || r.DailyGoalSeconds == nil || *r.DailyGoalSeconds != 0 || r.WeeklyGoalSeconds == nil || *r.WeeklyGoalSeconds != 0 {
			t.Fatalf("stats.summary without goals: %+v", r)
		}
		cfg := filepath.Join(w.home, "config.toml")
		if err := os.WriteFile(cfg, []byte("daily_goal = \"4h\"\nweekly_goal = \"20h\"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC().Truncate(time.Second)
		sid := uuid.Must(uuid.NewV7()).String()
		start := now.Add(-2 * time.Minute)
		r = h.call(t, fmt.Sprintf(`{"id":2,"type":"session.start","repo_owner":"octo","repo_name":"app","pr_number":1,"at":"%s","session_id":"%s"}`, rfc(start), sid))
		if !r.OK {
			t.Fatalf("start: %+v", r)
		}
		if r = h.call(t, fmt.Sprintf(`{"id":3,"type":"session.end","session_id":"%s","at":"%s"}`, sid, rfc(start.Add(time.Minute)))); !r.OK {
			t.Fatalf("end: %+v", r)
		}
		r = h.call(t, `{"id":4,"type":"stats.summary","days":1}`)
		if !r.OK || r.DailyGoalSeconds == nil || *r.DailyGoalSeconds != 4*3600 || r.WeeklyGoalSeconds == nil || *r.WeeklyGoalSeconds != 20*3600 ||
			r.TodaySeconds == nil || r.WeekSeconds == nil || *r.WeekSeconds < *r.TodaySeconds || *r.WeekSeconds < 60 {
			t.Fatalf("stats.summary with goals: %+v", r)
		}
	})
}

func header(n uint32) []byte {
	b := make([]byte, 4)
	binary.NativeEndian.PutUint32(b, n)
	return b
}

func TestMalformedInput(t *testing.T) {
	huge := append(header(1<<20+1), bytes.Repeat([]byte(" "), 1<<20+1)...)
	active := frame([]byte(`{"id":9,"type":"session.active"}`))
	tests := []struct {
		name  string
		input []byte
		want  []string // reply codes in order; "ok" for a success
		ids   []string // the reply ids, when checked
	}{
		{"length over 1 MiB, then a valid message", append(huge, active...), []string{api.CodeTooLarge, "ok"}, []string{"null", "9"}},
		{"length 0xFFFFFFFF without a body", append(active, header(0xFFFFFFFF)...), []string{"ok"}, nil},
		{"truncated body", append(active, append(header(100), `{"id":1,"type":"sess`...)...), []string{"ok"}, nil},
		{"truncated length", append(active, 7, 0), []string{"ok"}, nil},
		{"invalid UTF-8", frame([]byte("{\"id\":1,\"type\":\"hello\",\"protocol\":1,\"x\":\"\xc3\x28\"}")), []string{api.CodeBadRequest}, []string{"null"}},
		{"invalid JSON", frame([]byte(`{"id":1,"type":`)), []string{api.CodeBadRequest}, []string{"null"}},
		{"JSON array", frame([]byte(`[{"id":1,"type":"hello"}]`)), []string{api.CodeBadRequest}, []string{"null"}},
		{"JSON string", frame([]byte(`"hello"`)), []string{api.CodeBadRequest}, []string{"null"}},
		{"JSON number", frame([]byte(`42`)), []string{api.CodeBadRequest}, []string{"null"}},
		{"unknown type", frame([]byte(`{"id":"u1","type":"session.pause"}`)), []string{api.CodeUnknownType}, []string{`"u1"`}},
		{"missing id", frame([]byte(`{"type":"session.active"}`)), []string{api.CodeBadRequest}, []string{"null"}},
		{"mistyped id", frame([]byte(`{"id":[1],"type":"session.active"}`)), []string{api.CodeBadRequest}, []string{"null"}},
		{"missing type", frame([]byte(`{"id":1}`)), []string{api.CodeBadRequest}, []string{"1"}},
		{"missing repo_name", frame([]byte(`{"id":1,"type":"session.start","repo_owner":"o","pr_number":1}`)), []string{api.CodeBadRequest}, []string{"1"}},
		{"mistyped pr_number", frame([]byte(`{"id":1,"type":"session.start","repo_owner":"o","repo_name":"r","pr_number":"7"}`)), []string{api.CodeBadRequest}, []string{"1"}},
		{"negative pr_number", frame([]byte(`{"id":1,"type":"session.start","repo_owner":"o","repo_name":"r","pr_number":-7}`)), []string{api.CodeBadRequest}, []string{"1"}},
		{"mistyped at", frame([]byte(`{"id":1,"type":"session.start","repo_owner":"o","repo_name":"r","pr_number":7,"at":12}`)), []string{api.CodeBadRequest}, []string{"1"}},
		{"bad session_id", frame([]byte(`{"id":1,"type":"session.start","repo_owner":"o","repo_name":"r","pr_number":7,"session_id":"x"}`)), []string{api.CodeBadRequest}, []string{"1"}},
		{"heartbeat without session_id", frame([]byte(`{"id":1,"type":"session.heartbeat"}`)), []string{api.CodeBadRequest}, []string{"1"}},
		{"heartbeat of an unknown session", frame([]byte(`{"id":1,"type":"session.heartbeat","session_id":"` + uuid.NewString() + `"}`)), []string{api.CodeNotFound}, []string{"1"}},
		{"end with mistyped session_id", frame([]byte(`{"id":1,"type":"session.end","session_id":true}`)), []string{api.CodeBadRequest}, []string{"1"}},
		{"stats days out of range", frame([]byte(`{"id":1,"type":"stats.summary","days":400}`)), []string{api.CodeBadRequest}, []string{"1"}},
		{"hello with another protocol", frame([]byte(`{"id":1,"type":"hello","protocol":2}`)), []string{api.CodeBadRequest}, []string{"1"}},
	}
	modes(t, func(t *testing.T, w *world, _ bool) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				h := w.startHost(t)
				if err := h.sendRaw(tt.input); err != nil {
					t.Fatal(err)
				}
				for i, want := range tt.want {
					r, err := h.recv()
					if err != nil {
						t.Fatalf("reply %d: %v (stderr %s)", i, err, h.stderr)
					}
					got := "ok"
					if !r.OK {
						if r.Error == nil || r.Error.Message == "" {
							t.Fatalf("reply %d: error without code or message: %+v", i, r)
						}
						got = r.Error.Code
					}
					if got != want {
						t.Fatalf("reply %d: %s (%+v), want %s", i, got, r.Error, want)
					}
					if tt.ids != nil && string(r.ID) != tt.ids[i] {
						t.Fatalf("reply %d: id %s, want %s", i, r.ID, tt.ids[i])
					}
				}
				if code := h.close(t); code != 0 {
					t.Fatalf("exit code %d (stderr %s)", code, h.stderr)
				}
			})
		}
		list, err := trackerSessions(t, w)
		if err != nil || len(list) != 0 {
			t.Fatalf("malformed input recorded sessions: %v, %v", list, err)
		}
		w.integrityCheck(t)
	})
}

func trackerSessions(t *testing.T, w *world) ([]api.Session, error) {
	return tracker.New(w.openStore(t), tracker.Options{}).Sessions(context.Background(), tracker.SessionQuery{Limit: 1000})
}

func TestCallerOrigin(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		allowed bool
	}{
		{"chrome origin", []string{origin}, true},
		{"windows parent window", []string{origin, "--parent-window=1234"}, true},
		{"firefox manifest and add-on id", []string{"/home/u/.mozilla/native-messaging-hosts/com.worktime.host.json", "worktime@worktime.dev"}, true},
		{"another extension", []string{"chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"}, false},
		{"not an extension id", []string{"chrome-extension://not-an-id/"}, false},
		{"unexpected extra argument", []string{origin, "--evil"}, false},
		{"another firefox add-on", []string{"/home/u/.mozilla/native-messaging-hosts/com.worktime.host.json", "other@example.com"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			h := w.startHost(t, tt.args...)
			if err := h.send(`{"id":1,"type":"session.start","repo_owner":"o","repo_name":"r","pr_number":1}`); err != nil && tt.allowed {
				t.Fatal(err)
			}
			r, err := h.recv()
			if err != nil {
				t.Fatalf("no reply: %v (stderr %s)", err, h.stderr)
			}
			if tt.allowed != r.OK {
				t.Fatalf("reply %+v (error %+v), allowed %v", r, r.Error, tt.allowed)
			}
			code := h.close(t)
			if tt.allowed {
				if code != 0 {
					t.Fatalf("exit code %d", code)
				}
				return
			}
			if r.Error.Code != api.CodeForbidden || string(r.ID) != "null" || code == 0 {
				t.Fatalf("refusal: %+v, exit %d", r.Error, code)
			}
			if list, err := trackerSessions(t, w); err != nil || len(list) != 0 {
				t.Fatalf("a refused caller recorded sessions: %v %v", list, err)
			}
		})
	}
}

// TestPortCloseEndsSession: the browser quits or crashes. A session the
// port started whose last heartbeat is older than nativemsg.CloseGrace (the
// browser hung, the computer slept) ends at that heartbeat; one whose last
// event came within the grace (here its start, 2 s before the close) ends
// the time the port stayed open after it.
func TestPortCloseEndsSession(t *testing.T) {
	modes(t, func(t *testing.T, w *world, _ bool) {
		h := w.startHost(t)
		now := time.Now().UTC().Truncate(time.Second)
		start := now.Add(-300 * time.Second)
		r := h.call(t, fmt.Sprintf(`{"id":1,"type":"session.start","repo_owner":"o","repo_name":"r","pr_number":5,"at":"%s"}`, rfc(start)))
		if !r.OK {
			t.Fatalf("start: %+v", r.Error)
		}
		id := r.Session.ID
		if r = h.call(t, fmt.Sprintf(`{"id":2,"type":"session.heartbeat","session_id":"%s","at":"%s"}`, id, rfc(start.Add(60*time.Second)))); !r.OK {
			t.Fatalf("heartbeat: %+v", r.Error)
		}
		if code := h.close(t); code != 0 {
			t.Fatalf("exit %d", code)
		}
		s, err := w.openStore(t).Session(context.Background(), id)
		if err != nil || s.Status != api.StatusCompleted || s.EndTime == nil || !s.EndTime.Equal(start.Add(60*time.Second)) || s.DurationSeconds != 60 {
			t.Fatalf("after the port closed: %+v (end %v), %v", s, s.EndTime, err)
		}

		h = w.startHost(t)
		sent := time.Now()
		if r = h.call(t, `{"id":1,"type":"session.start","repo_owner":"o","repo_name":"r","pr_number":6}`); !r.OK {
			t.Fatalf("start: %+v", r.Error)
		}
		id = r.Session.ID
		time.Sleep(2 * time.Second) // the time on the pull request before the quit
		if code := h.close(t); code != 0 {
			t.Fatalf("exit %d", code)
		}
		open := time.Since(sent)
		s, err = w.openStore(t).Session(context.Background(), id)
		if err != nil || s.Status != api.StatusCompleted || s.DurationSeconds < 2 || time.Duration(s.DurationSeconds)*time.Second > open+time.Second {
			t.Fatalf("2 s in, after the port closed (open %s): %+v (end %v), %v", open, s, s.EndTime, err)
		}
	})
}

// ack is one acknowledged event.
type ack struct {
	kind string // start, heartbeat, end
	id   string
	at   time.Time
	got  api.Session // the session in the reply
}

// TestKill9 kills the host or the daemon at random points of a stream of
// events; every acknowledged event must be in the store, and the store
// must pass PRAGMA integrity_check.
func TestKill9(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	w := newWorld(t)
	// Event times run from a little before now, one second apart, so they
	// stay within the tracker's future skew and never look idle.
	clock := time.Now().UTC().Truncate(time.Second).Add(-3 * time.Minute)
	var acks []ack
	began := time.Now()
	for round := 0; round < 8; round++ {
		var d *daemon
		if round%2 == 0 {
			d = w.startDaemon(t)
		}
		h := w.startHost(t)
		killAt := 3 + rng.IntN(30)
		victimIsDaemon := d != nil && rng.IntN(2) == 0
		killed := false
		var current string
		for i := 0; i < 40; i++ {
			if i == killAt {
				killed = true
				if victimIsDaemon {
					go d.kill9()
				} else {
					go h.cmd.Process.Kill()
				}
			}
			clock = clock.Add(time.Second)
			var msg string
			var kind string
			switch {
			case current == "":
				current = uuid.Must(uuid.NewV7()).String()
				kind = "start"
				msg = fmt.Sprintf(`{"id":%d,"type":"session.start","repo_owner":"o","repo_name":"r","pr_number":%d,"at":"%s","session_id":"%s"}`, i, round+1, rfc(clock), current)
			case i%7 == 6:
				kind = "end"
				msg = fmt.Sprintf(`{"id":%d,"type":"session.end","session_id":"%s","at":"%s"}`, i, current, rfc(clock))
			default:
				kind = "heartbeat"
				msg = fmt.Sprintf(`{"id":%d,"type":"session.heartbeat","session_id":"%s","at":"%s"}`, i, current, rfc(clock))
			}
			if err := h.send(msg); err != nil {
				break // the host was killed
			}
			r, err := h.recv()
			if err != nil {
				break
			}
			if r.OK {
				acks = append(acks, ack{kind, current, clock, *r.Session})
				if kind == "end" {
					current = ""
				}
			} else if r.Error.Code != api.CodeUnavailable {
				t.Fatalf("round %d event %d: %+v", round, i, r.Error)
			} else if kind == "start" {
				current = "" // not acknowledged: start another one
			}
		}
		if !killed || !victimIsDaemon {
			h.cmd.Process.Kill()
		}
		h.stdin.Close()
		_ = h.cmd.Wait()
		if d != nil {
			d.stop()
		}
		t.Logf("round %d done at %s", round, time.Since(began))
	}
	db := w.openStore(t)
	ctx := context.Background()
	n := map[string]int{}
	for _, a := range acks {
		n[a.kind]++
		s, err := db.Session(ctx, a.id)
		if err != nil {
			t.Fatalf("acknowledged %s of %s at %s: %v", a.kind, a.id, a.at, err)
		}
		switch a.kind {
		case "start":
			if !s.StartTime.Equal(a.at) {
				t.Fatalf("start of %s: %s, acknowledged %s", a.id, s.StartTime, a.at)
			}
		case "heartbeat":
			covered := s.LastHeartbeatAt != nil && !s.LastHeartbeatAt.Before(a.at) || s.EndTime != nil && !s.EndTime.Before(a.at)
			if !covered {
				t.Fatalf("heartbeat of %s at %s lost: %+v (last heartbeat %v)", a.id, a.at, s.Session, s.LastHeartbeatAt)
			}
		case "end":
			// An end acknowledges the session as it was left (completed at
			// the given time, or abandoned earlier).
			if s.Status != a.got.Status || s.EndTime == nil || a.got.EndTime == nil || !s.EndTime.Equal(*a.got.EndTime) {
				t.Fatalf("end of %s at %s lost: %+v", a.id, a.at, s.Session)
			}
		}
	}
	if n["start"] == 0 || n["heartbeat"] == 0 || n["end"] == 0 {
		t.Fatalf("too few acknowledged events to check: %v", n)
	}
	t.Logf("checked %d acknowledged events: %v", len(acks), n)
	w.integrityCheck(t)
}

// TestFirefoxManifestIDs: a Firefox add-on listed in worktime's Firefox
// manifest (install --extension-id) is allowed; a manifest of another host
// does not count.
func TestFirefoxManifestIDs(t *testing.T) {
	dir := t.TempDir()
	ours := filepath.Join(dir, "com.worktime.host.json")
	other := filepath.Join(dir, "other.json")
	if err := os.WriteFile(ours, []byte(`{"name":"com.worktime.host","type":"stdio","allowed_extensions":["mine@example.com"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(other, []byte(`{"name":"com.other.host","type":"stdio","allowed_extensions":["mine@example.com"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		manifest string
		allowed  bool
	}{{ours, true}, {other, false}} {
		w := newWorld(t)
		h := w.startHost(t, tt.manifest, "mine@example.com")
		_ = h.send(`{"id":1,"type":"session.active"}`)
		r, err := h.recv()
		if err != nil {
			t.Fatalf("%s: %v", tt.manifest, err)
		}
		if r.OK != tt.allowed || !tt.allowed && r.Error.Code != api.CodeForbidden {
			t.Fatalf("%s: %+v (%+v), allowed %v", tt.manifest, r, r.Error, tt.allowed)
		}
		h.close(t)
	}
}
