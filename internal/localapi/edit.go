package localapi

import (
	"context"
	"net/http"

	"github.com/worktime/worktime/internal/api"
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

func (s *Server) deleteSessions(w http.ResponseWriter, r *http.Request) {
	editRoute(w, r, s.opts.Tracker.DeleteSessions)
}

func (s *Server) withdrawSessions(w http.ResponseWriter, r *http.Request) {
	editRoute(w, r, s.opts.Tracker.WithdrawSessions)
}
