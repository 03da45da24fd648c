package cloud

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// PermAnalytics is the permission `cloud usage` needs: the GraphQL
// Analytics API (developers.cloudflare.com/analytics/graphql-api/
// getting-started/authentication/api-token-auth/).
const PermAnalytics Permission = "Account · Account Analytics · Read"

// usageDays is how many whole UTC days `cloud usage` shows.
const usageDays = 7

const msPerDay = 24 * 3600 * 1000

// Workers Free's daily allowances and Workers Paid's list prices
// (developers.cloudflare.com/workers/platform/pricing/,
// developers.cloudflare.com/d1/platform/pricing/), the same figures as
// docs/capacity.md's model.
const (
	freeRequestsDay    = 100_000
	freeRowsReadDay    = 5_000_000
	freeRowsWrittenDay = 100_000
	freeStorageBytes   = 5 << 30 // the account's D1 storage on Workers Free
	paidBase           = 5.0     // $ a month, with the allowances below
	paidRequests       = 10_000_000
	paidPriceRequest   = 0.30 / 1e6
	paidRowsRead       = 25_000_000_000
	paidPriceRowRead   = 0.001 / 1e6
	paidRowsWritten    = 50_000_000
	paidPriceRowWrite  = 1.00 / 1e6
	paidStorageGB      = 5.0
	paidPriceGBMonth   = 0.75
	daysPerMonth       = 30
)

// UsageDay is one UTC day of the backend's use, as Cloudflare's analytics
// count it: the Worker's requests and D1's rows and storage summed over
// every shard.
type UsageDay struct {
	Date                  string // YYYY-MM-DD, UTC
	Requests, Errors      int64
	RowsRead, RowsWritten int64
	// D1Ms is the time D1 spent on the queries (queryBatchTimeMs).
	D1Ms float64
	// StorageBytes is the shards' sizes that day (each shard's largest).
	StorageBytes int64
	// BusiestShard is the largest share of the day one shard spent on
	// queries (a database runs one query at a time; docs/capacity.md).
	BusiestShard float64
}

// Usage is the last usageDays whole days and what a month like them costs.
type Usage struct {
	Days   []UsageDay
	Shards int
	// Month is a 30-day month at the days' average, storage at the last
	// day's size.
	Month Projection
}

// Projection is a month's use and its price.
type Projection struct {
	Requests, RowsRead, RowsWritten float64
	StorageBytes                    int64
	// Free lists the Workers Free allowances the busiest day (or the
	// storage) exceeds; empty means the backend fits Workers Free.
	OverFree []string
	// Paid is the month's price on Workers Paid: the base and what exceeds
	// its allowances, item by item.
	Paid, RequestsCost, RowsReadCost, RowsWrittenCost, StorageCost float64
}

// usageQuery asks the three datasets in one request (the API limits
// queries per five minutes): the Worker's invocations (filtered by script)
// and D1's queries and storage per database and day (every database of the
// account; the shards are picked out by id). Shapes as documented at
// developers.cloudflare.com/analytics/graphql-api/tutorials/querying-workers-metrics/
// and developers.cloudflare.com/d1/observability/metrics-analytics/.
const usageQuery = `query WorktimeUsage($accountTag: string!, $scriptName: string!, $start: Date!, $end: Date!) {
  viewer {
    accounts(filter: { accountTag: $accountTag }) {
      workersInvocationsAdaptive(limit: 10000, filter: { scriptName: $scriptName, date_geq: $start, date_leq: $end }) {
        sum { requests errors }
        dimensions { date }
      }
      d1AnalyticsAdaptiveGroups(limit: 10000, filter: { date_geq: $start, date_leq: $end }) {
        sum { rowsRead rowsWritten queryBatchTimeMs }
        dimensions { date databaseId }
      }
      d1StorageAdaptiveGroups(limit: 10000, filter: { date_geq: $start, date_leq: $end }) {
        max { databaseSizeBytes }
        dimensions { date databaseId }
      }
    }
  }
}`

type usageData struct {
	Viewer struct {
		Accounts []struct {
			Workers []struct {
				Sum struct {
					Requests float64 `json:"requests"`
					Errors   float64 `json:"errors"`
				} `json:"sum"`
				Dimensions struct {
					Date string `json:"date"`
				} `json:"dimensions"`
			} `json:"workersInvocationsAdaptive"`
			D1 []struct {
				Sum struct {
					RowsRead         float64 `json:"rowsRead"`
					RowsWritten      float64 `json:"rowsWritten"`
					QueryBatchTimeMs float64 `json:"queryBatchTimeMs"`
				} `json:"sum"`
				Dimensions struct {
					Date       string `json:"date"`
					DatabaseID string `json:"databaseId"`
				} `json:"dimensions"`
			} `json:"d1AnalyticsAdaptiveGroups"`
			Storage []struct {
				Max struct {
					DatabaseSizeBytes float64 `json:"databaseSizeBytes"`
				} `json:"max"`
				Dimensions struct {
					Date       string `json:"date"`
					DatabaseID string `json:"databaseId"`
				} `json:"dimensions"`
			} `json:"d1StorageAdaptiveGroups"`
		} `json:"accounts"`
	} `json:"viewer"`
}

