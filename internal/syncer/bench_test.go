package syncer_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/localdb"
	"github.com/worktime/worktime/internal/syncer"
	"github.com/worktime/worktime/internal/syncer/memremote"
)

// BenchmarkEnginePush measures the client's share of a bulk sync: 100,000
// pending sessions in a real SQLite store pushed to the in-memory server
// (no network, no worker). The end-to-end figure is BenchmarkSync100k in
// e2e/syncer.
func BenchmarkEnginePush(b *testing.B) {
	const n = 100_000
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		ctx := context.Background()
		db, err := localdb.Open(ctx, filepath.Join(b.TempDir(), "worktime.db"), localdb.Options{})
		if err != nil {
			b.Fatal(err)
		}
		dev, _ := db.DeviceID(ctx)
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		for done := 0; done < n; {
			err := db.Update(ctx, func(tx *localdb.Tx) error {
				for k := 0; k < 5000 && done < n; k, done = k+1, done+1 {
					st := start.Add(time.Duration(done) * time.Minute)
					end := st.Add(30 * time.Second)
					if _, err := tx.Put(localdb.Session{Session: api.Session{
						ID: uuid.Must(uuid.NewV7()).String(), RepoOwner: "bench", RepoName: fmt.Sprintf("r%d", done%20),
						PRNumber: 1 + done%50, StartTime: st, EndTime: &end, Status: api.StatusCompleted, DeviceID: dev,
					}, Source: api.SourceManual}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		srv := memremote.New()
		srv.AddToken("bench", "t")
		eng, err := syncer.New(syncer.Options{
			Store: db,
			Account: func(context.Context) (syncer.Account, error) {
				return syncer.Account{ServerURL: "mem", Token: "t", Login: "bench"}, nil
			},
			NewRemote: func(a syncer.Account) syncer.Remote { return srv.Remote(a.Token) },
			TimeZone:  func() string { return "UTC" },
		})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		t0 := time.Now()
		st, err := eng.RunOnce(ctx)
		el := time.Since(t0)
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		if st.State != api.SyncIdle || st.Pending != 0 {
			b.Fatalf("state = %+v", st)
		}
		s := eng.Stats()
		b.ReportMetric(float64(n)/el.Seconds(), "sessions/s")
		b.ReportMetric(float64(s.PushRequests+s.PullRequests), "requests")
		db.Close()
	}
}
