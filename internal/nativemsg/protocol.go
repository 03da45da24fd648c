package nativemsg

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/rules"
)

// ProtocolVersion is the protocol this host speaks (docs/native-messaging.md).
const ProtocolVersion = 1

// Message types of protocol v1.
const (
	TypeHello          = "hello"
	TypeSessionStart   = "session.start"
	TypeSessionBeat    = "session.heartbeat"
	TypeSessionEnd     = "session.end"
	TypeSessionActive  = "session.active"
	TypeStatsSummary   = "stats.summary"
	TypeRulesCheck     = "rules.check"
	TypeRulesAdd       = "rules.add"
	TypeSessionsImport = "sessions.import"
	defaultSummaryDays = 7
	maxSummaryDays     = 366
)

// Backend answers protocol requests. Every method returns only after the
// change it makes is durably committed. Errors that carry a protocol code are
// *api.Error (errors.As); anything else is reported as "internal".
type Backend interface {
	// Status is the daemon's (or the store's) state for hello.
	Status(ctx context.Context) (api.Status, error)
	// Start, Heartbeat, End and Active answer the session messages; the
	// sessions the host starts are browser sessions.
	api.SessionWriter
	// Stats summarises the last days calendar days.
	Stats(ctx context.Context, days int) (api.Stats, error)
	// Rules are the include/exclude rules in force (config.toml).
	Rules(ctx context.Context) (rules.Rules, error)
	// AddRule appends rule to the rules and saves them; it returns the
	// rules as saved. An invalid rule is an *api.Error bad_request.
	AddRule(ctx context.Context, rule rules.Rule) (rules.Rules, error)
	// Goals are the daily and weekly goals (config.toml); 0 is no goal.
	Goals(ctx context.Context) (daily, weekly time.Duration, err error)
	// ImportSessions stores the sessions the extension recorded without
	// the companion, idempotent by id (the extension's handover).
	api.SessionImporter
}

// DaemonStatuser is a Backend that can say whether the daemon answered
// (the relay, which falls back to the store when the daemon is not
// running). hello passes it on as daemon_running, so that the extension
// says the daemon is not running instead of "not signed in", which the
// store alone cannot know.
type DaemonStatuser interface {
	StatusWithDaemon(ctx context.Context) (st api.Status, daemonRunning bool, err error)
}

// request is the envelope every message shares; the type's own fields are
// decoded from the same object afterwards.
type request struct {
	ID   json.RawMessage `json:"id"`
	Type json.RawMessage `json:"type"`
}

// reply is the envelope of every answer. Exactly one of Error or the
// payload's fields is present.
type reply struct {
	ID    json.RawMessage `json:"id"`
	OK    bool            `json:"ok"`
	Error *api.Error      `json:"error,omitempty"`
}

type helloRequest struct {
	Protocol         *int    `json:"protocol"`
	ExtensionVersion *string `json:"extension_version"`
}

type startRequest struct {
	RepoOwner *string    `json:"repo_owner"`
	RepoName  *string    `json:"repo_name"`
	PRNumber  *int       `json:"pr_number"`
	At        *time.Time `json:"at"`
	SessionID *string    `json:"session_id"`
}

type sessionRequest struct {
	SessionID *string    `json:"session_id"`
	At        *time.Time `json:"at"`
}

type repoRequest struct {
	RepoOwner *string `json:"repo_owner"`
	RepoName  *string `json:"repo_name"`
	Action    *string `json:"action"`
	Scope     *string `json:"scope"`
}

// The scopes of rules.add: the rule names the repository (the default) or
// its whole organisation.
const (
	scopeRepo = "repo"
	scopeOrg  = "org"
)

type importRequest struct {
	Sessions *[]api.ImportedSession `json:"sessions"`
}

type statsRequest struct {
	Days *int `json:"days"`
}

// maxEcho is how many bytes of a caller's value an error message repeats;
// maxMessage bounds a whole error message (one from the backend may repeat
// a value too). Without them a malformed message's reply could be several
// times its size (%q writes a control byte as \x7f, JSON as \\x7f) and
// over MaxFrame.
const (
	maxEcho    = 200
	maxMessage = 1 << 10
)

// quote is %q of a caller's value, cut to maxEcho bytes and marked when cut.
func quote(v string) string {
	if len(v) <= maxEcho {
		return strconv.Quote(v)
	}
	return fmt.Sprintf("%s…(truncated, %d bytes)", strconv.Quote(cutUTF8(v, maxEcho)), len(v))
}

// cutUTF8 is s cut to at most n bytes, on a rune boundary.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// errorReply builds the frame for a failed request.
func errorReply(id json.RawMessage, code, format string, args ...any) []byte {
	if len(id) == 0 {
		id = json.RawMessage("null")
	}
	msg := fmt.Sprintf(format, args...)
	if len(msg) > maxMessage {
		msg = cutUTF8(msg, maxMessage) + "…(truncated)"
	}
	b, err := json.Marshal(reply{ID: id, Error: &api.Error{Code: code, Message: msg}})
	if err != nil {
		// The id was validated as a JSON string or number, so this cannot fail.
		return []byte(`{"id":null,"ok":false,"error":{"code":"internal","message":"encoding reply failed"}}`)
	}
	return b
}

