package tracker

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

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
		buf := make([]byte, 0, 512)
		for i, h := range csvHeader {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, h...)
		}
		buf = append(buf, '\n')
		if _, err := bw.Write(buf); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		err = t.Export(ctx, q, func(s api.Session) error {
			buf = appendSessionCSV(buf[:0], s)
			tick()
			_, err := bw.Write(buf)
			return err
		})
	case FormatJSON:
		if _, err := bw.WriteString("["); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		buf := make([]byte, 0, 512)
		err = t.Export(ctx, q, func(s api.Session) error {
			buf = buf[:0]
			if n > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, '\n')
			buf = appendSessionJSON(buf, s)
			tick()
			_, err := bw.Write(buf)
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

// appendSessionJSON appends s exactly as json.Marshal(s) would write it,
// without reflection (export writes hundreds of thousands of them).
func appendSessionJSON(b []byte, s api.Session) []byte {
	b = append(b, `{"id":`...)
	b = appendJSONString(b, s.ID)
	b = append(b, `,"repo_owner":`...)
	b = appendJSONString(b, s.RepoOwner)
	b = append(b, `,"repo_name":`...)
	b = appendJSONString(b, s.RepoName)
	b = append(b, `,"pr_number":`...)
	b = strconv.AppendInt(b, int64(s.PRNumber), 10)
	b = append(b, `,"start_time":"`...)
	b = s.StartTime.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","end_time":`...)
	if s.EndTime == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '"')
		b = s.EndTime.AppendFormat(b, time.RFC3339Nano)
		b = append(b, '"')
	}
	b = append(b, `,"duration_seconds":`...)
	b = strconv.AppendInt(b, s.DurationSeconds, 10)
	b = append(b, `,"status":`...)
	b = appendJSONString(b, s.Status)
	b = append(b, `,"device_id":`...)
	b = appendJSONString(b, s.DeviceID)
	return append(b, '}')
}

// appendJSONString appends v as a JSON string; anything beyond plain
// printable ASCII goes through encoding/json so the escaping is identical.
func appendJSONString(b []byte, v string) []byte {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(v)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, v...)
	return append(b, '"')
}

// appendSessionCSV appends s as one CSV record, exactly as encoding/csv
// would write it.
func appendSessionCSV(b []byte, s api.Session) []byte {
	b = appendCSVField(b, s.ID)
	b = append(b, ',')
	b = appendCSVField(b, s.RepoOwner)
	b = append(b, ',')
	b = appendCSVField(b, s.RepoName)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(s.PRNumber), 10)
	b = append(b, ',')
	b = s.StartTime.UTC().AppendFormat(b, time.RFC3339)
	b = append(b, ',')
	if s.EndTime != nil {
		b = s.EndTime.UTC().AppendFormat(b, time.RFC3339)
	}
	b = append(b, ',')
	b = strconv.AppendInt(b, s.DurationSeconds, 10)
	b = append(b, ',')
	b = appendCSVField(b, s.Status)
	b = append(b, ',')
	b = appendCSVField(b, s.DeviceID)
	return append(b, '\n')
}

// appendCSVField quotes a field when encoding/csv would: it holds a comma,
// a quote, CR or LF, starts with a space, or is `\.`.
func appendCSVField(b []byte, f string) []byte {
	need := f == `\.`
	if !need && f != "" {
		r, _ := utf8.DecodeRuneInString(f)
		need = unicode.IsSpace(r) || strings.ContainsAny(f, ",\"\r\n")
	}
	if !need {
		return append(b, f...)
	}
	b = append(b, '"')
	for i := 0; i < len(f); i++ {
		if f[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, f[i])
	}
	return append(b, '"')
}
