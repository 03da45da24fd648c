package cloud

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6/d1"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/cloudflare/cloudflare-go/v6/workers"

	"github.com/worktime/worktime/internal/clock"
)

// TokenEnv is the only place the API token is read from.
const TokenEnv = "CLOUDFLARE_API_TOKEN"

// TokenFromEnv reads the API token with getenv (os.Getenv in the CLI).
func TokenFromEnv(getenv func(string) string) (string, error) {
	t := strings.TrimSpace(getenv(TokenEnv))
	if t == "" {
		return "", ErrNoToken
	}
	return t, nil
}

// DefaultBaseURL is Cloudflare's v4 API.
const DefaultBaseURL = "https://api.cloudflare.com/client/v4/"

// ClientOptions configure NewClient.
type ClientOptions struct {
	// Token is the API token; required.
	Token string
	// BaseURL overrides Cloudflare's API URL (tests point it at the fake,
	// with its /client/v4/ prefix).
	BaseURL string
	// HTTPClient defaults to a client with a 60 s timeout.
	HTTPClient *http.Client
	// Clock times the waits that Retry-After asks for; defaults to the real one.
	Clock clock.Clock
	// MaxRetries is how many times a 429 is retried; defaults to 4.
	MaxRetries int
}

// Client is the part of Cloudflare's API the cloud commands call: D1, KV
// and Workers. It is built from those services' constructors rather than
// cloudflare-go's root client, whose constructor links every Cloudflare
// service into worktimed (about a hundred packages more, a third of the
// binary and most of a cold build).
type Client struct {
	D1      *d1.D1Service
	KV      *kv.KVService
	Workers *workers.WorkerService
	// graphql posts to the GraphQL Analytics API, which cloudflare-go does
	// not wrap; it shares the token, base URL, HTTP client and 429 handling.
	graphql func(req *http.Request) (*http.Response, error)
	token   string
	baseURL string
}

// NewClient returns a Client that honours Retry-After on 429 with the
// injected clock (the SDK's own retries are turned off: they sleep on the
// wall clock and also retry 5xx, which deploy reports instead). It
// authenticates with the token only: unlike cloudflare-go's root client it
// reads nothing from the environment (CLOUDFLARE_API_KEY, CLOUDFLARE_EMAIL).
func NewClient(o ClientOptions) (*Client, error) {
	if o.Token == "" {
		return nil, ErrNoToken
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 60 * time.Second}
	}
	if o.Clock == nil {
		o.Clock = clock.Real()
	}
	if o.MaxRetries == 0 {
		o.MaxRetries = 4
	}
	if o.BaseURL == "" {
		o.BaseURL = DefaultBaseURL
	}
	opts := []option.RequestOption{
		option.WithAPIToken(o.Token),
		option.WithBaseURL(o.BaseURL),
		option.WithHTTPClient(o.HTTPClient),
		option.WithMaxRetries(0),
		option.WithMiddleware(retryAfterMiddleware(o.Clock, o.MaxRetries)),
	}
	retry := retryAfterMiddleware(o.Clock, o.MaxRetries)
	return &Client{
		D1:      d1.NewD1Service(opts...),
		KV:      kv.NewKVService(opts...),
		Workers: workers.NewWorkerService(opts...),
		graphql: func(req *http.Request) (*http.Response, error) { return retry(req, o.HTTPClient.Do) },
		token:   o.Token,
		baseURL: strings.TrimRight(o.BaseURL, "/") + "/",
	}, nil
}

// maxRetryWait caps one wait: a Retry-After of an hour is better reported
// than waited for.
const maxRetryWait = 2 * time.Minute

// retryAfterMiddleware retries a 429 after the time its Retry-After header
// names (or a doubling backoff from 1 s without one), up to max times.
func retryAfterMiddleware(clk clock.Clock, max int) option.Middleware {
	return func(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
		for attempt := 0; ; attempt++ {
			res, err := next(req)
			if err != nil || res.StatusCode != http.StatusTooManyRequests || attempt >= max {
				return res, err
			}
			wait, ok := parseRetryAfter(res.Header.Get("Retry-After"), clk.Now())
			if !ok {
				wait = time.Second << attempt
			}
			if wait > maxRetryWait {
				return res, nil
			}
			if req.Body != nil && req.GetBody == nil {
				return res, nil // the body cannot be sent again
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			t := clk.NewTimer(wait)
			select {
			case <-req.Context().Done():
				t.Stop()
				return nil, req.Context().Err()
			case <-t.C():
			}
			req = req.Clone(req.Context())
			if req.GetBody != nil {
				body, err := req.GetBody()
				if err != nil {
					return nil, fmt.Errorf("retry: rewind body: %w", err)
				}
				req.Body = body
			}
		}
	}
}

// parseRetryAfter reads a Retry-After value: delay seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseFloat(v, 64); err == nil && n >= 0 {
		return time.Duration(n * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil && !now.IsZero() {
		return max(0, t.Sub(now)), true
	}
	return 0, false
}
