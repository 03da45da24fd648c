package tracker

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/worktime/worktime/internal/api"
)

// Export formats.
const (
	FormatCSV  = "csv"
	FormatJSON = "json"
)

// CSVHeader is the first line of a CSV export.
var csvHeader = []string{"id", "repo_owner", "repo_name", "pr_number", "start_time", "end_time",
	"duration_seconds", "status", "device_id"}

// CheckFormat validates an export format.
func CheckFormat(format string) error {
	if format != FormatCSV && format != FormatJSON {
		return invalid("format", "%q must be csv or json", format)
	}
	return nil
}

// WriteExport streams the selected sessions to w as CSV (with a header) or
// as one JSON array, in constant memory. progress, if not nil, is called
// with the number of sessions written so far every 1,000 sessions and at the
// end.
func (t *Tracker) WriteExport(ctx context.Context, w io.Writer, format string, q ExportQuery, progress func(done int64)) error {
	if err := CheckFormat(format); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	var n int64
	tick := func() {
		n++
		if progress != nil && n%1000 == 0 {
			progress(n)
		}
	}
	var err error
	switch format {
	case FormatCSV:
		cw := csv.NewWriter(bw)
		if err := cw.Write(csvHeader); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		rec := make([]string, len(csvHeader))
		err = t.Export(ctx, q, func(s api.Session) error {
			rec[0], rec[1], rec[2] = s.ID, s.RepoOwner, s.RepoName
			rec[3] = strconv.Itoa(s.PRNumber)
			rec[4] = s.StartTime.UTC().Format(time.RFC3339)
			rec[5] = ""
			if s.EndTime != nil {
				rec[5] = s.EndTime.UTC().Format(time.RFC3339)
			}
			rec[6] = strconv.FormatInt(s.DurationSeconds, 10)
			rec[7], rec[8] = s.Status, s.DeviceID
			tick()
			return cw.Write(rec)
		})
		cw.Flush()
		if err == nil {
			err = cw.Error()
		}
	case FormatJSON:
		if _, err := bw.WriteString("["); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		err = t.Export(ctx, q, func(s api.Session) error {
			b, err := json.Marshal(s)
			if err != nil {
				return err
			}
			sep := ",\n"
			if n == 0 {
				sep = "\n"
			}
			if _, err := bw.WriteString(sep); err != nil {
				return err
			}
			tick()
			_, err = bw.Write(b)
			return err
		})
		if err == nil {
			_, err = bw.WriteString("\n]\n")
		}
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if progress != nil {
		progress(n)
	}
	return nil
}
