package localdb

import "time"

// DayPart is the part of a session that falls on one local calendar day.
type DayPart struct {
	Date    string // YYYY-MM-DD in the zone it was split in
	Seconds int64
	// Counts reports whether the part counts as a session on that day: it
	// lasts at least one second, or it is the start day of a zero-length
	// session.
	Counts bool
}

// DateLayout is the layout of daily_stats dates.
const DateLayout = "2006-01-02"

// SplitDays splits [start, end) at every local midnight of loc inside it.
// Midnights are computed with time.Date, so days that are 23 or 25 hours
// long (DST) and zones whose midnight is skipped are handled. Parts with zero
// seconds are left out, except for a zero-length session, which gets one
// part on its start day.
func SplitDays(start, end time.Time, loc *time.Location) []DayPart {
	start, end = start.In(loc), end.In(loc)
	if !end.After(start) {
		return []DayPart{{Date: start.Format(DateLayout), Seconds: 0, Counts: true}}
	}
	var parts []DayPart
	cur := start
	for cur.Before(end) {
		y, m, d := cur.Date()
		next := time.Date(y, m, d+1, 0, 0, 0, 0, loc)
		if !next.After(cur) { // defensive: a zone transition at midnight
			next = cur.Add(time.Hour)
		}
		stop := next
		if end.Before(stop) {
			stop = end
		}
		secs := stop.Unix() - cur.Unix()
		if secs > 0 {
			parts = append(parts, DayPart{Date: cur.Format(DateLayout), Seconds: secs, Counts: true})
		}
		cur = stop
	}
	return parts
}
