// Package cloudflare is the one test double of Cloudflare's v4 REST API in
// worktime. It is an httptest server on 127.0.0.1 that speaks the documented
// envelope ({success, errors, messages, result}) for exactly the endpoints
// `worktimed cloud` calls: D1 databases (list, create, get, delete, query),
// Workers KV namespaces (list, create, delete), Worker scripts (upload,
// settings, delete), their secrets, Cron Triggers and workers.dev routes,
// the account's workers.dev subdomain, and the GraphQL Analytics API for the
// Workers and D1 datasets `worktimed cloud usage` reads (graphql.go).
//
// D1 queries run on a real SQLite file per database (modernc.org/sqlite), so
// migrations are really applied and re-applying them is really a no-op. Each
// request is recorded with its route name and whether it changed anything,
// and faults (any status, with an optional Retry-After) can be injected per
// route to test the error paths.
package cloudflare

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // D1 databases are real SQLite files.
)

// Permission is one API token permission the fake checks, in the words of
// Cloudflare's token editor.
type Permission string

// The permissions `worktimed cloud` needs.
const (
	PermD1      Permission = "D1: Edit"
	PermKV      Permission = "Workers KV Storage: Edit"
	PermScripts Permission = "Workers Scripts: Edit"
)

// AllPermissions is every permission deploy needs: what a token made from
// the "Edit Cloudflare Workers" template plus D1 edit grants.
func AllPermissions() []Permission { return []Permission{PermD1, PermKV, PermScripts} }

// Request is one request the server received, after authentication.
type Request struct {
	Method string
	Path   string
	// Route names the endpoint ("d1.create", "script.upload", ...).
	Route string
	// Write is true when the request changed the account's state.
	Write bool
	// Status is the HTTP status the server answered.
	Status int
}

// Fault makes the server answer a route with an error instead of serving it.
type Fault struct {
	// Route is the route name to fail ("d1.query", "secret.put", ...).
	Route string
	// Skip lets this many matching calls through before failing.
	Skip int
	// Times is how many calls fail; 0 means one.
	Times int
	// Status is the HTTP status to answer (500 if zero).
	Status int
	// Code and Message fill the error in the envelope.
	Code    int
	Message string
	// RetryAfter, when set, is sent as the Retry-After header.
	RetryAfter string
}

// Script is the stored state of one uploaded Worker.
type Script struct {
	Name       string
	MainModule string
	// Modules maps a part's file name to its content.
	Modules map[string][]byte
	// ContentTypes maps a part's file name to its Content-Type.
	ContentTypes      map[string]string
	CompatibilityDate string
	CompatibilityFlag []string
	// Tag and Message are the deployed version's annotations; a secret
	// change deploys a version without them.
	Tag     string
	Message string
	// TriggeredBy is "upload" or "secret": what made the deployed version.
	TriggeredBy string
	// Bindings are the non-secret bindings as uploaded (decoded JSON).
	Bindings []map[string]any
	// Secrets maps a secret's name to its value.
	Secrets map[string]string
	// Placement is the uploaded placement mode ("smart"), "" without one.
	Placement string
	// Observability is the uploaded observability setting, nil without one.
	Observability *Observability
	Subdomain     bool
	// Crons are the script's Cron Triggers, as last set; an upload does not
	// change them (Cloudflare keeps a script's schedules across uploads).
	Crons      []string
	Uploads    int
	ModifiedOn time.Time
}

// Observability is a script's Workers Logs setting as uploaded.
type Observability struct {
	Enabled bool `json:"enabled"`
	// HeadSamplingRate is the share of requests logged; nil is the API's
	// default (1).
	HeadSamplingRate *float64 `json:"head_sampling_rate,omitempty"`
}

type database struct {
	uuid    string
	name    string
	created time.Time
	path    string
	db      *sql.DB
}

type namespace struct {
	id    string
	title string
}

