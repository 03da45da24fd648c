package synce2e

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/api"
)

// shardOf reads the shard claim of a worker token (worker/src/jwt.ts).
func shardOf(t *testing.T, jwt string) int {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q is not a JWT", jwt)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Shard *int `json:"shard"`
	}
	if err := json.Unmarshal(b, &c); err != nil || c.Shard == nil {
		t.Fatalf("claims %s: no shard (%v)", b, err)
	}
	return *c.Shard
}

// TestUsersOnShards: the real daemons of two users who live on different D1
// databases of a two-shard worker sign in, track and sync; each server
// account holds exactly its user's sessions, with stats equal to the
// device's, and a second device of one user converges with the first.
func TestUsersOnShards(t *testing.T) {
	s := newShardedStack(t, "", 2)
	onShard := map[int]*device{}
	var logins = map[*device]string{}
	// The shard is a hash of the GitHub identity: sign users in until both
	// shards have one.
	for i := 0; len(onShard) < 2; i++ {
		if i == 8 {
			t.Fatalf("8 users all landed on shard(s) %v", onShard)
		}
		login := fmt.Sprintf("sharded-%d", i)
		d := newDevice(t, login, s)
		d.startDaemon()
		d.login(s, login, s.url())
		if sh := shardOf(t, d.token()); onShard[sh] == nil {
			onShard[sh] = d
			logins[d] = login
		} else {
			d.stopDaemon()
		}
	}
	want := map[*device][]api.Session{}
	for sh, d := range onShard {
		repo := fmt.Sprintf("shard%d/app", sh)
		for day := 3; day >= 1; day-- {
			want[d] = append(want[d], d.track(repo, 10+sh, dayStart(day).Add(9*time.Hour), 40*time.Minute+time.Duration(sh)*time.Second))
		}
		d.mustRun("sync")
	}
	// Both are the first user of their shard: the same id, different people.
	ids := map[int]bool{}
	for _, d := range onShard {
		var me struct {
			User struct {
				ID int `json:"id"`
			} `json:"user"`
		}
		serverGet(t, s.url(), d.token(), "/api/me", &me)
		ids[me.User.ID] = true
	}
	if len(ids) != 1 {
		t.Errorf("user ids %v: want the same id on both shards", ids)
	}
	// Exactly the user's own sessions (compareSessions counts them): none of
	// the other shard's user.
	for _, d := range onShard {
		tok := d.token()
		compareSessions(t, want[d], serverSessions(t, s.url(), tok))
		compareStats(t, d.localStats(5), serverDaily(t, s.url(), tok, 5))
	}

	// A second device of the user on shard 1 signs in to the same shard and
	// pulls the first device's sessions.
	first := onShard[1]
	second := newDevice(t, "sharded-second", s)
	second.startDaemon()
	second.login(s, logins[first], s.url())
	if sh := shardOf(t, second.token()); sh != 1 {
		t.Fatalf("the second device of a shard-1 user signed in to shard %d", sh)
	}
	second.mustRun("sync")
	a, b := first.localStats(5), second.localStats(5)
	if fmt.Sprint(a.Days) != fmt.Sprint(b.Days) {
		t.Errorf("devices disagree:\nfirst  %+v\nsecond %+v", a.Days, b.Days)
	}
}
