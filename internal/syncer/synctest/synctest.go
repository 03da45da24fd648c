// Package synctest is the shared test suite of syncer.Remote: every
// implementation (the worker over HTTP, the in-memory server) runs it so that
// the engine can rely on the contracts written on the interface.
package synctest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/worktime/worktime/internal/syncer"
)

// Harness gives the suite fresh, isolated accounts on the implementation
// under test.
type Harness struct {
	// NewUser returns a Remote signed in as a user nobody else uses.
	NewUser func(t *testing.T) syncer.Remote
	// Unauthorized returns a Remote whose credentials the server refuses.
	Unauthorized func(t *testing.T) syncer.Remote
}

// Run runs every contract test against h.
func Run(t *testing.T, h Harness) {
	tests := []struct {
		name string
		fn   func(t *testing.T, h Harness)
	}{
		{"PushThenPull", testPushThenPull},
		{"PushIsIdempotent", testPushIdempotent},
		{"LastWriterWins", testLastWriterWins},
		{"PullIsResumable", testPullResumable},
		{"RejectsInvalidWithoutBlocking", testRejects},
		{"TooLargeStoresNothing", testTooLarge},
		{"Unauthorized", testUnauthorized},
		{"UsersAreIsolated", testIsolation},
		{"DevicesShareUser", testDevices},
		{"PushSaysWhetherAnythingElseChanged", testChanged},
		{"SequenceIsPerUser", testSequencePerUser},
		{"DeletionWinsOverEveryVersion", testDeletionWins},
		{"DeletionOfAMovedSession", testDeletionMoved},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, h) })
	}
}

// base is a fixed moment in the past so that every implementation accepts
// the sessions regardless of when the suite runs.
var base = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

