package cloud

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	cffake "github.com/worktime/worktime/internal/fakes/cloudflare"
)

// usageHarness is a backend deployed with two shards, an unrelated
// database and Worker on the same account, and a clock at t0
// (2026-11-25 10:00 UTC: the last whole days are 11-18 … 11-24).
func usageHarness(t *testing.T) (*harness, [2]string) {
	t.Helper()
	h := newHarness(t)
	o := h.opts()
	o.Shards = 2
	h.mustDeploy(o)
	var ids [2]string
	ids[0], _ = h.fake.DatabaseID("worktime")
	ids[1], _ = h.fake.DatabaseID("worktime-shard-1")
	return h, ids
}

func (h *harness) usage() (*Usage, error) {
	h.out.Reset()
	d := h.deployer(testToken)
	d.Clock = h.clk
	return d.Usage(context.Background(), h.opts().Target)
}

func TestUsage(t *testing.T) {
	h, ids := usageHarness(t)
	for i, date := range []string{"2026-11-18", "2026-11-19", "2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23", "2026-11-24"} {
		n := int64(i + 1)
		h.fake.AddWorkerInvocations(date, "worktime", 1000*n, n)
		h.fake.AddD1Analytics(date, ids[0], 10_000*n, 100*n, 864_000*float64(n)) // 1% of the day per n
		h.fake.AddD1Analytics(date, ids[1], 5_000*n, 50*n, 1000)
		h.fake.AddD1Storage(date, ids[0], 1_000_000*n)
		h.fake.AddD1Storage(date, ids[1], 500_000*n)
		// Another Worker and another database of the account are not ours.
		h.fake.AddWorkerInvocations(date, "other-app", 99_999, 0)
		h.fake.AddD1Analytics(date, "0000-not-ours", 99_999, 99_999, 50_000_000)
		h.fake.AddD1Storage(date, "0000-not-ours", 99_999_999)
	}
	// Days outside the window: before it, and today (not whole yet).
	h.fake.AddWorkerInvocations("2026-11-17", "worktime", 777_777, 0)
	h.fake.AddWorkerInvocations("2026-11-25", "worktime", 777_777, 0)
	h.fake.ResetRequests()

	u, err := h.usage()
	if err != nil {
		t.Fatalf("usage: %v\n%s", err, h.out)
	}
	if w := h.fake.Writes(); len(w) != 0 {
		t.Errorf("usage wrote %v", routes(w))
	}
	var other []string
	for _, r := range routes(h.fake.Requests()) {
		if r != "d1.list" { // the listing pages until a page comes back empty
			other = append(other, r)
		}
	}
	if strings.Join(other, ",") != "graphql" {
		t.Errorf("requests = %v, want the database listing and one analytics query", routes(h.fake.Requests()))
	}
	if len(u.Days) != 7 || u.Days[0].Date != "2026-11-18" || u.Days[6].Date != "2026-11-24" || u.Shards != 2 {
		t.Fatalf("days = %+v, shards %d", u.Days, u.Shards)
	}
	for i, d := range u.Days {
		n := int64(i + 1)
		want := UsageDay{Date: d.Date, Requests: 1000 * n, Errors: n, RowsRead: 15_000 * n, RowsWritten: 150 * n, D1Ms: 864_000*float64(n) + 1000,
			StorageBytes: 1_500_000 * n, BusiestShard: 0.01 * float64(n)}
		if d != want {
			t.Errorf("day %d = %+v, want %+v", i, d, want)
		}
	}
	// Averages over 7 days (28 units), times 30.
	m := u.Month
	if !near(m.Requests, 28_000*30/7.0) || !near(m.RowsRead, 15_000*28*30/7.0) || !near(m.RowsWritten, 150*28*30/7.0) || m.StorageBytes != 10_500_000 {
		t.Errorf("month = %+v", m)
	}
	if len(m.OverFree) != 0 || m.Paid != 5 {
		t.Errorf("a small backend: over free %v, paid $%.2f; want fits, $5", m.OverFree, m.Paid)
	}
	out := h.out.String()
	for _, want := range []string{
		"Worker worktime and its 2 D1 databases (shards), the last 7 whole days (UTC)",
		"2026-11-24        7000        7          105000             1050       10 MB    1h40m49s          7.00%",
		"Workers Free: fits ($0/month).",
		"Workers Paid: $5.00/month projected",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, testToken) {
		t.Error("the token was printed")
	}
}

func TestUsageBeyondFree(t *testing.T) {
	h, ids := usageHarness(t)
	for _, date := range []string{"2026-11-18", "2026-11-19", "2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23", "2026-11-24"} {
		h.fake.AddWorkerInvocations(date, "worktime", 1_000_000, 0)
		h.fake.AddD1Analytics(date, ids[1], 40_000_000, 3_000_000, 0)
	}
	h.fake.AddD1Storage("2026-11-24", ids[0], 7<<30)
	u, err := h.usage()
	if err != nil {
		t.Fatal(err)
	}
	m := u.Month
	// 30 M requests: 20 M beyond the 10 M included, $6; 1.2 G rows read
	// (within 25 G); 90 M rows written: 40 M beyond, $40; 7 GB: 2 beyond, $1.50.
	if !near(m.RequestsCost, 6) || m.RowsReadCost != 0 || !near(m.RowsWrittenCost, 40) || !near(m.StorageCost, 1.5) || !near(m.Paid, 52.5) {
		t.Errorf("month = %+v", m)
	}
	if len(m.OverFree) != 4 {
		t.Errorf("over free = %v, want requests, reads, writes and storage", m.OverFree)
	}
	if !strings.Contains(h.out.String(), "Workers Free: exceeded by requests (1000000 on the busiest day; 100000 a day)") ||
		!strings.Contains(h.out.String(), "Workers Paid: $52.50/month projected") {
		t.Errorf("output:\n%s", h.out)
	}
}

func TestUsageErrors(t *testing.T) {
	t.Run("token without analytics", func(t *testing.T) {
		h, _ := usageHarness(t)
		h.fake.SetPermissions(cffake.PermD1, cffake.PermKV, cffake.PermScripts)
		_, err := h.usage()
		var perm *PermissionError
		if !errors.As(err, &perm) || perm.Permission != PermAnalytics || !strings.Contains(err.Error(), "Account Analytics") {
			t.Fatalf("err = %v, want the analytics permission named", err)
		}
	})
	t.Run("server error", func(t *testing.T) {
		h, _ := usageHarness(t)
		h.fake.AddFault(cffake.Fault{Route: "graphql"})
		_, err := h.usage()
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.Status != 500 || !strings.Contains(err.Error(), "injected fault") {
			t.Fatalf("err = %v, want the 500 with Cloudflare's message", err)
		}
	})
	t.Run("bad token", func(t *testing.T) {
		h, _ := usageHarness(t)
		d := h.deployer("not-the-token")
		_, err := d.Usage(context.Background(), h.opts().Target)
		if !errors.Is(err, ErrBadToken) {
			t.Fatalf("err = %v, want ErrBadToken", err)
		}
	})
	t.Run("rate limited", func(t *testing.T) {
		h, _ := usageHarness(t)
		h.fake.AddFault(cffake.Fault{Route: "graphql", Status: 429, Times: 10, RetryAfter: "600"})
		_, err := h.usage()
		var rl *RateLimitError
		if !errors.As(err, &rl) || !strings.Contains(err.Error(), "try again in 10m0s") {
			t.Fatalf("err = %v, want a rate limit", err)
		}
	})
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6*math.Max(1, math.Abs(b)) }