// Server is the fake API. Its methods are safe for concurrent use.
type Server struct {
	srv *httptest.Server
	dir string
	// oneResultPerItem is Options.OneResultPerItem.
	oneResultPerItem bool

	mu         sync.Mutex
	accountID  string
	token      string
	perms      map[Permission]bool
	subdomain  string
	databases  map[string]*database // by uuid
	namespaces map[string]*namespace
	scripts    map[string]*Script
	requests   []Request
	faults     []*faultState
	// analytics are the GraphQL datasets' rows, by dataset (graphql.go).
	analytics map[string][]analyticsRow
}

type faultState struct {
	Fault
	seen, failed int
}

// Options configure a new Server.
type Options struct {
	// Dir holds the D1 SQLite files (a test's t.TempDir()).
	Dir string
	// AccountID is the only account the server knows.
	AccountID string
	// Token is the only API token it accepts.
	Token string
	// Subdomain is the account's workers.dev subdomain; empty means none yet.
	Subdomain string
	// OneResultPerItem makes D1 queries answer one result per query or
	// batch item (the last statement's) instead of one per statement as
	// the API does, to test that clients handle both.
	OneResultPerItem bool
}

// New starts a server on 127.0.0.1. Close it when done.
func New(opts Options) (*Server, error) {
	if opts.Dir == "" || opts.AccountID == "" || opts.Token == "" {
		return nil, fmt.Errorf("cloudflare fake: Dir, AccountID and Token are required")
	}
	s := &Server{
		dir:        opts.Dir,
		accountID:  opts.AccountID,
		token:      opts.Token,
		subdomain:  opts.Subdomain,
		perms:      map[Permission]bool{},
		databases:  map[string]*database{},
		namespaces: map[string]*namespace{},
		scripts:    map[string]*Script{},
	}
	s.oneResultPerItem = opts.OneResultPerItem
	for _, p := range append(AllPermissions(), PermAnalytics) {
		s.perms[p] = true
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("cloudflare fake: listen: %w", err)
	}
	s.srv = &httptest.Server{Listener: ln, Config: &http.Server{Handler: s.routes()}}
	s.srv.Start()
	return s, nil
}

// URL is the API base URL to give the client, with the /client/v4/ prefix.
func (s *Server) URL() string { return s.srv.URL + "/client/v4/" }

// Close stops the server and closes the databases.
func (s *Server) Close() {
	s.srv.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range s.databases {
		d.db.Close()
	}
}

// SetPermissions replaces what the token may do.
func (s *Server) SetPermissions(perms ...Permission) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.perms = map[Permission]bool{}
	for _, p := range perms {
		s.perms[p] = true
	}
}

// SetSubdomain sets the account's workers.dev subdomain.
func (s *Server) SetSubdomain(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.subdomain = name
}

// AddFault queues a fault; faults on the same route apply in order.
func (s *Server) AddFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &faultState{Fault: f})
}

// Requests returns every request received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Writes returns the requests that changed the account's state.
func (s *Server) Writes() []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.Write {
			out = append(out, r)
		}
	}
	return out
}

// ResetRequests forgets the recorded requests.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

// DatabaseFile returns the SQLite file of the D1 database with that name.
func (s *Server) DatabaseFile(name string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range s.databases {
		if d.name == name {
			return d.path, true
		}
	}
	return "", false
}

// DatabaseID returns the UUID of the D1 database with that name.
func (s *Server) DatabaseID(name string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range s.databases {
		if d.name == name {
			return d.uuid, true
		}
	}
	return "", false
}

// Databases returns the names of the D1 databases, sorted.
func (s *Server) Databases() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, d := range s.databases {
		out = append(out, d.name)
	}
	sort.Strings(out)
	return out
}

// Namespaces returns the KV namespaces as id → title.
func (s *Server) Namespaces() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]string{}
	for id, n := range s.namespaces {
		out[id] = n.title
	}
	return out
}

// Script returns a copy of the stored script with that name.
func (s *Server) Script(name string) (Script, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sc, ok := s.scripts[name]
	if !ok {
		return Script{}, false
	}
	c := *sc
	if sc.Observability != nil {
		o := *sc.Observability
		c.Observability = &o
	}
	c.Crons = slices.Clone(sc.Crons)
	c.Modules = map[string][]byte{}
	for k, v := range sc.Modules {
		c.Modules[k] = append([]byte(nil), v...)
	}
	c.Secrets = map[string]string{}
	for k, v := range sc.Secrets {
		c.Secrets[k] = v
	}
	c.Bindings = append([]map[string]any(nil), sc.Bindings...)
	return c, true
}

