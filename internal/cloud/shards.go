package cloud

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/cloudflare/cloudflare-go/v6/d1"
)

// MaxShards is the most D1 databases (shards) the Worker binds: DB and
// DB_1 … DB_63 (worker/src/shards.ts).
const MaxShards = 64

// ShardDatabase is the name of shard i's D1 database: the target's name for
// shard 0 (the database every earlier deploy created), NAME-shard-<i> after.
func (t Target) ShardDatabase(i int) string {
	if i == 0 {
		return t.Name
	}
	return t.Name + "-shard-" + strconv.Itoa(i)
}

// shardBinding is the Worker's binding name of shard i: the bundle's D1
// binding (DB) for shard 0, DB_<i> after (worker/src/shards.ts).
func shardBinding(base string, i int) string {
	if i == 0 {
		return base
	}
	return base + "_" + strconv.Itoa(i)
}

// findShards lists the target's shard databases in one listing (the API's
// name filter matches substrings, so NAME finds NAME-shard-<i> too) and
// returns them by shard number. Databases whose names only look alike are
// ignored.
func (a account) findShards(ctx context.Context, t Target) (map[int]*database, error) {
	var p d1.DatabaseListParams
	set(&p.AccountID, a.id)
	set(&p.Name, t.Name)
	out := map[int]*database{}
	iter := a.api.D1.Database.ListAutoPaging(ctx, p)
	for iter.Next() {
		db := iter.Current()
		if i, ok := t.shardNumber(db.Name); ok {
			out[i] = &database{ID: db.UUID, Name: db.Name}
		}
	}
	if err := iter.Err(); err != nil {
		return nil, classify("list the D1 databases", PermD1, err)
	}
	return out, nil
}

// shardNumber is the shard whose database has this name.
func (t Target) shardNumber(name string) (int, bool) {
	if name == t.Name {
		return 0, true
	}
	rest, ok := strings.CutPrefix(name, t.Name+"-shard-")
	if !ok || rest == "" || rest[0] == '0' || len(rest) > 2 {
		return 0, false
	}
	i, err := strconv.Atoi(rest)
	if err != nil || i < 1 || i >= MaxShards {
		return 0, false
	}
	return i, true
}

// shardsInUse is the number of shards the account has: one past the
// highest shard database that exists, 0 when there is none. A database past
// a gap counts: its users (if the Worker ever bound it) must keep it.
func shardsInUse(found map[int]*database) int {
	n := 0
	for i := range found {
		if i+1 > n {
			n = i + 1
		}
	}
	return n
}

// wantShards is how many shards deploy makes: asked (0 keeps what the
// account has, at least one), never fewer than the account has, since the
// users on a dropped shard would lose their data.
func wantShards(asked, have int) (int, error) {
	switch {
	case asked < 0 || asked > MaxShards:
		return 0, fmt.Errorf("--shards %d: want 1 to %d", asked, MaxShards)
	case asked == 0:
		return max(have, 1), nil
	case asked < have:
		return 0, fmt.Errorf("deploy: %w: the account has %d, --shards asks for %d", ErrFewerShards, have, asked)
	}
	return asked, nil
}
