package localapi

import (
	"context"
	"net/http"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/rules"
)

// editRoute decodes a request body into Req and answers the tracker's
// api.EditReply.
func editRoute[Req any](w http.ResponseWriter, r *http.Request, call func(ctx context.Context, req Req) (api.EditReply, error)) {
	var req Req
	if err := DecodeBody(r, &req, false); err != nil {
		Fail(w, err)
		return
	}
	reply, err := call(r.Context(), req)
	if err != nil {
		Fail(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, reply)
}

func (s *Server) editSession(w http.ResponseWriter, r *http.Request) {
	editRoute(w, r, func(ctx context.Context, req api.EditRequest) (api.EditReply, error) {
		return s.opts.Tracker.EditSession(ctx, r.PathValue("id"), req)
	})
}

func (s *Server) splitSession(w http.ResponseWriter, r *http.Request) {
	editRoute(w, r, func(ctx context.Context, req api.SplitRequest) (api.EditReply, error) {
		return s.opts.Tracker.SplitSession(ctx, r.PathValue("id"), req)
	})
}

func (s *Server) mergeSessions(w http.ResponseWriter, r *http.Request) {
	editRoute(w, r, s.opts.Tracker.MergeSessions)
}

func (s *Server) addSession(w http.ResponseWriter, r *http.Request) {
	editRoute(w, r, s.opts.Tracker.AddSession)
}

func (s *Server) importSessions(w http.ResponseWriter, r *http.Request) {
	var req api.ImportRequest
	if err := DecodeBody(r, &req, false); err != nil {
		Fail(w, err)
		return
	}
	reply, err := s.opts.Tracker.ImportSessions(r.Context(), req)
	if err != nil {
		Fail(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, reply)
}

func (s *Server) deleteSessions(w http.ResponseWriter, r *http.Request) {
	editRoute(w, r, s.opts.Tracker.DeleteSessions)
}

func (s *Server) withdrawSessions(w http.ResponseWriter, r *http.Request) {
	editRoute(w, r, s.opts.Tracker.WithdrawSessions)
}

func (s *Server) getRules(w http.ResponseWriter, r *http.Request) {
	if s.opts.Rules == nil {
		Fail(w, &api.Error{Code: api.CodeUnavailable, Message: "rules are not available"})
		return
	}
	got, err := s.opts.Rules.Rules(r.Context())
	if err != nil {
		Fail(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, withList(got))
}

func (s *Server) putRules(w http.ResponseWriter, r *http.Request) {
	if s.opts.Rules == nil {
		Fail(w, &api.Error{Code: api.CodeUnavailable, Message: "rules are not available"})
		return
	}
	var in rules.Rules
	if err := DecodeBody(r, &in, false); err != nil {
		Fail(w, err)
		return
	}
	got, err := s.opts.Rules.SetRules(r.Context(), in)
	if err != nil {
		Fail(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, withList(got))
}

// withList spells no rules as [] rather than null.
func withList(r rules.Rules) rules.Rules {
	if r.Repos == nil {
		r.Repos = []rules.Rule{}
	}
	return r
}
