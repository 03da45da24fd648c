package cloud

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"

	cffake "github.com/worktime/worktime/internal/fakes/cloudflare"
)

// shardDB opens the fake's SQLite file of shard i's database.
func (h *harness) shardDB(i int) *sql.DB {
	h.t.Helper()
	name := h.opts().ShardDatabase(i)
	path, ok := h.fake.DatabaseFile(name)
	if !ok {
		h.t.Fatalf("no D1 database %s", name)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { db.Close() })
	return db
}

// shardMigrations is what shard i's d1_migrations records, in order (nil
// when the table does not exist yet).
func (h *harness) shardMigrations(i int) []string {
	h.t.Helper()
	db := h.shardDB(i)
	var n int
	db.QueryRow("SELECT count(*) FROM sqlite_master WHERE name = 'd1_migrations'").Scan(&n)
	if n == 0 {
		return nil
	}
	rows, err := db.Query("SELECT name FROM d1_migrations ORDER BY id")
	if err != nil {
		h.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		out = append(out, s)
	}
	return out
}

func (h *harness) migrationNames() []string {
	var out []string
	for _, m := range h.bundle.Migrations {
		out = append(out, m.Name)
	}
	return out
}

// assertShards checks the account has exactly n shard databases, each fully
// migrated, and that the Worker binds DB, DB_1, ... to them in order.
func (h *harness) assertShards(n int) {
	h.t.Helper()
	var want []string
	for i := range n {
		want = append(want, h.opts().ShardDatabase(i))
	}
	if got := h.fake.Databases(); strings.Join(got, ",") != strings.Join(sortedCopy(want), ",") {
		h.t.Fatalf("databases = %v, want %v", got, want)
	}
	all := strings.Join(h.migrationNames(), "|")
	for i := range n {
		if got := strings.Join(h.shardMigrations(i), "|"); got != all {
			h.t.Errorf("shard %d migrations = %s, want %s", i, got, all)
		}
		var tables int
		h.shardDB(i).QueryRow("SELECT count(*) FROM sqlite_master WHERE name IN ('users', 'sessions', 'user_shards')").Scan(&tables)
		if tables != 3 {
			h.t.Errorf("shard %d has %d of users, sessions, user_shards", i, tables)
		}
	}
	sc, ok := h.fake.Script("worktime")
	if !ok {
		h.t.Fatal("no script")
	}
	d1 := map[string]string{}
	for _, b := range sc.Bindings {
		if b["type"] == "d1" {
			d1[b["name"].(string)] = b["database_id"].(string)
		}
	}
	if len(d1) != n {
		h.t.Errorf("D1 bindings = %v, want %d", d1, n)
	}
	for i := range n {
		id, _ := h.fake.DatabaseID(h.opts().ShardDatabase(i))
		if name := shardBinding("DB", i); d1[name] != id {
			h.t.Errorf("binding %s = %q, want %s's %q", name, d1[name], h.opts().ShardDatabase(i), id)
		}
	}
}