// Usage reads the last usageDays whole UTC days of the backend's requests,
// D1 rows and storage from the GraphQL Analytics API, prints them against
// Workers Free's allowances and projects a month's price. It only reads.
func (d *Deployer) Usage(ctx context.Context, t Target) (*Usage, error) {
	if err := t.Validate(); err != nil {
		return nil, fmt.Errorf("usage: %w", err)
	}
	acct := account{api: d.API, id: t.AccountID}
	found, err := acct.findShards(ctx, t)
	if err != nil {
		return nil, err
	}
	shardIDs := map[string]bool{}
	for _, db := range found {
		shardIDs[db.ID] = true
	}
	today := d.now().UTC().Truncate(24 * time.Hour)
	start, end := today.AddDate(0, 0, -usageDays), today.AddDate(0, 0, -1)
	var data usageData
	err = d.API.queryAnalytics(ctx, "read the usage analytics", usageQuery, map[string]any{
		"accountTag": t.AccountID, "scriptName": t.Name,
		"start": start.Format(time.DateOnly), "end": end.Format(time.DateOnly),
	}, &data)
	if err != nil {
		return nil, err
	}
	u := &Usage{Shards: shardsInUse(found)}
	byDate := map[string]*UsageDay{}
	for day := start; !day.After(end); day = day.AddDate(0, 0, 1) {
		u.Days = append(u.Days, UsageDay{Date: day.Format(time.DateOnly)})
	}
	for i := range u.Days {
		byDate[u.Days[i].Date] = &u.Days[i]
	}
	for _, a := range data.Viewer.Accounts {
		for _, w := range a.Workers {
			if day := byDate[w.Dimensions.Date]; day != nil {
				day.Requests += int64(w.Sum.Requests)
				day.Errors += int64(w.Sum.Errors)
			}
		}
		for _, q := range a.D1 {
			if day := byDate[q.Dimensions.Date]; day != nil && shardIDs[q.Dimensions.DatabaseID] {
				day.RowsRead += int64(q.Sum.RowsRead)
				day.RowsWritten += int64(q.Sum.RowsWritten)
				day.D1Ms += q.Sum.QueryBatchTimeMs
				day.BusiestShard = max(day.BusiestShard, q.Sum.QueryBatchTimeMs/msPerDay)
			}
		}
		for _, s := range a.Storage {
			if day := byDate[s.Dimensions.Date]; day != nil && shardIDs[s.Dimensions.DatabaseID] {
				day.StorageBytes += int64(s.Max.DatabaseSizeBytes)
			}
		}
	}
	u.Month = project(u.Days)
	d.printUsage(t, u)
	return u, nil
}

// project prices a 30-day month at the days' average.
func project(days []UsageDay) Projection {
	var p Projection
	var peak UsageDay
	for _, d := range days {
		p.Requests += float64(d.Requests)
		p.RowsRead += float64(d.RowsRead)
		p.RowsWritten += float64(d.RowsWritten)
		peak.Requests = max(peak.Requests, d.Requests)
		peak.RowsRead = max(peak.RowsRead, d.RowsRead)
		peak.RowsWritten = max(peak.RowsWritten, d.RowsWritten)
	}
	if n := float64(len(days)); n > 0 {
		p.Requests *= daysPerMonth / n
		p.RowsRead *= daysPerMonth / n
		p.RowsWritten *= daysPerMonth / n
	}
	// Storage is what the last day holds (the latest day with a figure).
	for i := len(days) - 1; i >= 0; i-- {
		if days[i].StorageBytes > 0 {
			p.StorageBytes = days[i].StorageBytes
			break
		}
	}
	if peak.Requests > freeRequestsDay {
		p.OverFree = append(p.OverFree, fmt.Sprintf("requests (%d on the busiest day; %d a day)", peak.Requests, freeRequestsDay))
	}
	if peak.RowsRead > freeRowsReadDay {
		p.OverFree = append(p.OverFree, fmt.Sprintf("D1 rows read (%d; %d a day)", peak.RowsRead, freeRowsReadDay))
	}
	if peak.RowsWritten > freeRowsWrittenDay {
		p.OverFree = append(p.OverFree, fmt.Sprintf("D1 rows written (%d; %d a day)", peak.RowsWritten, freeRowsWrittenDay))
	}
	if p.StorageBytes > freeStorageBytes {
		p.OverFree = append(p.OverFree, fmt.Sprintf("D1 storage (%s; %s)", humanBytes(p.StorageBytes), humanBytes(freeStorageBytes)))
	}
	p.RequestsCost = max(0, p.Requests-paidRequests) * paidPriceRequest
	p.RowsReadCost = max(0, p.RowsRead-paidRowsRead) * paidPriceRowRead
	p.RowsWrittenCost = max(0, p.RowsWritten-paidRowsWritten) * paidPriceRowWrite
	p.StorageCost = max(0, float64(p.StorageBytes)/(1<<30)-paidStorageGB) * paidPriceGBMonth
	p.Paid = paidBase + p.RequestsCost + p.RowsReadCost + p.RowsWrittenCost + p.StorageCost
	return p
}

