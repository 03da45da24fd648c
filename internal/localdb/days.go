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

// SplitDays splits [start, end) into local calendar days of loc, exactly as
// the worker does (worker/src/days.ts, ZoneCalendar.split): a part belongs
// to the local date of its first instant and lasts until the first instant
// whose local date is a later one (nextDayStart). Dates therefore increase
// from part to part, and a session counts at most once per date. Parts with
// zero seconds are left out, except for a zero-length session, which gets
// one part on its start day.
func SplitDays(start, end time.Time, loc *time.Location) []DayPart {
	start, end = start.In(loc), end.In(loc)
	if !end.After(start) {
		return []DayPart{{Date: start.Format(DateLayout), Seconds: 0, Counts: true}}
	}
	var parts []DayPart
	cur := start
	for cur.Before(end) {
		stop := nextDayStart(cur)
		if end.Before(stop) {
			stop = end
		}
		if secs := stop.Unix() - cur.Unix(); secs > 0 {
			parts = append(parts, DayPart{Date: cur.Format(DateLayout), Seconds: secs, Counts: true})
		}
		cur = stop
	}
	return parts
}

// DayStart returns the first instant of the local date y-m-d in loc (y, m
// and d are normalised as time.Date does, so d+1 is the next day). Unlike
// time.Date(y, m, d, 0, 0, 0, 0, loc) it is right where the clock skips
// midnight: America/Santiago's 2026-09-06 starts at 01:00, not at 23:00 of
// the day before. A date a zone skipped altogether starts with the next one.
func DayStart(y int, m time.Month, d int, loc *time.Location) time.Time {
	// Noon of the day before is well clear of any midnight transition.
	return nextDayStart(time.Date(y, m, d-1, 12, 0, 0, 0, loc))
}

// nextDayStart returns the first instant after t whose local date (in t's
// location) is later than t's.
//
// It does not use time.Date(y, m, d+1, 0, 0, 0, 0, loc): where the clock
// skips local midnight (America/Santiago, America/Havana at DST start) that
// normalises to 23:00 of the day before, not to the day's first instant,
// 01:00. Within one zone period the offset is fixed, so the date can only
// move on at a wall-clock midnight of the period or where the period ends.
// Both are tried in time order; the date may also go back (America/St_Johns
// set its clocks back from 00:01 to 23:01 until 2010), and those instants
// stay with the later date.
func nextDayStart(t time.Time) time.Time {
	day := dateKey(t)
	for {
		_, offset := t.Zone()
		_, periodEnd := t.ZoneBounds()
		wall := t.Unix() + int64(offset)
		next := time.Unix(wall-mod(wall, 86400)+86400-int64(offset), 0).In(t.Location()) // the period's next midnight
		if !periodEnd.IsZero() && periodEnd.After(t) && !next.Before(periodEnd) {
			next = periodEnd
		}
		if dateKey(next) > day {
			return next
		}
		t = next
	}
}

// dateKey orders local dates: yyyymmdd.
func dateKey(t time.Time) int {
	y, m, d := t.Date()
	return y*10000 + int(m)*100 + d
}

// mod is a mod b, in [0, b) for negative a too.
func mod(a, b int64) int64 {
	r := a % b
	if r < 0 {
		r += b
	}
	return r
}