// SetCrons replaces a script's Cron Triggers, as a change in the dashboard
// would; it reports whether the script exists.
func (s *Server) SetCrons(name string, crons []string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	sc, ok := s.scripts[name]
	if ok {
		sc.Crons = slices.Clone(crons)
	}
	return ok
}

// Scripts returns the names of the uploaded scripts, sorted.
func (s *Server) Scripts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for n := range s.scripts {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// route is one endpoint: its name, the permission it needs and whether a
// successful call always writes (d1.query decides by itself).
type route struct {
	name  string
	perm  Permission
	write bool
	fn    func(w *recorder, r *http.Request)
	// accountless routes have no account in their path (GraphQL names it
	// in the query, and answers for it there).
	accountless bool
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	const acct = "/client/v4/accounts/{account}"
	add := func(pattern string, rt route) {
		method, path, _ := strings.Cut(pattern, " ")
		mux.HandleFunc(method+" "+acct+path, func(w http.ResponseWriter, r *http.Request) {
			s.serve(w, r, rt)
		})
	}
	add("GET /d1/database", route{"d1.list", PermD1, false, s.d1List, false})
	add("POST /d1/database", route{"d1.create", PermD1, true, s.d1Create, false})
	add("GET /d1/database/{id}", route{"d1.get", PermD1, false, s.d1Get, false})
	add("DELETE /d1/database/{id}", route{"d1.delete", PermD1, true, s.d1Delete, false})
	add("POST /d1/database/{id}/query", route{"d1.query", PermD1, false, s.d1Query, false})
	add("GET /storage/kv/namespaces", route{"kv.list", PermKV, false, s.kvList, false})
	add("POST /storage/kv/namespaces", route{"kv.create", PermKV, true, s.kvCreate, false})
	add("DELETE /storage/kv/namespaces/{id}", route{"kv.delete", PermKV, true, s.kvDelete, false})
	add("PUT /workers/scripts/{name}", route{"script.upload", PermScripts, true, s.scriptUpload, false})
	add("DELETE /workers/scripts/{name}", route{"script.delete", PermScripts, true, s.scriptDelete, false})
	add("GET /workers/scripts/{name}/settings", route{"script.settings", PermScripts, false, s.scriptSettings, false})
	add("GET /workers/scripts/{name}/secrets", route{"secret.list", PermScripts, false, s.secretList, false})
	add("PUT /workers/scripts/{name}/secrets", route{"secret.put", PermScripts, true, s.secretPut, false})
	add("GET /workers/scripts/{name}/schedules", route{"schedules.get", PermScripts, false, s.schedulesGet, false})
	add("PUT /workers/scripts/{name}/schedules", route{"schedules.set", PermScripts, true, s.schedulesSet, false})
	add("GET /workers/scripts/{name}/subdomain", route{"subdomain.get", PermScripts, false, s.subdomainGet, false})
	add("POST /workers/scripts/{name}/subdomain", route{"subdomain.set", PermScripts, true, s.subdomainSet, false})
	add("GET /workers/subdomain", route{"account.subdomain", PermScripts, false, s.accountSubdomain, false})
	// The analytics permission is checked per account inside the query.
	gql := route{name: "graphql", fn: s.graphql, accountless: true}
	mux.HandleFunc("POST /client/v4/graphql", func(w http.ResponseWriter, r *http.Request) { s.serve(w, r, gql) })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeErrors(w, http.StatusNotFound, 7000, "No route for that URI")
	})
	return mux
}