func (d *Deployer) printUsage(t Target, u *Usage) {
	out := d.Out
	shards := "1 D1 database"
	if u.Shards != 1 {
		shards = fmt.Sprintf("%d D1 databases (shards)", u.Shards)
	}
	fmt.Fprintf(out, "Worker %s and its %s, the last %d whole days (UTC), from Cloudflare's GraphQL Analytics API:\n", t.Name, shards, len(u.Days))
	fmt.Fprintf(out, "%-10s  %10s  %7s  %14s  %15s  %10s  %10s  %13s\n", "date", "requests", "errors", "D1 rows read", "D1 rows written", "D1 storage", "D1 time", "busiest shard")
	for _, day := range u.Days {
		fmt.Fprintf(out, "%-10s  %10d  %7d  %14d  %15d  %10s  %10s  %12.2f%%\n", day.Date, day.Requests, day.Errors, day.RowsRead, day.RowsWritten,
			humanBytes(day.StorageBytes), time.Duration(day.D1Ms*float64(time.Millisecond)).Round(time.Millisecond), 100*day.BusiestShard)
	}
	fmt.Fprintln(out, "(busiest shard: the largest share of the day one D1 database spent running queries; docs/capacity.md adds a shard past about 50% in the peak hour)")
	fmt.Fprintf(out, "Workers Free allows a day: %d requests, %d D1 rows read, %d rows written; %s of D1 storage.\n",
		freeRequestsDay, freeRowsReadDay, freeRowsWrittenDay, humanBytes(freeStorageBytes))
	m := u.Month
	fmt.Fprintf(out, "A 30-day month like these: %.0f requests, %.0f D1 rows read, %.0f rows written, %s stored.\n",
		m.Requests, m.RowsRead, m.RowsWritten, humanBytes(m.StorageBytes))
	if len(m.OverFree) == 0 {
		fmt.Fprintln(out, "  Workers Free: fits ($0/month).")
	} else {
		fmt.Fprintf(out, "  Workers Free: exceeded by %s.\n", strings.Join(m.OverFree, ", "))
	}
	fmt.Fprintf(out, "  Workers Paid: $%.2f/month projected ($%.2f base + requests $%.2f + D1 reads $%.2f + writes $%.2f + storage $%.2f).\n",
		m.Paid, paidBase, m.RequestsCost, m.RowsReadCost, m.RowsWrittenCost, m.StorageCost)
}

func (d *Deployer) now() time.Time {
	if d.Clock != nil {
		return d.Clock.Now()
	}
	return time.Now()
}

// queryAnalytics posts a query to the GraphQL Analytics API and decodes its
// data into out. The API answers 200 with an errors array for a query it
// refuses (developers.cloudflare.com/analytics/graphql-api/errors/); a
// token without analytics access to the account is "not authorized".
func (c *Client) queryAnalytics(ctx context.Context, op, query string, vars map[string]any, out any) error {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.baseURL+"graphql", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	res, err := c.graphql(req)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("%s: read the answer: %w", op, err)
	}
	var answer struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message string `json:"message"`
			Code    int64  `json:"code"`
		} `json:"errors"`
	}
	decodeErr := json.Unmarshal(raw, &answer)
	var messages []string
	for _, e := range answer.Errors {
		if e.Code != 0 {
			messages = append(messages, fmt.Sprintf("%s (code %d)", e.Message, e.Code))
		} else {
			messages = append(messages, e.Message)
		}
	}
	apiErr := &APIError{Op: op, Status: res.StatusCode, Messages: messages}
	switch {
	case res.StatusCode == http.StatusUnauthorized:
		return fmt.Errorf("%s: %w", op, ErrBadToken)
	case res.StatusCode == http.StatusForbidden:
		return &PermissionError{Permission: PermAnalytics, Op: op, Err: apiErr}
	case res.StatusCode == http.StatusTooManyRequests:
		ra, _ := parseRetryAfter(res.Header.Get("Retry-After"), time.Time{})
		return &RateLimitError{Op: op, RetryAfter: ra, Err: apiErr}
	case res.StatusCode != http.StatusOK:
		return apiErr
	case decodeErr != nil:
		return fmt.Errorf("%s: Cloudflare's answer is not the documented JSON: %w", op, decodeErr)
	case len(messages) > 0 && strings.Contains(strings.Join(messages, " "), "not authorized"):
		return &PermissionError{Permission: PermAnalytics, Op: op, Err: apiErr}
	case len(messages) > 0:
		return apiErr
	}
	if err := json.Unmarshal(answer.Data, out); err != nil {
		return fmt.Errorf("%s: Cloudflare's data is not the documented shape: %w", op, err)
	}
	return nil
}