// Completed returns a valid completed session of n minutes starting at
// start, updated at updated.
func Completed(start time.Time, minutes int, updated time.Time) syncer.Session {
	end := start.Add(time.Duration(minutes) * time.Minute)
	return syncer.Session{
		ID:              uuid.Must(uuid.NewV7()).String(),
		RepoOwner:       "worktime",
		RepoName:        "worktime",
		PRNumber:        42,
		StartTime:       start,
		EndTime:         &end,
		DurationSeconds: int64(minutes) * 60,
		Status:          syncer.StatusCompleted,
		UpdatedAt:       updated,
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func device() string { return uuid.Must(uuid.NewV7()).String() }

func push(t *testing.T, r syncer.Remote, dev string, ss ...syncer.Session) syncer.PushResult {
	t.Helper()
	res, err := r.Push(ctx(t), syncer.PushRequest{DeviceID: dev, TimeZone: "UTC", Sessions: ss})
	if err != nil {
		t.Fatalf("Push: %v", err)
	}
	return res
}

// pullAll pulls from cursor until the server has no more, with page size
// limit, and returns every session in order and the final cursor.
func pullAll(t *testing.T, r syncer.Remote, cursor string, limit int) ([]syncer.Session, string) {
	t.Helper()
	var all []syncer.Session
	for i := 0; ; i++ {
		if i > 1000 {
			t.Fatal("Pull never stopped reporting more")
		}
		res, err := r.Pull(ctx(t), cursor, limit)
		if err != nil {
			t.Fatalf("Pull(%q, %d): %v", cursor, limit, err)
		}
		if len(res.Sessions) > limit {
			t.Fatalf("Pull(%q, %d) returned %d sessions", cursor, limit, len(res.Sessions))
		}
		all = append(all, res.Sessions...)
		if res.More && res.Cursor == cursor {
			t.Fatalf("Pull reports more but the cursor did not move from %q", cursor)
		}
		cursor = res.Cursor
		if !res.More {
			return all, cursor
		}
	}
}

func byID(ss []syncer.Session) map[string][]syncer.Session {
	m := map[string][]syncer.Session{}
	for _, s := range ss {
		m[s.ID] = append(m[s.ID], s)
	}
	return m
}

// Equal reports how a differs from b, ignoring DeviceID; "" when they match.
func Equal(a, b syncer.Session) string {
	fmtT := func(p *time.Time) string {
		if p == nil {
			return "null"
		}
		return p.UTC().Format(time.RFC3339)
	}
	as := fmt.Sprintf("%s %s/%s#%d %s-%s %d %s %s", a.ID, a.RepoOwner, a.RepoName, a.PRNumber,
		a.StartTime.UTC().Format(time.RFC3339), fmtT(a.EndTime), a.DurationSeconds, a.Status, a.UpdatedAt.UTC().Format(time.RFC3339Nano))
	bs := fmt.Sprintf("%s %s/%s#%d %s-%s %d %s %s", b.ID, b.RepoOwner, b.RepoName, b.PRNumber,
		b.StartTime.UTC().Format(time.RFC3339), fmtT(b.EndTime), b.DurationSeconds, b.Status, b.UpdatedAt.UTC().Format(time.RFC3339Nano))
	if as == bs {
		return ""
	}
	return "got " + as + ", want " + bs
}

func testPushThenPull(t *testing.T, h Harness) {
	r := h.NewUser(t)
	dev := device()
	upd := base.Add(2 * time.Hour).Add(123 * time.Millisecond)
	want := []syncer.Session{Completed(base, 30, upd), Completed(base.Add(time.Hour), 15, upd)}
	active := want[0]
	active.ID = uuid.Must(uuid.NewV7()).String()
	active.EndTime, active.DurationSeconds, active.Status = nil, 0, syncer.StatusActive
	want = append(want, active)
	res := push(t, r, dev, want...)
	if res.Accepted != len(want) || len(res.Rejected) != 0 {
		t.Fatalf("Push = %+v, want %d accepted and none rejected", res, len(want))
	}
	got, _ := pullAll(t, r, "", 100)
	m := byID(got)
	if len(got) != len(want) {
		t.Fatalf("Pull returned %d sessions, want %d", len(got), len(want))
	}
	for _, w := range want {
		g := m[w.ID]
		if len(g) != 1 {
			t.Fatalf("session %s pulled %d times, want once", w.ID, len(g))
		}
		if d := Equal(g[0], w); d != "" {
			t.Errorf("pulled session differs: %s", d)
		}
		if g[0].DeviceID != dev {
			t.Errorf("pulled device_id = %q, want %q", g[0].DeviceID, dev)
		}
	}
}

func testPushIdempotent(t *testing.T, h Harness) {
	r := h.NewUser(t)
	dev := device()
	upd := base.Add(3 * time.Hour)
	batch := []syncer.Session{Completed(base, 10, upd), Completed(base.Add(20*time.Minute), 10, upd)}
	for i := 0; i < 3; i++ {
		if res := push(t, r, dev, batch...); len(res.Rejected) != 0 {
			t.Fatalf("push %d rejected %+v", i, res.Rejected)
		}
	}
	got, _ := pullAll(t, r, "", 100)
	if len(got) != len(batch) {
		t.Fatalf("after three identical pushes Pull returned %d sessions, want %d", len(got), len(batch))
	}
	for id, ss := range byID(got) {
		if len(ss) != 1 {
			t.Errorf("session %s stored %d times", id, len(ss))
		}
	}
}

func testLastWriterWins(t *testing.T, h Harness) {
	r := h.NewUser(t)
	dev := device()
	v1 := Completed(base, 10, base.Add(time.Hour))
	v2 := v1
	end2 := base.Add(25 * time.Minute)
	v2.EndTime, v2.DurationSeconds, v2.UpdatedAt = &end2, 25*60, base.Add(time.Hour+500*time.Millisecond)
	push(t, r, dev, v2)
	push(t, r, dev, v1) // older: accepted and ignored
	got, cursor := pullAll(t, r, "", 100)
	if len(got) != 1 || Equal(got[0], v2) != "" {
		t.Fatalf("after newer then older push, Pull = %+v, want only v2", got)
	}
	v3 := v2
	end3 := base.Add(40 * time.Minute)
	v3.EndTime, v3.DurationSeconds, v3.UpdatedAt = &end3, 40*60, base.Add(2*time.Hour)
	push(t, r, dev, v3)
	got, _ = pullAll(t, r, cursor, 100)
	if len(got) != 1 || Equal(got[0], v3) != "" {
		t.Fatalf("Pull after the newer version = %+v, want only v3", got)
	}
	all, _ := pullAll(t, r, "", 100)
	if len(all) != 1 || Equal(all[0], v3) != "" {
		t.Fatalf("full Pull = %+v, want only v3", all)
	}
}

func testPullResumable(t *testing.T, h Harness) {
	r := h.NewUser(t)
	dev := device()
	var want []syncer.Session
	for i := 0; i < 7; i++ {
		want = append(want, Completed(base.Add(time.Duration(i)*time.Hour), 5, base.Add(24*time.Hour)))
	}
	push(t, r, dev, want...)
	got, final := pullAll(t, r, "", 3)
	m := byID(got)
	if len(got) != len(want) {
		t.Fatalf("paged Pull returned %d sessions, want %d", len(got), len(want))
	}
	for _, w := range want {
		if len(m[w.ID]) != 1 {
			t.Errorf("session %s pulled %d times over pages, want once", w.ID, len(m[w.ID]))
		}
	}
	// Pulling again from the start (a cursor that was never stored) yields the same.
	again, _ := pullAll(t, r, "", 3)
	if len(again) != len(want) {
		t.Errorf("second Pull from the start returned %d sessions, want %d", len(again), len(want))
	}
	// Nothing after the final cursor.
	res, err := r.Pull(ctx(t), final, 3)
	if err != nil {
		t.Fatalf("Pull from final cursor: %v", err)
	}
	if len(res.Sessions) != 0 || res.More {
		t.Errorf("Pull from final cursor = %d sessions, more=%v; want none", len(res.Sessions), res.More)
	}
	// A change after the final cursor is seen from it.
	later := Completed(base.Add(10*time.Hour), 5, base.Add(25*time.Hour))
	push(t, r, dev, later)
	tail, _ := pullAll(t, r, final, 3)
	if len(tail) != 1 || tail[0].ID != later.ID {
		t.Errorf("Pull after a new push = %+v, want only %s", tail, later.ID)
	}
}

func testRejects(t *testing.T, h Harness) {
	r := h.NewUser(t)
	dev := device()
	upd := base.Add(time.Hour)
	good := Completed(base, 10, upd)
	backwards := Completed(base, 10, upd)
	earlier := base.Add(-time.Hour)
	backwards.EndTime, backwards.DurationSeconds = &earlier, -3600
	unknown := Completed(base, 10, upd)
	unknown.Status = "paused"
	good2 := Completed(base.Add(time.Hour), 10, upd)
	res := push(t, r, dev, good, backwards, unknown, good2)
	if res.Accepted != 2 {
		t.Errorf("Accepted = %d, want 2", res.Accepted)
	}
	rejected := map[string]bool{}
	for _, rj := range res.Rejected {
		rejected[rj.ID] = true
		if rj.Reason == "" {
			t.Errorf("rejection of %s has no reason", rj.ID)
		}
	}
	if len(rejected) != 2 || !rejected[backwards.ID] || !rejected[unknown.ID] {
		t.Errorf("Rejected = %+v, want %s and %s", res.Rejected, backwards.ID, unknown.ID)
	}
	got, _ := pullAll(t, r, "", 100)
	m := byID(got)
	if len(got) != 2 || len(m[good.ID]) != 1 || len(m[good2.ID]) != 1 {
		t.Errorf("Pull = %+v, want exactly the two valid sessions", got)
	}
}

func testTooLarge(t *testing.T, h Harness) {
	r := h.NewUser(t)
	var batch []syncer.Session
	for i := 0; i < syncer.MaxBatchSessions+1; i++ {
		batch = append(batch, Completed(base.Add(time.Duration(i)*time.Minute), 1, base.Add(48*time.Hour)))
	}
	_, err := r.Push(ctx(t), syncer.PushRequest{DeviceID: device(), TimeZone: "UTC", Sessions: batch})
	if !syncer.IsTooLarge(err) {
		t.Fatalf("Push of %d sessions: err = %v, want IsTooLarge", len(batch), err)
	}
	if syncer.IsRetryable(err) || syncer.IsUnauthorized(err) {
		t.Errorf("too-large error misclassified: %v", err)
	}
	got, _ := pullAll(t, r, "", 100)
	if len(got) != 0 {
		t.Errorf("a refused batch stored %d sessions", len(got))
	}
}

func testUnauthorized(t *testing.T, h Harness) {
	r := h.Unauthorized(t)
	_, err := r.Push(ctx(t), syncer.PushRequest{DeviceID: device(), TimeZone: "UTC", Sessions: []syncer.Session{Completed(base, 1, base.Add(time.Hour))}})
	if !syncer.IsUnauthorized(err) || syncer.IsRetryable(err) {
		t.Errorf("Push with refused credentials: err = %v, want IsUnauthorized only", err)
	}
	_, err = r.Pull(ctx(t), "", 10)
	if !syncer.IsUnauthorized(err) || syncer.IsRetryable(err) {
		t.Errorf("Pull with refused credentials: err = %v, want IsUnauthorized only", err)
	}
}

func testIsolation(t *testing.T, h Harness) {
	a, b := h.NewUser(t), h.NewUser(t)
	push(t, a, device(), Completed(base, 10, base.Add(time.Hour)))
	got, _ := pullAll(t, b, "", 100)
	if len(got) != 0 {
		t.Errorf("another user pulled %d sessions, want 0", len(got))
	}
}

func testDevices(t *testing.T, h Harness) {
	r := h.NewUser(t)
	d1, d2 := device(), device()
	s1 := Completed(base, 10, base.Add(time.Hour))
	s2 := Completed(base.Add(time.Hour), 10, base.Add(2*time.Hour))
	push(t, r, d1, s1)
	push(t, r, d2, s2)
	got, _ := pullAll(t, r, "", 100)
	m := byID(got)
	if len(got) != 2 || len(m[s1.ID]) != 1 || len(m[s2.ID]) != 1 {
		t.Fatalf("Pull = %+v, want both devices' sessions", got)
	}
	if m[s1.ID][0].DeviceID != d1 || m[s2.ID][0].DeviceID != d2 {
		t.Errorf("device ids = %q, %q; want %q, %q", m[s1.ID][0].DeviceID, m[s2.ID][0].DeviceID, d1, d2)
	}
}

func pushSince(t *testing.T, r syncer.Remote, dev, since string, ss ...syncer.Session) syncer.PushResult {
	t.Helper()
	res, err := r.Push(ctx(t), syncer.PushRequest{DeviceID: dev, TimeZone: "UTC", Since: since, Sessions: ss})
	if err != nil {
		t.Fatalf("Push: %v", err)
	}
	return res
}

func testChanged(t *testing.T, h Harness) {
	r := h.NewUser(t)
	a, b := device(), device()
	s1 := Completed(base, 10, base.Add(time.Hour))
	res := pushSince(t, r, a, "", s1)
	if res.Changed || res.Cursor == "" {
		t.Fatalf("first push of a new user since the beginning = %+v, want unchanged with a cursor", res)
	}
	cursorA := res.Cursor
	// Pulling from the cursor the push returned yields nothing: the
	// device may skip pulling its own session back.
	if got, _ := pullAll(t, r, cursorA, 100); len(got) != 0 {
		t.Fatalf("pull from an unchanged push's cursor returned %d sessions", len(got))
	}
	// The same version again is ignored: unchanged, and the sequence stays.
	if res := pushSince(t, r, a, cursorA, s1); res.Changed || res.Cursor != cursorA {
		t.Fatalf("repeating a push = %+v, want unchanged at cursor %q", res, cursorA)
	}
	// Another device writes: a's next push says changed.
	s2 := Completed(base.Add(time.Hour), 10, base.Add(2*time.Hour))
	if res := pushSince(t, r, b, "", s2); !res.Changed {
		t.Fatalf("push since the beginning after another write = %+v, want changed", res)
	}
	s3 := Completed(base.Add(2*time.Hour), 10, base.Add(3*time.Hour))
	res = pushSince(t, r, a, cursorA, s3)
	if !res.Changed {
		t.Fatalf("push after another device wrote = %+v, want changed", res)
	}
	got, cursor := pullAll(t, r, cursorA, 100)
	m := byID(got)
	if len(m[s2.ID]) != 1 {
		t.Fatalf("pull after a changed push = %+v, want the other device's session", got)
	}
	if cursor != res.Cursor {
		t.Errorf("pull ended at %q, the push's cursor is %q", cursor, res.Cursor)
	}
	s4 := Completed(base.Add(3*time.Hour), 10, base.Add(4*time.Hour))
	if res := pushSince(t, r, a, cursor, s4); res.Changed {
		t.Errorf("push after pulling everything = %+v, want unchanged", res)
	}
}

func testSequencePerUser(t *testing.T, h Harness) {
	a, b := h.NewUser(t), h.NewUser(t)
	dev := device()
	res := pushSince(t, b, dev, "", Completed(base, 10, base.Add(time.Hour)))
	if res.Changed {
		t.Fatalf("first push of a new user = %+v, want unchanged", res)
	}
	var many []syncer.Session
	for i := 0; i < 5; i++ {
		many = append(many, Completed(base.Add(time.Duration(i)*time.Hour), 10, base.Add(24*time.Hour)))
	}
	pushSince(t, a, device(), "", many...)
	again := pushSince(t, b, dev, res.Cursor, Completed(base.Add(time.Hour), 10, base.Add(2*time.Hour)))
	if again.Changed {
		t.Errorf("another user's writes made b's push say changed: %+v", again)
	}
	all, cursor := pullAll(t, b, "", 100)
	if len(all) != 2 || cursor != again.Cursor {
		t.Errorf("b pulled %d sessions up to %q, want 2 up to %q", len(all), cursor, again.Cursor)
	}
}

// Deletion returns the tombstone of s at version updated.
func Deletion(s syncer.Session, updated time.Time) syncer.Session {
	return syncer.Session{ID: s.ID, StartTime: s.StartTime, PrevStartTime: s.PrevStartTime, UpdatedAt: updated, Deleted: true}
}

// live returns the last version pulled of each session that is not deleted,
// and the ids pulled as deletions.
func live(ss []syncer.Session) (map[string]syncer.Session, map[string]bool) {
	alive, dead := map[string]syncer.Session{}, map[string]bool{}
	for _, s := range ss {
		if s.Deleted {
			dead[s.ID] = true
			delete(alive, s.ID)
			continue
		}
		if !dead[s.ID] {
			alive[s.ID] = s
		}
	}
	return alive, dead
}

func testDeletionWins(t *testing.T, h Harness) {
	r := h.NewUser(t)
	a, b := device(), device()
	s := Completed(base, 30, base.Add(time.Hour))
	keep := Completed(base.Add(2*time.Hour), 10, base.Add(3*time.Hour))
	push(t, r, a, s, keep)
	res := push(t, r, b, Deletion(s, base.Add(2*time.Hour)))
	if len(res.Rejected) != 0 {
		t.Fatalf("deletion rejected: %+v", res.Rejected)
	}
	all, cursor := pullAll(t, r, "", 100)
	alive, dead := live(all)
	if !dead[s.ID] || len(alive) != 1 || alive[keep.ID].ID != keep.ID {
		t.Fatalf("after the deletion: alive %v, deleted %v", alive, dead)
	}
	for _, d := range all {
		if d.Deleted && (d.RepoOwner != "" || d.PRNumber != 0 || d.EndTime != nil) {
			t.Fatalf("a deletion kept the session's content: %+v", d)
		}
	}
	// An older version (a device that was offline) and a newer one (an
	// edit made offline after the deletion) are both accepted and ignored.
	older := s
	older.UpdatedAt = base.Add(90 * time.Minute)
	newer := s
	newer.PRNumber = 7
	newer.UpdatedAt = base.Add(5 * time.Hour)
	res = push(t, r, a, older, newer)
	if len(res.Rejected) != 0 {
		t.Fatalf("rejected: %+v", res.Rejected)
	}
	more, _ := pullAll(t, r, cursor, 100)
	if len(more) != 0 {
		t.Fatalf("a deleted session came back: %+v", more)
	}
	all, _ = pullAll(t, r, "", 100)
	if alive, dead := live(all); alive[s.ID].ID != "" || !dead[s.ID] {
		t.Fatalf("a deleted session came back: %+v", all)
	}
	// A deletion of a session the server never had keeps it out too.
	ghost := Completed(base.Add(6*time.Hour), 5, base.Add(7*time.Hour))
	push(t, r, b, Deletion(ghost, base.Add(8*time.Hour)))
	push(t, r, a, ghost)
	all, _ = pullAll(t, r, "", 100)
	if alive, _ := live(all); alive[ghost.ID].ID != "" {
		t.Fatalf("a session deleted before it was pushed arrived: %+v", all)
	}
}

func testDeletionMoved(t *testing.T, h Harness) {
	r := h.NewUser(t)
	a := device()
	// Pushed at its first start, moved by an edit that was pushed, then
	// deleted: the deletion names the start the server holds.
	s := Completed(base, 30, base.Add(time.Hour))
	push(t, r, a, s)
	moved := s
	prev := s.StartTime
	moved.StartTime = base.Add(10 * time.Minute)
	end := moved.StartTime.Add(30 * time.Minute)
	moved.EndTime, moved.PrevStartTime, moved.UpdatedAt = &end, &prev, base.Add(2*time.Hour)
	push(t, r, a, moved)
	moved.PrevStartTime = nil
	push(t, r, a, Deletion(moved, base.Add(3*time.Hour)))
	// Moved again by an edit the server never got, then deleted: the
	// deletion names both starts.
	u := Completed(base.Add(5*time.Hour), 20, base.Add(6*time.Hour))
	push(t, r, a, u)
	gone := u
	p := u.StartTime
	gone.StartTime, gone.PrevStartTime = base.Add(4*time.Hour), &p
	push(t, r, a, Deletion(gone, base.Add(7*time.Hour)))
	all, _ := pullAll(t, r, "", 100)
	alive, dead := live(all)
	if len(alive) != 0 || !dead[s.ID] || !dead[u.ID] {
		t.Fatalf("alive %+v, deleted %v (s %s, u %s)", alive, dead, s.ID, u.ID)
	}
	// The version before the move, pushed late, stays deleted.
	push(t, r, device(), s)
	all, _ = pullAll(t, r, "", 100)
	if alive, _ := live(all); len(alive) != 0 {
		t.Fatalf("came back: %+v", alive)
	}
}
