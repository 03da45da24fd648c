// Package benchdata generates the synthetic history the benchmarks run on:
// by default 500,000 sessions over the five years before a fixed end date,
// across 50 repositories, written in one transaction.
//
// The shape of a day: each day works on a handful (4–12) of pull requests
// drawn from a pool of 400 per repository, in 274 short browser sessions
// (30 s – 5 min, the length of a stretch on one tab) laid one after another
// from a random hour of the afternoon, so late days cross midnight. One
// session in 50 is abandoned.
package benchdata

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/clock"
	"github.com/worktime/worktime/internal/localdb"
)

// End is the last day of the generated history (UTC); benchmarks set their
// clock to it.
var End = time.Date(2026, 11, 25, 23, 0, 0, 0, time.UTC)

// Spec describes a history.
type Spec struct {
	Sessions int
	Repos    int
	Years    int
	Seed     int64
}

// Default is the benchmark history: 500,000 sessions, 50 repositories, 5
// years.
func Default() Spec { return Spec{Sessions: 500000, Repos: 50, Years: 5, Seed: 1} }

// FileName names a cached history file for s.
func (s Spec) FileName() string {
	return fmt.Sprintf("history-v2-%d-%d-%d-%d.db", s.Sessions, s.Repos, s.Years, s.Seed)
}

// Generate writes a new store at path holding the history (UTC days).
func Generate(ctx context.Context, path string, s Spec) error {
	db, err := localdb.Open(ctx, path, localdb.Options{Location: time.UTC, Clock: clock.NewFake(End)})
	if err != nil {
		return fmt.Errorf("benchdata: %w", err)
	}
	defer db.Close()
	rng := rand.New(rand.NewSource(s.Seed))
	days := s.Years * 365
	perDay := s.Sessions / days
	extra := s.Sessions % days
	first := End.AddDate(0, 0, -days+1)
	device := "0190a000-0000-7000-8000-00000000d001"
	repos := make([][2]string, s.Repos)
	for i := range repos {
		repos[i] = [2]string{fmt.Sprintf("org%d", i%7), fmt.Sprintf("repo-%02d", i)}
	}
	type pr struct {
		repo int
		num  int
	}
	day, inDay, made := 0, 0, 0
	var focus []pr
	var cur time.Time
	var todays int
	next := func() (localdb.Session, bool) {
		if made == s.Sessions {
			return localdb.Session{}, false
		}
		if inDay == 0 {
			todays = perDay
			if day < extra {
				todays++
			}
			d := first.AddDate(0, 0, day)
			cur = time.Date(d.Year(), d.Month(), d.Day(), 12+rng.Intn(4), rng.Intn(60), 0, 0, time.UTC)
			focus = focus[:0]
			for i, n := 0, 4+rng.Intn(9); i < n; i++ {
				focus = append(focus, pr{rng.Intn(s.Repos), 1 + rng.Intn(400)})
			}
		}
		p := focus[rng.Intn(len(focus))]
		start := cur
		end := start.Add(time.Duration(30+rng.Intn(271)) * time.Second)
		cur = end.Add(time.Duration(rng.Intn(20)) * time.Second)
		status := api.StatusCompleted
		if rng.Intn(50) == 0 {
			status = api.StatusAbandoned
		}
		u := uuid.Must(uuid.NewV7FromReader(rng))
		e := end
		made++
		inDay++
		if inDay == todays {
			inDay = 0
			day++
		}
		return localdb.Session{
			Session: api.Session{ID: u.String(), RepoOwner: repos[p.repo][0], RepoName: repos[p.repo][1], PRNumber: p.num,
				StartTime: start, EndTime: &e, Status: status, DeviceID: device},
			Source:          api.SourceBrowser,
			LastHeartbeatAt: &e,
			UpdatedAt:       end,
		}, true
	}
	n, err := db.BulkLoad(ctx, next)
	if err != nil {
		return fmt.Errorf("benchdata: %w", err)
	}
	if n != s.Sessions {
		return fmt.Errorf("benchdata: wrote %d sessions, want %d", n, s.Sessions)
	}
	return nil
}

// Cached returns the path of s's history in dir, generating it if it is
// not there yet.
func Cached(ctx context.Context, dir string, s Spec) (string, error) {
	path := filepath.Join(dir, s.FileName())
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	tmp := path + ".tmp"
	os.Remove(tmp)
	if err := Generate(ctx, tmp, s); err != nil {
		return "", err
	}
	// Fold the WAL into the file so the rename carries everything.
	if err := checkpoint(ctx, tmp); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", fmt.Errorf("benchdata: %w", err)
	}
	return path, nil
}
