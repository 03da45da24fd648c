package localapi

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/tracker"
)

const (
	defaultStatsDays = 7
	maxSessionsLimit = 100000
)

func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	st := api.Status{Version: s.opts.Version, DeviceID: s.opts.DeviceID, Sync: api.SyncState{State: api.SyncDisabled}}
	if s.opts.Sync != nil {
		state, user, err := s.opts.Sync.SyncStatus(r.Context())
		if err != nil {
			Fail(w, fmt.Errorf("sync status: %w", err))
			return
		}
		st.Sync, st.User, st.SignedIn = state, user, user != nil
	}
	active, err := s.opts.Tracker.Active(r.Context())
	if err != nil {
		Fail(w, err)
		return
	}
	st.Active = active
	WriteJSON(w, http.StatusOK, st)
}

func (s *Server) start(w http.ResponseWriter, r *http.Request) {
	var req api.StartRequest
	if err := DecodeBody(r, &req, false); err != nil {
		Fail(w, err)
		return
	}
	sess, err := s.opts.Tracker.Start(r.Context(), req)
	if err != nil {
		Fail(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, api.SessionReply{Session: &sess})
}

func (s *Server) heartbeat(w http.ResponseWriter, r *http.Request) {
	var req api.AtRequest
	if err := DecodeBody(r, &req, true); err != nil {
		Fail(w, err)
		return
	}
	sess, err := s.opts.Tracker.Heartbeat(r.Context(), r.PathValue("id"), req.At)
	if err != nil {
		Fail(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, api.SessionReply{Session: &sess})
}

func (s *Server) end(w http.ResponseWriter, r *http.Request) {
	var req api.AtRequest
	if err := DecodeBody(r, &req, true); err != nil {
		Fail(w, err)
		return
	}
	sess, err := s.opts.Tracker.End(r.Context(), r.PathValue("id"), req.At)
	if err != nil {
		Fail(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, api.SessionReply{Session: &sess})
}

func (s *Server) active(w http.ResponseWriter, r *http.Request) {
	sess, err := s.opts.Tracker.Active(r.Context())
	if err != nil {
		Fail(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, api.SessionReply{Session: sess})
}

// parseTime accepts RFC 3339 or a calendar date (midnight UTC).
func parseTime(name, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil
	}
	return time.Time{}, badRequest("%s %q is neither RFC 3339 nor YYYY-MM-DD", name, v)
}

func parseRepo(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	if _, _, err := api.ParseRepo(v); err != nil {
		return "", err
	}
	return v, nil
}

func parseInt(name, v string, def, lo, hi int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, badRequest("%s %q is not an integer between %d and %d", name, v, lo, hi)
	}
	return n, nil
}

func (s *Server) sessions(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var sq tracker.SessionQuery
	var err error
	if sq.Repo, err = parseRepo(q.Get("repo")); err != nil {
		Fail(w, err)
		return
	}
	if sq.Since, err = parseTime("since", q.Get("since")); err != nil {
		Fail(w, err)
		return
	}
	switch st := q.Get("status"); st {
	case "", api.StatusActive, api.StatusCompleted, api.StatusAbandoned:
		sq.Status = st
	default:
		Fail(w, badRequest("status %q is not active, completed or abandoned", st))
		return
	}
	if sq.Limit, err = parseInt("limit", q.Get("limit"), 0, 1, maxSessionsLimit); err != nil {
		Fail(w, err)
		return
	}
	list, err := s.opts.Tracker.Sessions(r.Context(), sq)
	if err != nil {
		Fail(w, err)
		return
	}
	if list == nil {
		list = []api.Session{}
	}
	WriteJSON(w, http.StatusOK, api.SessionsReply{Sessions: list})
}

func (s *Server) stats(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var sq tracker.StatsQuery
	var err error
	if sq.Days, err = parseInt("days", q.Get("days"), defaultStatsDays, 1, tracker.MaxStatsDays); err != nil {
		Fail(w, err)
		return
	}
	if sq.Repo, err = parseRepo(q.Get("repo")); err != nil {
		Fail(w, err)
		return
	}
	st, err := s.opts.Tracker.Stats(r.Context(), sq)
	if err != nil {
		Fail(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, st)
}

func (s *Server) export(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	format := q.Get("format")
	if format == "" {
		format = tracker.FormatCSV
	}
	if err := tracker.CheckFormat(format); err != nil {
		Fail(w, err)
		return
	}
	var eq tracker.ExportQuery
	var err error
	if eq.Since, err = parseTime("since", q.Get("since")); err != nil {
		Fail(w, err)
		return
	}
	if eq.Until, err = parseTime("until", q.Get("until")); err != nil {
		Fail(w, err)
		return
	}
	if !eq.Since.IsZero() && !eq.Until.IsZero() && !eq.Until.After(eq.Since) {
		Fail(w, badRequest("until must be after since"))
		return
	}
	if format == tracker.FormatCSV {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	} else {
		w.Header().Set("Content-Type", "application/json")
	}
	w.Header().Set("Trailer", api.ExportErrorTrailer+", "+api.ExportCountTrailer)
	var n int64
	if err := s.opts.Tracker.WriteExport(r.Context(), w, format, eq, func(done int64) { n = done }); err != nil {
		// The status line is gone; the trailer tells the client that the
		// stream is incomplete (localclient reports it as an error).
		s.log.Warn("export failed", "err", err)
		w.Header().Set(api.ExportErrorTrailer, err.Error())
		return
	}
	w.Header().Set(api.ExportCountTrailer, strconv.FormatInt(n, 10))
}

func (s *Server) sync(w http.ResponseWriter, r *http.Request) {
	if s.opts.Sync == nil {
		Fail(w, &api.Error{Code: api.CodeUnavailable, Message: "sync is not configured"})
		return
	}
	st, err := s.opts.Sync.SyncNow(r.Context())
	if err != nil {
		Fail(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, st)
}

func (s *Server) getConfig(w http.ResponseWriter, r *http.Request) {
	if s.opts.Settings == nil {
		Fail(w, &api.Error{Code: api.CodeUnavailable, Message: "settings are not available"})
		return
	}
	st, err := s.opts.Settings.Settings(r.Context())
	if err != nil {
		Fail(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, st)
}

func (s *Server) putConfig(w http.ResponseWriter, r *http.Request) {
	if s.opts.Settings == nil {
		Fail(w, &api.Error{Code: api.CodeUnavailable, Message: "settings are not available"})
		return
	}
	var st api.Settings
	if err := DecodeBody(r, &st, false); err != nil {
		Fail(w, err)
		return
	}
	st, err := s.opts.Settings.SetSettings(r.Context(), st)
	if err != nil {
		Fail(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, st)
}

// signIn is the sign-in service, or an unavailable error without one.
func (s *Server) signIn() (SignIn, error) {
	if s.opts.SignIn == nil {
		return nil, &api.Error{Code: api.CodeUnavailable, Message: "sync is not configured"}
	}
	return s.opts.SignIn, nil
}

func (s *Server) loginStart(w http.ResponseWriter, r *http.Request) {
	si, err := s.signIn()
	if err != nil {
		Fail(w, err)
		return
	}
	var req api.LoginStartRequest
	if err := DecodeBody(r, &req, true); err != nil {
		Fail(w, err)
		return
	}
	st, err := si.StartLogin(r.Context(), req.ServerURL)
	if err != nil {
		// GitHub or the server could not be reached, or the server URL is
		// not usable: the dashboard shows the message and offers a retry.
		Fail(w, &api.Error{Code: api.CodeUnavailable, Message: err.Error()})
		return
	}
	WriteJSON(w, http.StatusOK, st)
}

func (s *Server) loginStatus(w http.ResponseWriter, r *http.Request) {
	si, err := s.signIn()
	if err != nil {
		Fail(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, si.LoginStatus(r.Context()))
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	si, err := s.signIn()
	if err != nil {
		Fail(w, err)
		return
	}
	out := api.LogoutReply{State: api.SyncSignedOut}
	if err := si.Logout(r.Context()); err != nil {
		// Signed out locally regardless; say what did not happen.
		out.Warning = err.Error()
	}
	WriteJSON(w, http.StatusOK, out)
}