// recorder remembers the status and whether a handler reported a write.
type recorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (r *recorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, rt route) {
	if r.Header.Get("X-Auth-Key") != "" || r.Header.Get("X-Auth-Email") != "" {
		// Mixing a token with global-API-key headers is refused.
		writeErrors(w, http.StatusBadRequest, 6003, "Invalid request headers")
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+s.token {
		// Cloudflare answers a token it does not know with code 10000.
		writeErrors(w, http.StatusUnauthorized, 10000, "Authentication error")
		return
	}
	if !rt.accountless && r.PathValue("account") != s.accountID {
		writeErrors(w, http.StatusNotFound, 7003,
			fmt.Sprintf("Could not route to %s, perhaps your object identifier is invalid?", r.URL.Path))
		return
	}
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	s.mu.Lock()
	allowed := rt.perm == "" || s.perms[rt.perm]
	f := s.takeFaultLocked(rt.name)
	s.mu.Unlock()
	switch {
	case f != nil:
		if f.RetryAfter != "" {
			rec.Header().Set("Retry-After", f.RetryAfter)
		}
		status, code, msg := f.Status, f.Code, f.Message
		if status == 0 {
			status = http.StatusInternalServerError
		}
		if code == 0 {
			code = 10013
		}
		if msg == "" {
			msg = "injected fault"
		}
		writeErrors(rec, status, code, msg)
	case !allowed:
		writeErrors(rec, http.StatusForbidden, 10000, "Authentication error")
	default:
		rt.fn(rec, r)
		if rec.status < 300 && rt.write {
			rec.wrote = true
		}
	}
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Route: rt.name, Write: rec.wrote, Status: rec.status})
	s.mu.Unlock()
}

func (s *Server) takeFaultLocked(route string) *Fault {
	for _, f := range s.faults {
		if f.Route != route {
			continue
		}
		times := f.Times
		if times == 0 {
			times = 1
		}
		if f.failed >= times {
			continue
		}
		f.seen++
		if f.seen <= f.Skip {
			return nil
		}
		f.failed++
		ff := f.Fault
		return &ff
	}
	return nil
}

type apiMessage struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

type envelope struct {
	Success    bool         `json:"success"`
	Errors     []apiMessage `json:"errors"`
	Messages   []apiMessage `json:"messages"`
	Result     any          `json:"result"`
	ResultInfo any          `json:"result_info,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeResult(w http.ResponseWriter, result any) {
	writeJSON(w, http.StatusOK, envelope{Success: true, Errors: []apiMessage{}, Messages: []apiMessage{}, Result: result})
}

func writeErrors(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, envelope{Success: false, Errors: []apiMessage{{Code: code, Message: msg}}, Messages: []apiMessage{}, Result: nil})
}

type pageInfo struct {
	Page       int `json:"page"`
	PerPage    int `json:"per_page"`
	Count      int `json:"count"`
	TotalCount int `json:"total_count"`
}

// page cuts a sorted list the way the v4 API pages it.
func page[T any](w http.ResponseWriter, r *http.Request, items []T, defPerPage int) {
	p, pp := 1, defPerPage
	if v := r.URL.Query().Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeErrors(w, http.StatusBadRequest, 10001, "page must be a positive integer")
			return
		}
		p = n
	}
	if v := r.URL.Query().Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeErrors(w, http.StatusBadRequest, 10001, "per_page must be a positive integer")
			return
		}
		pp = n
	}
	start := min((p-1)*pp, len(items))
	end := min(start+pp, len(items))
	out := items[start:end]
	if out == nil {
		out = []T{}
	}
	writeJSON(w, http.StatusOK, envelope{
		Success: true, Errors: []apiMessage{}, Messages: []apiMessage{}, Result: out,
		ResultInfo: pageInfo{Page: p, PerPage: pp, Count: len(out), TotalCount: len(items)},
	})
}

func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func newUUID() string {
	h := newID()
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(io.LimitReader(r.Body, 10<<20))
	if err != nil {
		writeErrors(w, http.StatusBadRequest, 10002, "could not read the request body")
		return false
	}
	if err := json.Unmarshal(body, v); err != nil {
		writeErrors(w, http.StatusBadRequest, 10002, "malformed JSON body: "+err.Error())
		return false
	}
	return true
}

func (s *Server) dbFilePath(uuid string) string { return filepath.Join(s.dir, "d1-"+uuid+".sqlite") }
