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

	var (
		written int64 // sessions, from the last progress call
		bar     *progressBar
	)
	if e.IsTerminal(e.Stderr) && (*out != "" || !e.IsTerminal(e.Stdout)) {
		total, err := b.ExportCount(ctx, q)
		if err != nil {
			return err
		}
		if total >= progressMin {
			bar = newProgressBar(e.Stderr, total)
		}
	}
	counted := &countingWriter{w: w}
	err = b.Export(ctx, q, *format, counted, func(done int64) {
		written = done
		if bar != nil {
			bar.update(done)
		}
	})
	if bar != nil {
		bar.finish()
	}
	if err != nil {
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
	// The closing summary goes where it cannot mix with the data: always
	// with -o, else only to a terminal on stderr.
	if *out != "" || e.IsTerminal(e.Stderr) {
		dest := "standard output"
		if *out != "" {
			dest = *out
		}
		fmt.Fprintf(e.Stderr, "Exported %s %s (%s) to %s.\n", groupDigits(written), plural(written, "session", "sessions"), fmtBytes(counted.n), dest)
	}
	return nil
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// fmtBytes is a size for people: "812 bytes", "45.2 kB", "3.1 MB".
func fmtBytes(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d %s", n, plural(n, "byte", "bytes"))
	case n < 1000*1000:
		return fmt.Sprintf("%.1f kB", float64(n)/1000)
	case n < 1000*1000*1000:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%.1f GB", float64(n)/1e9)
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
