package cli

import (
	"time"

	"github.com/worktime/worktime/internal/localdb"
)

// parseAt parses an --at value: RFC 3339 ("2026-11-25T10:00:00Z" or with an
// offset). Empty means now (nil).
func parseAt(flagName, v string) (*time.Time, error) {
	if v == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return nil, usageErrorf("--%s %q is not an RFC 3339 time (e.g. 2026-11-25T10:00:00Z)", flagName, v)
	}
	return &t, nil
}

// parseDay parses a YYYY-MM-DD day as the first instant of that date in
// loc (localdb.DayStart: not time.Date's midnight, which is wrong where the
// clock skips midnight); an RFC 3339 time is also accepted.
func parseDay(flagName, v string, loc *time.Location) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(localdb.DateLayout, v); err == nil {
		y, m, d := t.Date()
		return localdb.DayStart(y, m, d, loc), nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Time{}, usageErrorf("--%s %q is not a date (YYYY-MM-DD) or an RFC 3339 time", flagName, v)
}

// fmtDuration prints seconds as 1h02m03s / 4m05s / 6s.
// humanTime is how every human-readable output shows a moment: local time
// (the configured zone) with the zone's abbreviation. JSON output carries
// RFC 3339 in UTC instead.
func humanTime(t time.Time, loc *time.Location) string {
	return t.In(loc).Format(humanLayout)
}

// humanLayout is humanTime's layout.
const humanLayout = "2006-01-02 15:04:05 MST"

func fmtDuration(secs int64) string {
	d := time.Duration(secs) * time.Second
	h := int64(d / time.Hour)
	m := int64(d%time.Hour) / int64(time.Minute)
	s := int64(d%time.Minute) / int64(time.Second)
	switch {
	case h > 0:
		return itoa(h) + "h" + pad2(m) + "m" + pad2(s) + "s"
	case m > 0:
		return itoa(m) + "m" + pad2(s) + "s"
	}
	return itoa(s) + "s"
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

func pad2(n int64) string {
	if n < 10 {
		return "0" + itoa(n)
	}
	return itoa(n)
}
