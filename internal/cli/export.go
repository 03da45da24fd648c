package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/worktime/worktime/internal/localdb"
	"github.com/worktime/worktime/internal/tracker"
)

// progressMin is the export size from which a progress bar is drawn on a
// terminal.
const progressMin = 10000

func cmdExport(ctx context.Context, e *Env, args []string) (err error) {
	fs := e.newFlagSet("export", "export --format csv|json [--since DAY] [--until DAY] [-o FILE]")
	format := fs.String("format", "", "the `format`: csv or json (required; no default)")
	since := fs.String("since", "", "sessions started on or after this `day` (YYYY-MM-DD, local, or RFC 3339)")
	until := fs.String("until", "", "sessions started on or before this `day` (YYYY-MM-DD, local, inclusive; or RFC 3339, exclusive)")
	out := fs.String("o", "", "write to `FILE` instead of standard output")
	if err := e.parseFlags(fs, args); err != nil {
		return err
	}
	if *format == "" {
		return usageErrorf("export: --format csv or --format json is required")
	}
	if err := tracker.CheckFormat(*format); err != nil {
		return usageErrorf("export: --format %q must be csv or json", *format)
	}
	b, loc, err := e.openBackend(ctx)
	if err != nil {
		return err
	}
	defer b.Close()
	q := tracker.ExportQuery{}
	if q.Since, err = parseDay("since", *since, loc); err != nil {
		return err
	}
	if q.Until, err = parseDay("until", *until, loc); err != nil {
		return err
	}
	if *until != "" && !strings.Contains(*until, "T") {
		y, m, d := q.Until.In(loc).Date()
		q.Until = localdb.DayStart(y, m, d+1, loc) // a day is inclusive
	}
	if !q.Since.IsZero() && !q.Until.IsZero() && !q.Until.After(q.Since) {
		return usageErrorf("export: --until %s is before --since %s", *until, *since)
	}

	var w io.Writer = e.Stdout
	var file *os.File
	if *out != "" {
		file, err = os.CreateTemp(filepath.Dir(*out), "."+filepath.Base(*out)+".*")
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		defer func() {
			if file != nil {
				file.Close()
				os.Remove(file.Name())
			}
		}()
		w = file
	}

	var progress func(int64)
	if e.IsTerminal(e.Stderr) && (*out != "" || !e.IsTerminal(e.Stdout)) {
		total, err := b.ExportCount(ctx, q)
		if err != nil {
			return err
		}
		if total >= progressMin {
			bar := newProgressBar(e.Stderr, total)
			progress = bar.update
			defer bar.finish()
		}
	}
	if err := b.Export(ctx, q, *format, w, progress); err != nil {
		return err
	}
	if file != nil {
		if err := file.Sync(); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if err := file.Close(); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if err := os.Rename(file.Name(), *out); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		file = nil
	}
	return nil
}

// progressBar draws "[#####     ]  42% 210000/500000" on one terminal line.
type progressBar struct {
	w     io.Writer
	total int64
	last  int
}

func newProgressBar(w io.Writer, total int64) *progressBar {
	return &progressBar{w: w, total: total, last: -1}
}

func (p *progressBar) update(done int64) {
	if p.total <= 0 {
		return
	}
	pct := int(done * 100 / p.total)
	if pct > 100 {
		pct = 100
	}
	if pct == p.last {
		return
	}
	p.last = pct
	const width = 30
	n := pct * width / 100
	fmt.Fprintf(p.w, "\r[%s%s] %3d%% %d/%d", strings.Repeat("#", n), strings.Repeat(" ", width-n), pct, done, p.total)
}

func (p *progressBar) finish() {
	if p.last >= 0 {
		fmt.Fprintln(p.w)
	}
}