// plainVar is the Worker's plain-text variable name, "" when unset.
func (h *harness) plainVar(name string) string {
	h.t.Helper()
	sc, _ := h.fake.Script("worktime")
	for _, b := range sc.Bindings {
		if b["name"] == name && b["type"] == "plain_text" {
			return b["text"].(string)
		}
	}
	return ""
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestDeployShards(t *testing.T) {
	h := newHarness(t)
	o := h.opts()
	o.Shards = 4
	res := h.mustDeploy(o)
	h.assertShards(4)
	if len(res.DatabaseIDs) != 4 || res.DatabaseID != res.DatabaseIDs[0] {
		t.Errorf("result ids = %q / %q", res.DatabaseID, res.DatabaseIDs)
	}
	if want := 4 * len(h.bundle.Migrations); len(res.Applied) != want {
		t.Errorf("applied %d migrations, want %d: %v", len(res.Applied), want, res.Applied)
	}
	if !strings.Contains(h.out.String(), "applied migration 0001_init.sql to worktime-shard-3") {
		t.Errorf("output does not name the shard a migration went to:\n%s", h.out)
	}
	if v := h.plainVar(VarNewUserShards); v != "" {
		t.Errorf("a first deploy sends new users to %q, want every shard (unset)", v)
	}

	t.Run("re-run changes nothing", func(t *testing.T) {
		h.fake.ResetRequests()
		for _, shards := range []int{4, 0} {
			o.Shards = shards
			res := h.mustDeploy(o)
			if len(res.Changes) != 0 || len(h.fake.Writes()) != 0 {
				t.Errorf("--shards %d re-run changed %v, wrote %v", shards, res.Changes, routes(h.fake.Writes()))
			}
		}
	})

	t.Run("fewer shards are refused before any write", func(t *testing.T) {
		h.fake.ResetRequests()
		o.Shards = 2
		_, err := h.deploy(o)
		if !errors.Is(err, ErrFewerShards) || !strings.Contains(err.Error(), "has 4, --shards asks for 2") {
			t.Fatalf("err = %v, want ErrFewerShards naming 4 and 2", err)
		}
		if w := h.fake.Writes(); len(w) != 0 {
			t.Errorf("a refused deploy wrote %v", routes(w))
		}
		h.assertShards(4)
	})

	t.Run("more shards add databases and move nothing", func(t *testing.T) {
		// A user on shard 1 stays there, with their rows.
		if _, err := h.shardDB(1).Exec("INSERT INTO users (github_user_id, github_username) VALUES ('583231', 'octocat')"); err != nil {
			t.Fatal(err)
		}
		before := map[int]string{}
		for i := range 4 {
			before[i], _ = h.fake.DatabaseID(o.ShardDatabase(i))
		}
		h.fake.ResetRequests()
		o.Shards = 6
		res := h.mustDeploy(o)
		h.assertShards(6)
		for i := range 4 {
			if id, _ := h.fake.DatabaseID(o.ShardDatabase(i)); id != before[i] {
				t.Errorf("shard %d changed database: %s → %s", i, before[i], id)
			}
		}
		creates := 0
		for _, r := range h.fake.Writes() {
			if r.Route == "d1.create" {
				creates++
			}
		}
		if creates != 2 {
			t.Errorf("created %d databases, want 2", creates)
		}
		for _, a := range res.Applied {
			if !strings.HasSuffix(a, " to worktime-shard-4") && !strings.HasSuffix(a, " to worktime-shard-5") {
				t.Errorf("applied %q to an existing shard", a)
			}
		}
		if v := h.plainVar(VarNewUserShards); v != "4,5" {
			t.Errorf("%s = %q, want the added shards 4,5", VarNewUserShards, v)
		}
		if !strings.Contains(strings.Join(res.Changes, "\n"), "new users go to shard(s) 4,5") {
			t.Errorf("changes %v do not say where new users go", res.Changes)
		}
		// The next deploy keeps it.
		o.Shards = 0
		if res := h.mustDeploy(o); len(res.Changes) != 0 || h.plainVar(VarNewUserShards) != "4,5" {
			t.Errorf("re-run changed %v; %s = %q", res.Changes, VarNewUserShards, h.plainVar(VarNewUserShards))
		}
		var login string
		h.shardDB(1).QueryRow("SELECT github_username FROM users WHERE github_user_id = '583231'").Scan(&login)
		if login != "octocat" {
			t.Errorf("shard 1 lost its user (login %q)", login)
		}
	})

	t.Run("out of range", func(t *testing.T) {
		for _, n := range []int{-1, MaxShards + 1} {
			o.Shards = n
			if _, err := h.deploy(o); err == nil || !strings.Contains(err.Error(), "want 1 to 64") {
				t.Errorf("--shards %d: err = %v", n, err)
			}
		}
	})
}

// TestDeployShardsResumesAfterFailure stops a deploy of 3 shards at each
// step that touches a shard; every shard is then at a known version (its
// d1_migrations records a prefix of the bundle's migrations, and the tables
// of exactly those exist), and the next run finishes the deploy.
func TestDeployShardsResumesAfterFailure(t *testing.T) {
	m := len(testBundle(t, "0.1.0").Migrations)
	// d1.query calls per fresh shard: create d1_migrations, read it, then
	// per migration the query and its read-back.
	perShard := 2 + 2*m
	tests := []struct {
		name  string
		fault cffake.Fault
	}{
		{"create shard 1", cffake.Fault{Route: "d1.create", Skip: 1}},
		{"create shard 2", cffake.Fault{Route: "d1.create", Skip: 2}},
		{"shard 0's third migration", cffake.Fault{Route: "d1.query", Skip: 2 + 2*2}},
		{"shard 1's migrations table", cffake.Fault{Route: "d1.query", Skip: perShard}},
		{"shard 1's first migration", cffake.Fault{Route: "d1.query", Skip: perShard + 2}},
		{"shard 2's last migration", cffake.Fault{Route: "d1.query", Skip: 2*perShard + 2 + 2*(m-1)}},
		{"shard 2's last read-back", cffake.Fault{Route: "d1.query", Skip: 2*perShard + 2 + 2*(m-1) + 1}},
		{"upload with three bindings", cffake.Fault{Route: "script.upload"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.fake.AddFault(tt.fault)
			o := h.opts()
			o.Shards = 3
			if _, err := h.deploy(o); err == nil || !strings.Contains(err.Error(), "injected fault") {
				t.Fatalf("first run: err = %v, want the injected fault", err)
			}
			all := h.migrationNames()
			for i := range 3 {
				if _, ok := h.fake.DatabaseFile(o.ShardDatabase(i)); !ok {
					continue
				}
				got := h.shardMigrations(i)
				if strings.Join(got, "|") != strings.Join(all[:len(got)], "|") {
					t.Fatalf("shard %d records %v: not a prefix of %v", i, got, all)
				}
				// The tables say the same as the records: users comes with
				// 0001, user_shards with 0005, notes with the last one.
				for _, c := range []struct {
					table string
					from  int
				}{{"users", 1}, {"user_shards", 5}, {"notes", len(all)}} {
					var n int
					h.shardDB(i).QueryRow("SELECT count(*) FROM sqlite_master WHERE name = ?", c.table).Scan(&n)
					if (n == 1) != (len(got) >= c.from) {
						t.Errorf("shard %d at %d migrations has table %s: %v", i, len(got), c.table, n == 1)
					}
				}
			}
			h.mustDeploy(o)
			h.assertShards(3)
		})
	}
}

// TestDeployGrowthInterrupted: a deploy that adds shards and stops before
// the upload still sends new users to the added shards when it is run again
// (the deployed Worker's bindings, not the databases, say what it had).
func TestDeployGrowthInterrupted(t *testing.T) {
	h := newHarness(t)
	o := h.opts()
	o.Shards = 2
	h.mustDeploy(o)
	h.fake.AddFault(cffake.Fault{Route: "script.upload"})
	o.Shards = 3
	if _, err := h.deploy(o); err == nil {
		t.Fatal("the injected fault did not stop the deploy")
	}
	o.Shards = 0 // the operator re-runs without the flag
	h.mustDeploy(o)
	h.assertShards(3)
	if v := h.plainVar(VarNewUserShards); v != "2" {
		t.Errorf("%s = %q, want 2", VarNewUserShards, v)
	}
}

func TestDeployShardsDryRun(t *testing.T) {
	h := newHarness(t)
	h.mustDeploy(h.opts())
	h.fake.ResetRequests()
	h.out.Reset()
	o := h.opts()
	o.Shards, o.DryRun = 3, true
	res, err := h.deploy(o)
	if err != nil {
		t.Fatal(err)
	}
	if w := h.fake.Writes(); len(w) != 0 {
		t.Fatalf("dry run wrote %v", routes(w))
	}
	for _, want := range []string{"would create D1 database worktime-shard-1", "would create D1 database worktime-shard-2", "would apply 0001_init.sql", "to worktime-shard-2", "would update worker"} {
		if !strings.Contains(strings.Join(res.Changes, "\n"), want) {
			t.Errorf("changes lack %q: %v", want, res.Changes)
		}
	}
	if got := h.fake.Databases(); len(got) != 1 {
		t.Errorf("dry run created databases: %v", got)
	}
}

func TestStatusShards(t *testing.T) {
	h := newHarness(t)
	o := h.opts()
	o.Shards = 3
	h.mustDeploy(o)
	// Shard 2 holds more than the others.
	if _, err := h.shardDB(2).Exec("CREATE TABLE filler (b BLOB); INSERT INTO filler VALUES (zeroblob(3000000))"); err != nil {
		t.Fatal(err)
	}
	h.fake.ResetRequests()
	h.out.Reset()
	st, err := h.deployer(testToken).Status(context.Background(), o.Target)
	if err != nil {
		t.Fatal(err)
	}
	if w := h.fake.Writes(); len(w) != 0 {
		t.Errorf("status wrote %v", routes(w))
	}
	if len(st.Shards) != 3 || st.Database != st.Shards[0] {
		t.Fatalf("shards = %+v", st.Shards)
	}
	for i, ds := range st.Shards {
		if ds == nil || ds.Size <= 0 || len(ds.Pending) != 0 {
			t.Errorf("shard %d status = %+v", i, ds)
		}
	}
	if st.Shards[2].Size < 3_000_000 || st.Shards[2].Size <= st.Shards[1].Size {
		t.Errorf("sizes %d, %d: shard 2 should hold the 3 MB", st.Shards[1].Size, st.Shards[2].Size)
	}
	out := h.out.String()
	for i := range 3 {
		id, _ := h.fake.DatabaseID(o.ShardDatabase(i))
		if want := fmt.Sprintf("D1 database %s (%s, shard %d of 3)", o.ShardDatabase(i), id, i); !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Count(out, "of the 10 GB Workers Paid cap") != 3 || !strings.Contains(out, "D1 shards: 3, ") {
		t.Errorf("output lacks each shard's size against the cap, or the total:\n%s", out)
	}

	if st.Worker == nil || st.Worker.Shards != 3 || strings.Contains(out, "warning: the Worker binds") {
		t.Errorf("worker status %+v; output:\n%s", st.Worker, out)
	}

	t.Run("an interrupted growth is pointed out", func(t *testing.T) {
		h.fake.AddFault(cffake.Fault{Route: "script.upload"})
		o := o
		o.Shards = 4
		if _, err := h.deploy(o); err == nil {
			t.Fatal("the injected fault did not stop the deploy")
		}
		h.out.Reset()
		if _, err := h.deployer(testToken).Status(context.Background(), o.Target); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(h.out.String(), "warning: the Worker binds 3 D1 database(s) but the account has 4 shard(s); run worktimed cloud deploy") {
			t.Errorf("output:\n%s", h.out)
		}
		h.mustDeploy(o)
	})

	t.Run("a missing shard is named", func(t *testing.T) {
		id, _ := h.fake.DatabaseID(o.ShardDatabase(1))
		if err := h.deployer(testToken).acctDelete(id); err != nil {
			t.Fatal(err)
		}
		h.out.Reset()
		st, err := h.deployer(testToken).Status(context.Background(), o.Target)
		if err != nil {
			t.Fatal(err)
		}
		if st.Shards[1] != nil || !strings.Contains(h.out.String(), "D1 database worktime-shard-1 (shard 1): missing") {
			t.Errorf("status with shard 1 deleted:\n%s", h.out)
		}
	})
}

func TestDestroyShards(t *testing.T) {
	h := newHarness(t)
	o := h.opts()
	o.Shards = 3
	h.mustDeploy(o)
	if err := h.deployer(testToken).Destroy(context.Background(), o.Target, true); err != nil {
		t.Fatal(err)
	}
	if got := h.fake.Databases(); len(got) != 0 {
		t.Errorf("databases left: %v", got)
	}
	if !strings.Contains(h.out.String(), "Deleted D1 database worktime-shard-2.") {
		t.Errorf("output:\n%s", h.out)
	}
}

func TestShardNumber(t *testing.T) {
	tg := Target{Name: "worktime"}
	for name, want := range map[string]int{"worktime": 0, "worktime-shard-1": 1, "worktime-shard-63": 63,
		"worktime-shard-0": -1, "worktime-shard-01": -1, "worktime-shard-64": -1, "worktime-shard-": -1,
		"worktime-kv": -1, "my-worktime": -1, "worktime-shard-1x": -1} {
		got, ok := tg.shardNumber(name)
		if !ok {
			got = -1
		}
		if got != want {
			t.Errorf("shardNumber(%q) = %d, want %d", name, got, want)
		}
	}
}

// acctDelete deletes a database as someone in the dashboard would.
func (d *Deployer) acctDelete(id string) error {
	return account{api: d.API, id: testAccount}.deleteDatabase(context.Background(), id)
}