// okReply merges the envelope with the payload's fields.
func okReply(id json.RawMessage, payload any) ([]byte, error) {
	env, err := json.Marshal(reply{ID: id, OK: true})
	if err != nil {
		return nil, fmt.Errorf("marshal reply: %w", err)
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return nil, fmt.Errorf("marshal reply: %w", err)
	}
	if len(body) <= 2 { // "{}"
		return env, nil
	}
	out := make([]byte, 0, len(env)+len(body))
	out = append(out, env[:len(env)-1]...)
	out = append(out, ',')
	out = append(out, body[1:]...)
	return out, nil
}

// validID reports whether raw is a JSON string or number.
func validID(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return false
	}
	switch c := raw[0]; {
	case c == '"':
		var s string
		return json.Unmarshal(raw, &s) == nil
	case c == '-' || (c >= '0' && c <= '9'):
		var n json.Number
		return json.Unmarshal(raw, &n) == nil
	}
	return false
}

// decodeFields decodes the message's own fields, naming the offending field
// when one has the wrong type.
func decodeFields(msg []byte, v any) error {
	if err := json.Unmarshal(msg, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return fmt.Errorf("field %q has the wrong type (want %s)", te.Field, jsonKind(te.Type))
		}
		var pe *time.ParseError
		if errors.As(err, &pe) {
			return fmt.Errorf("a time is not RFC 3339: %s", quote(pe.Value))
		}
		return fmt.Errorf("invalid fields: %v", err)
	}
	return nil
}

// parse validates the envelope; it returns the id (possibly nil), the type,
// or an error reply.
func parse(msg []byte) (id json.RawMessage, typ string, errFrame []byte) {
	if !utf8.Valid(msg) {
		return nil, "", errorReply(nil, api.CodeBadRequest, "message is not valid UTF-8")
	}
	trimmed := bytes.TrimSpace(msg)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		if !json.Valid(trimmed) {
			return nil, "", errorReply(nil, api.CodeBadRequest, "message is not valid JSON")
		}
		return nil, "", errorReply(nil, api.CodeBadRequest, "message is not a JSON object")
	}
	var env request
	if err := json.Unmarshal(trimmed, &env); err != nil {
		return nil, "", errorReply(nil, api.CodeBadRequest, "message is not valid JSON")
	}
	if len(env.ID) == 0 || string(env.ID) == "null" {
		return nil, "", errorReply(nil, api.CodeBadRequest, `field "id" is required (a string or a number)`)
	}
	if !validID(env.ID) {
		return nil, "", errorReply(nil, api.CodeBadRequest, `field "id" must be a string or a number`)
	}
	id = env.ID
	if len(env.Type) == 0 || string(env.Type) == "null" {
		return id, "", errorReply(id, api.CodeBadRequest, `field "type" is required`)
	}
	if err := json.Unmarshal(env.Type, &typ); err != nil {
		return id, "", errorReply(id, api.CodeBadRequest, `field "type" must be a string`)
	}
	return id, typ, nil
}

// backendError maps a backend failure onto the protocol's codes.
func backendError(id json.RawMessage, op string, err error) []byte {
	var ae *api.Error
	if errors.As(err, &ae) {
		return errorReply(id, ae.Code, "%s", ae.Message)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return errorReply(id, api.CodeUnavailable, "%s: %v", op, err)
	}
	return errorReply(id, api.CodeInternal, "%s: %v", op, err)
}

// nowSecond is the host's clock truncated to whole seconds in UTC.
func (h *Host) nowSecond() time.Time {
	return h.clock.Now().UTC().Truncate(time.Second)
}

func badRequest(id json.RawMessage, format string, args ...any) []byte {
	return errorReply(id, api.CodeBadRequest, format, args...)
}

func missing(id json.RawMessage, field string) []byte {
	return badRequest(id, "field %q is required", field)
}

func summary(st api.Stats, daily, weekly time.Duration) api.StatsSummary {
	out := api.StatsSummary{
		TodaySeconds:      st.TodaySeconds,
		WeekSeconds:       st.WeekSeconds,
		DailyGoalSeconds:  int64(daily / time.Second),
		WeeklyGoalSeconds: int64(weekly / time.Second),
		Days:              []api.SummaryDay{},
		Repos:             []api.SummaryRepo{},
	}
	for _, d := range st.Days {
		out.Days = append(out.Days, api.SummaryDay{Date: d.Date, Seconds: d.Seconds})
	}
	for _, r := range st.Repos {
		owner, name, _ := strings.Cut(r.Repo, "/")
		out.Repos = append(out.Repos, api.SummaryRepo{RepoOwner: owner, RepoName: name, Seconds: r.Seconds})
	}
	return out
}

// jsonKind names a Go type the way a JSON author thinks of it.
func jsonKind(t reflect.Type) string {
	if t == reflect.TypeOf(time.Time{}) {
		return "an RFC 3339 time string"
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "an integer"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	}
	return t.String()
}
