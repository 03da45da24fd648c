// Command gen writes the benchmark history (500,000 sessions over five
// years across 50 repositories, see internal/localdb/benchdata) as
// HOME/worktime.db, with a config.toml that counts days in UTC, so that
// `worktimed --home HOME ...` runs on it.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/worktime/worktime/internal/localdb/benchdata"
)

func main() {
	home := flag.String("home", "", "worktime home to create (required)")
	sessions := flag.Int("sessions", benchdata.Default().Sessions, "number of sessions")
	cache := flag.String("cache", "", "directory caching generated histories (default: generate in -home)")
	flag.Parse()
	if err := run(*home, *cache, *sessions); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(home, cache string, sessions int) error {
	if home == "" {
		return fmt.Errorf("-home DIR is required")
	}
	if err := os.MkdirAll(home, 0o700); err != nil {
		return err
	}
	db := filepath.Join(home, "worktime.db")
	if _, err := os.Stat(db); err == nil {
		fmt.Println("gen: using the existing", db)
		return nil
	}
	spec := benchdata.Default()
	spec.Sessions = sessions
	if cache == "" {
		cache = home
	}
	path, err := benchdata.Cached(context.Background(), cache, spec)
	if err != nil {
		return err
	}
	if cache == home {
		err = os.Rename(path, db)
	} else {
		err = copyFile(path, db)
	}
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(home, "config.toml"), []byte("time_zone = \"UTC\"\n"), 0o600)
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
