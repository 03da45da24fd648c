package coste2e

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
)

// The capacity model's assumptions (docs/capacity.md gives the reasons).
const (
	// peakHourShare is the share of a day's requests in the busiest hour:
	// everyone in one time zone working the same 8 hours spreads a day over
	// 8 hours (1/8); the start of the day (sign-in syncs, the first stats)
	// bunches it, taken as twice the flat rate.
	peakHourShare = 2.0 / 8
	// maxBusy is the share of the peak hour one database may spend running
	// queries: D1 runs one query at a time per database, and a queue forms
	// long before 100%.
	maxBusy = 0.5
	// maxShardGB is the size a database may reach after historyMonths of
	// history: below D1's 10 GB cap with room for a month's growth and for
	// the per-user rows the bytes-per-session figure leaves out.
	maxShardGB    = 8.0
	historyMonths = 24
)

// Cloudflare's list prices, Workers Paid (developers.cloudflare.com/workers/
// platform/pricing, /d1/platform/pricing): monthly allowances included in
// the $5 base.
const (
	listBase            = 5.0
	listFreeRequests    = 10_000_000 // a month
	listPriceRequest    = 0.30 / 1e6
	listFreeRowsRead    = 25_000_000_000 // a month
	listPriceRowRead    = 0.001 / 1e6
	listFreeRowsWritten = 50_000_000 // a month
	listPriceRowWritten = 1.00 / 1e6
	listFreeStorageGB   = 5.0
	listPriceStorageGB  = 0.75 // a GB-month
)

// capacityUsers are the scenarios the model prints.
var capacityUsers = []int{500, 5_000, 50_000, 500_000}

// capacity is what the model says for one number of active users.
type capacity struct {
	Users int
	// PeakBusy is one database's busy share in the peak hour with
	// everything in one database; StorageGB the whole history after
	// historyMonths.
	PeakBusy, StorageGB float64
	// ForTime and ForStorage are the databases each limit needs;
	// Databases the larger of the two.
	ForTime, ForStorage, Databases int
	// Monthly is $ a month in the last month of the history, by item.
	Requests, RowsRead, RowsWritten, Storage, Total float64
}

// capacityFor computes the model for users from measured per-user-day
// figures: day (requests, D1 rows and D1 time) and bytesPerSession stored.
func capacityFor(day cost, bytesPerSession float64, users int) capacity {
	u := float64(users)
	c := capacity{Users: users}
	peakMillis := float64(day.D1Millis) * u * peakHourShare
	c.PeakBusy = peakMillis / 3_600_000
	c.StorageGB = bytesPerSession * sessionsPerMonth * historyMonths * u / 1e9
	c.ForTime = max(1, int(math.Ceil(c.PeakBusy/maxBusy)))
	c.ForStorage = max(1, int(math.Ceil(c.StorageGB/maxShardGB)))
	c.Databases = max(c.ForTime, c.ForStorage)
	perMonth := func(perDay int64) float64 { return float64(perDay) * u * daysPerMonth }
	c.Requests = listBase + max(0, perMonth(day.Requests)-listFreeRequests)*listPriceRequest
	c.RowsRead = max(0, perMonth(day.RowsRead)-listFreeRowsRead) * listPriceRowRead
	c.RowsWritten = max(0, perMonth(day.RowsWritten)-listFreeRowsWritten) * listPriceRowWritten
	c.Storage = max(0, c.StorageGB-listFreeStorageGB) * listPriceStorageGB
	c.Total = c.Requests + c.RowsRead + c.RowsWritten + c.Storage
	return c
}

