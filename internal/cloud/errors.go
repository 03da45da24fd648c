package cloud

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6/workers"
)

// Sentinel errors; check them with errors.Is.
var (
	// ErrNoToken means CLOUDFLARE_API_TOKEN is not set.
	ErrNoToken = errors.New("set CLOUDFLARE_API_TOKEN to a Cloudflare API token " +
		"(My Profile → API Tokens → Create Token: \"Edit Cloudflare Workers\" template plus Account · D1 · Edit)")
	// ErrBadToken means Cloudflare did not accept the token at all.
	ErrBadToken = errors.New("Cloudflare rejected the API token in CLOUDFLARE_API_TOKEN: it is invalid, expired or revoked")
	// ErrNoAccount means the account ID is unknown or not reachable with the token.
	ErrNoAccount = errors.New("Cloudflare does not know this account ID, or the token cannot use it (check --account-id)")
	// ErrNoSubdomain means the account has not chosen its workers.dev subdomain.
	ErrNoSubdomain = errors.New("the account has no workers.dev subdomain yet: open Workers & Pages in the Cloudflare dashboard once to choose one, then run deploy again")
	// ErrNewerDatabase means the D1 database has migrations this binary
	// does not know: a newer worktimed deployed it, and deploying this older
	// Worker over a newer schema could break it.
	ErrNewerDatabase = errors.New("the D1 database has migrations this worktimed does not know (a newer worktimed deployed it); upgrade worktimed and deploy again")
	// ErrFewerShards refuses a deploy that would drop shards: every user on
	// a shard lives there for good.
	ErrFewerShards = errors.New("shards can be added, never removed (each user's data lives on one shard for good)")
	// ErrNeedYes means destroy was asked without --yes.
	ErrNeedYes = errors.New("destroy deletes the Worker, the KV namespace and the D1 database with all synced data: run again with --yes to do it")
)

// Permission is an API token permission, named as in Cloudflare's token editor.
type Permission string

// The permissions the cloud commands need.
const (
	PermD1      Permission = "Account · D1 · Edit"
	PermKV      Permission = "Account · Workers KV Storage · Edit"
	PermScripts Permission = "Account · Workers Scripts · Edit"
)

// PermissionError says which permission the token lacks for what.
type PermissionError struct {
	Permission Permission
	// Op is what was being done, in the user's words ("create the D1 database").
	Op  string
	Err error
}

func (e *PermissionError) Error() string {
	return fmt.Sprintf("could not %s: Cloudflare refused the API token: it lacks the %q permission (or is not valid for this account); add it to the token (My Profile → API Tokens → Edit) and run again", e.Op, string(e.Permission))
}

func (e *PermissionError) Unwrap() error { return e.Err }

// RateLimitError is a 429 that persisted after honouring Retry-After.
type RateLimitError struct {
	Op         string
	RetryAfter time.Duration
	Err        error
}

func (e *RateLimitError) Error() string {
	msg := fmt.Sprintf("could not %s: Cloudflare is rate limiting this token", e.Op)
	if e.RetryAfter > 0 {
		msg += fmt.Sprintf("; try again in %s", e.RetryAfter.Round(time.Second))
	}
	return msg
}

func (e *RateLimitError) Unwrap() error { return e.Err }

// APIError is any other error answer, with Cloudflare's own messages.
type APIError struct {
	Op       string
	Status   int
	Code     int64
	Messages []string
	Err      error
}

func (e *APIError) Error() string {
	msg := strings.Join(e.Messages, "; ")
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	return fmt.Sprintf("could not %s: Cloudflare answered %d: %s", e.Op, e.Status, msg)
}

func (e *APIError) Unwrap() error { return e.Err }

// apiError is cloudflare-go's error for an answer with an error status.
// Every service package aliases it; which one is named does not matter.
type apiError = workers.Error

// isNotFound reports a 404 from the API (a missing script, database...).
func isNotFound(err error) bool {
	var apiErr *apiError
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound && !isRouteError(apiErr)
}

// codeNoSubdomain is the code Cloudflare answers GET /workers/subdomain with
// when the account has not chosen its workers.dev subdomain; wrangler keys on
// the code alone, whatever the status (getWorkersDevSubdomain in
// workers-sdk's packages/deploy-helpers/src/triggers/subdomain.ts).
const codeNoSubdomain = 10007

// hasCode reports whether err is an API error carrying code.
func hasCode(err error, code int64) bool {
	var apiErr *apiError
	if !errors.As(err, &apiErr) {
		return false
	}
	for _, d := range apiErr.Errors {
		if d.Code == code {
			return true
		}
	}
	return false
}

// isRouteError is Cloudflare's "could not route" 404 (code 7003), which
// means the account ID is wrong, not that an object is missing.
func isRouteError(e *apiError) bool {
	for _, d := range e.Errors {
		if d.Code == 7003 {
			return true
		}
	}
	return false
}

// isTokenFormatError is Cloudflare's answer to a token it cannot parse:
// 400 with "Invalid request headers" (6003), "Invalid format for
// Authorization header" (6111) or an invalid API token (1000).
func isTokenFormatError(e *apiError) bool {
	for _, d := range e.Errors {
		switch d.Code {
		case 1000, 6003, 6111:
			return true
		}
	}
	return false
}

// classify turns an SDK error into one that says, in the user's words, what
// failed and what to do. It never includes the request (which carries the
// token in its headers).
func classify(op string, perm Permission, err error) error {
	if err == nil {
		return nil
	}
	var apiErr *apiError
	if !errors.As(err, &apiErr) {
		return fmt.Errorf("%s: %w", op, err)
	}
	switch {
	case apiErr.StatusCode == http.StatusUnauthorized, apiErr.StatusCode == http.StatusBadRequest && isTokenFormatError(apiErr):
		return fmt.Errorf("%s: %w", op, ErrBadToken)
	case apiErr.StatusCode == http.StatusForbidden:
		return &PermissionError{Permission: perm, Op: op, Err: err}
	case apiErr.StatusCode == http.StatusNotFound && isRouteError(apiErr):
		return fmt.Errorf("%s: %w", op, ErrNoAccount)
	case apiErr.StatusCode == http.StatusTooManyRequests:
		var ra time.Duration
		if apiErr.Response != nil {
			ra, _ = parseRetryAfter(apiErr.Response.Header.Get("Retry-After"), time.Time{})
		}
		return &RateLimitError{Op: op, RetryAfter: ra, Err: err}
	}
	out := &APIError{Op: op, Status: apiErr.StatusCode, Err: err}
	for _, d := range apiErr.Errors {
		if out.Code == 0 {
			out.Code = d.Code
		}
		out.Messages = append(out.Messages, fmt.Sprintf("%s (code %d)", d.Message, d.Code))
	}
	return out
}
