package coste2e

import (
	"fmt"
	"strings"
)

// The price list of the backend's original spec (Cost Analysis: Workers
// Paid, free allowances per day, 30-day months).
const (
	freeRequests    = 100_000     // a day
	priceRequests   = 0.30 / 1e6  // $ a request beyond
	freeRowsRead    = 5_000_000   // a day
	priceRowRead    = 0.001 / 1e6 // $ a row
	freeRowsWritten = 100_000     // a day
	priceRowWritten = 1.00 / 1e6  // $ a row
	freeStorageGB   = 5.0
	priceStorageGB  = 0.75 // $ a GB-month beyond
	freeKVReads     = 100_000
	priceKVRead     = 0.50 / 10e6
	freeKVWrites    = 1_000
	priceKVWrite    = 5.00 / 1e6
	daysPerMonth    = 30
	// sessionsPerMonth is the history a user adds in a month: 20 sessions
	// on 21 working days. Storage is priced for one month of history; it
	// grows by as much every month.
	sessionsPerMonth = 20 * 21
)

// scenario is one line of the spec's projections.
type scenario struct {
	Users int
	Seed  string // the spec's own figure
}

var scenarios = []scenario{{500, "$0"}, {5_000, "~$6.60"}, {50_000, "~$100–106"}}

// monthly is what users cost a month at per-user-day figures day and
// bytesPerSession stored.
type monthly struct {
	Requests, RowsRead, RowsWritten, Storage, KV, Total float64
}

func beyond(perDay, free float64) float64 { return max(0, perDay-free) * daysPerMonth }

func price(day cost, bytesPerSession float64, users int) monthly {
	u := float64(users)
	var m monthly
	m.Requests = beyond(float64(day.Requests)*u, freeRequests) * priceRequests
	m.RowsRead = beyond(float64(day.RowsRead)*u, freeRowsRead) * priceRowRead
	m.RowsWritten = beyond(float64(day.RowsWritten)*u, freeRowsWritten) * priceRowWritten
	gb := bytesPerSession * sessionsPerMonth * u / 1e9
	m.Storage = max(0, gb-freeStorageGB) * priceStorageGB
	m.KV = beyond(float64(day.KVReads)*u, freeKVReads)*priceKVRead + beyond(float64(day.KVWrites)*u, freeKVWrites)*priceKVWrite
	m.Total = m.Requests + m.RowsRead + m.RowsWritten + m.Storage + m.KV
	return m
}

func scenarioTable(day cost, bytesPerSession float64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "| active users | requests/day | D1 rows read/day | D1 rows written/day | $ requests | $ D1 reads | $ D1 writes | $ D1 storage (1 month of history) | $ KV | $/month | the spec's figure |\n")
	fmt.Fprintf(&b, "|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, s := range scenarios {
		m := price(day, bytesPerSession, s.Users)
		u := int64(s.Users)
		fmt.Fprintf(&b, "| %d | %d | %d | %d | %.2f | %.2f | %.2f | %.2f | %.2f | **%.2f** | %s |\n", s.Users,
			day.Requests*u, day.RowsRead*u, day.RowsWritten*u, m.Requests, m.RowsRead, m.RowsWritten, m.Storage, m.KV, m.Total, s.Seed)
	}
	return b.String()
}