// capacityReport is the model's printout: the measured inputs per route,
// then one line per scenario.
func capacityReport(routes map[string]cost, bytesPerSession float64) string {
	day := total(routes)
	var b strings.Builder
	fmt.Fprintf(&b, "inputs measured in this run: per user-day %d requests, %.1f ms D1 time, %d rows read, %d rows written; %.0f bytes per stored session\n",
		day.Requests, day.D1Millis, day.RowsRead, day.RowsWritten, bytesPerSession)
	keys := make([]string, 0, len(routes))
	for k := range routes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Fprintf(&b, "| request type | per user-day | D1 ms per request | share of D1 time |\n|---|---|---|---|\n")
	for _, k := range keys {
		r := routes[k]
		share := 0.0
		if day.D1Millis > 0 {
			share = r.D1Millis / day.D1Millis
		}
		fmt.Fprintf(&b, "| %s | %d | %.2f | %.0f%% |\n", k, r.Requests, r.D1Millis/float64(max(1, r.Requests)), 100*share)
	}
	fmt.Fprintf(&b, "assumptions: %.1f%% of a day's requests in the peak hour; a database at most %.0f%% busy then and under %.0f GB after %d months of history (%d sessions a user-month)\n",
		100*peakHourShare, 100*maxBusy, maxShardGB, historyMonths, sessionsPerMonth)
	fmt.Fprintf(&b, "| active users | one database's peak-hour busy | history after %d months | databases for time | for size | **databases** | $ Workers (base + requests) | $ D1 reads | $ D1 writes | $ D1 storage | **$/month** (month %d) |\n", historyMonths, historyMonths)
	fmt.Fprintf(&b, "|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, u := range capacityUsers {
		c := capacityFor(day, bytesPerSession, u)
		fmt.Fprintf(&b, "| %d | %.1f%% | %.2f GB | %d | %d | **%d** | %.2f | %.2f | %.2f | %.2f | **%.2f** |\n",
			u, 100*c.PeakBusy, c.StorageGB, c.ForTime, c.ForStorage, c.Databases, c.Requests, c.RowsRead, c.RowsWritten, c.Storage, c.Total)
	}
	return b.String()
}

// The model's arithmetic on made-up inputs: limits hold for every scenario,
// more users never need fewer databases, and an idle account pays the base.
func TestCapacityModel(t *testing.T) {
	day := cost{Requests: 60, RowsRead: 600, RowsWritten: 40, D1Millis: 50}
	prev := 0
	for _, u := range []int{1, 500, 5_000, 50_000, 500_000, 5_000_000} {
		c := capacityFor(day, 475, u)
		if busy := c.PeakBusy / float64(c.Databases); busy > maxBusy {
			t.Errorf("%d users: %d databases each %.0f%% busy, limit %.0f%%", u, c.Databases, 100*busy, 100*maxBusy)
		}
		if gb := c.StorageGB / float64(c.Databases); gb >= maxShardGB {
			t.Errorf("%d users: %d databases of %.1f GB each, limit %.0f GB", u, c.Databases, gb, maxShardGB)
		}
		if c.Databases < prev {
			t.Errorf("%d users need %d databases, fewer than %d for fewer users", u, c.Databases, prev)
		}
		prev = c.Databases
		if c.Total < listBase {
			t.Errorf("%d users cost $%.2f, below the $%.0f base", u, c.Total, listBase)
		}
	}
	if c := capacityFor(cost{}, 475, 0); c.Total != listBase || c.Databases != 1 {
		t.Errorf("no users: %+v, want one database at the base price", c)
	}
	// 500,000 users at 50 ms a day in the peak quarter: 500000*50*0.25 ms
	// = 1.74 h of D1 time in one hour = 174% busy, 4 databases for time.
	if c := capacityFor(day, 475, 500_000); c.ForTime != 4 || math.Abs(c.PeakBusy-1.736) > 0.001 {
		t.Errorf("500,000 users: peak busy %.3f, %d databases for time; want 1.736, 4", c.PeakBusy, c.ForTime)
	}
	// Requests: 60*500000*30 = 900M a month, 890M beyond the allowance.
	if c := capacityFor(day, 475, 500_000); math.Abs(c.Requests-(5+890*0.30)) > 1e-6 {
		t.Errorf("500,000 users: requests $%.4f, want $%.2f", c.Requests, 5+890*0.30)
	}
}
