package cloudflare

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"
)

type kvJSON struct {
	ID                  string `json:"id"`
	Title               string `json:"title"`
	SupportsURLEncoding bool   `json:"supports_url_encoding"`
}

func (s *Server) kvList(w *recorder, r *http.Request) {
	s.mu.Lock()
	var out []kvJSON
	for _, n := range s.namespaces {
		out = append(out, kvJSON{ID: n.id, Title: n.title, SupportsURLEncoding: true})
	}
	s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Title < out[j].Title })
	page(w, r, out, 20)
}

func (s *Server) kvCreate(w *recorder, r *http.Request) {
	var body struct {
		Title string `json:"title"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	if body.Title == "" {
		writeErrors(w, http.StatusBadRequest, 10019, "title is required")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range s.namespaces {
		if n.title == body.Title {
			writeErrors(w, http.StatusBadRequest, 10014, "a namespace with this account ID and title already exists")
			return
		}
	}
	n := &namespace{id: newID(), title: body.Title}
	s.namespaces[n.id] = n
	writeResult(w, kvJSON{ID: n.id, Title: n.title, SupportsURLEncoding: true})
}

func (s *Server) kvDelete(w *recorder, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.PathValue("id")
	if s.namespaces[id] == nil {
		writeErrors(w, http.StatusNotFound, 10013, "namespace not found")
		return
	}
	delete(s.namespaces, id)
	writeResult(w, nil)
}

func scriptNotFound(w http.ResponseWriter, name string) {
	writeErrors(w, http.StatusNotFound, 10007, "This Worker ("+name+") does not exist on your account.")
}

// uploadMetadata is the part of the upload metadata the fake understands.
type uploadMetadata struct {
	MainModule         string           `json:"main_module"`
	BodyPart           string           `json:"body_part"`
	CompatibilityDate  string           `json:"compatibility_date"`
	CompatibilityFlags []string         `json:"compatibility_flags"`
	Bindings           []map[string]any `json:"bindings"`
	KeepBindings       []string         `json:"keep_bindings"`
	Annotations        struct {
		Tag     string `json:"workers/tag"`
		Message string `json:"workers/message"`
	} `json:"annotations"`
	// Placement and Observability are the Worker's settings, with the
	// upload metadata's field names (cloudflare-go v6
	// workers.ScriptUpdateParamsMetadata: "placement": {"mode": "smart"},
	// "observability": {"enabled": true, "head_sampling_rate": 1}).
	Placement *struct {
		Mode string `json:"mode"`
	} `json:"placement"`
	Observability *struct {
		Enabled          *bool    `json:"enabled"`
		HeadSamplingRate *float64 `json:"head_sampling_rate"`
	} `json:"observability"`
}

// scriptUpload takes the multipart upload of a module Worker. It checks what
// Cloudflare checks that matters here: a main module among the parts, a
// module content type, bindings that name existing D1 databases and KV
// namespaces, and it keeps the secrets of the previous version only when
// keep_bindings asks for it.
func (s *Server) scriptUpload(w *recorder, r *http.Request) {
	name := r.PathValue("name")
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		writeErrors(w, http.StatusBadRequest, 10001, "expected a multipart/form-data upload")
		return
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	var meta *uploadMetadata
	modules := map[string][]byte{}
	types := map[string]string{}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			writeErrors(w, http.StatusBadRequest, 10001, "malformed multipart body: "+err.Error())
			return
		}
		data, err := io.ReadAll(io.LimitReader(p, 20<<20))
		if err != nil {
			writeErrors(w, http.StatusBadRequest, 10001, "malformed multipart body: "+err.Error())
			return
		}
		if p.FormName() == "metadata" {
			meta = &uploadMetadata{}
			if err := json.Unmarshal(data, meta); err != nil {
				writeErrors(w, http.StatusBadRequest, 10021, "metadata is not valid JSON: "+err.Error())
				return
			}
			continue
		}
		// Cloudflare names a module by its part, as wrangler sends it
		// (name="worker.js"; filename="worker.js").
		fn := p.FormName()
		if p.FileName() != fn {
			writeErrors(w, http.StatusBadRequest, 10021, fmt.Sprintf("module part %q has file name %q; they must match", fn, p.FileName()))
			return
		}
		modules[fn] = data
		types[fn] = p.Header.Get("Content-Type")
	}
	if meta == nil {
		writeErrors(w, http.StatusBadRequest, 10021, "metadata part is required")
		return
	}
	if meta.MainModule == "" {
		writeErrors(w, http.StatusBadRequest, 10021, "this fake accepts module Workers only: main_module is required")
		return
	}
	main, ok := modules[meta.MainModule]
	if !ok || len(main) == 0 {
		writeErrors(w, http.StatusBadRequest, 10021, "No such module "+meta.MainModule)
		return
	}
	if ct := types[meta.MainModule]; ct != "application/javascript+module" && ct != "text/javascript+module" {
		writeErrors(w, http.StatusBadRequest, 10021, "main module "+meta.MainModule+" has content type "+ct+", want application/javascript+module")
		return
	}
	if meta.CompatibilityDate == "" {
		writeErrors(w, http.StatusBadRequest, 10021, "compatibility_date is required")
		return
	}
	var placement string
	if meta.Placement != nil {
		// The API also takes targeted placement (a region, hostname or
		// host); this fake knows Smart Placement only.
		if meta.Placement.Mode != "smart" {
			writeErrors(w, http.StatusBadRequest, 10021, fmt.Sprintf("placement mode %q: this fake accepts \"smart\" only", meta.Placement.Mode))
			return
		}
		placement = meta.Placement.Mode
	}
	var obs *Observability
	if o := meta.Observability; o != nil {
		if o.Enabled == nil {
			writeErrors(w, http.StatusBadRequest, 10021, "observability.enabled is required")
			return
		}
		if r := o.HeadSamplingRate; r != nil && (*r < 0 || *r > 1) {
			writeErrors(w, http.StatusBadRequest, 10021, fmt.Sprintf("observability.head_sampling_rate %v is not between 0 and 1", *r))
			return
		}
		obs = &Observability{Enabled: *o.Enabled, HeadSamplingRate: o.HeadSamplingRate}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var plain []map[string]any
	secrets := map[string]string{}
	seen := map[string]bool{}
	for _, b := range meta.Bindings {
		bname, _ := b["name"].(string)
		btype, _ := b["type"].(string)
		if bname == "" || seen[bname] {
			writeErrors(w, http.StatusBadRequest, 10021, fmt.Sprintf("binding names must be unique and non-empty: %q", bname))
			return
		}
		seen[bname] = true
		switch btype {
		case "d1":
			id, _ := b["id"].(string)
			if did, _ := b["database_id"].(string); did != "" {
				id = did
			}
			if s.databases[id] == nil {
				writeErrors(w, http.StatusBadRequest, 10021, "binding "+bname+" names D1 database "+id+" which does not exist")
				return
			}
		case "kv_namespace":
			id, _ := b["namespace_id"].(string)
			if s.namespaces[id] == nil {
				writeErrors(w, http.StatusBadRequest, 10041, "binding "+bname+" names KV namespace "+id+" which does not exist")
				return
			}
		case "secret_text":
			text, _ := b["text"].(string)
			secrets[bname] = text
			continue
		case "plain_text":
			if _, ok := b["text"].(string); !ok {
				writeErrors(w, http.StatusBadRequest, 10021, "plain_text binding "+bname+" needs text")
				return
			}
		case "ratelimit":
			ns, _ := b["namespace_id"].(string)
			simple, _ := b["simple"].(map[string]any)
			if ns == "" || simple == nil || simple["limit"] == nil || simple["period"] == nil {
				writeErrors(w, http.StatusBadRequest, 10021, "ratelimit binding "+bname+" needs namespace_id and simple.limit/period")
				return
			}
		case "json":
		default:
			writeErrors(w, http.StatusBadRequest, 10021, "this fake does not know binding type "+btype)
			return
		}
		plain = append(plain, b)
	}
	old := s.scripts[name]
	if old != nil && slices.Contains(meta.KeepBindings, "secret_text") {
		for k, v := range old.Secrets {
			if _, ok := secrets[k]; !ok && !seen[k] {
				secrets[k] = v
			}
		}
	}
	sc := &Script{
		Name: name, MainModule: meta.MainModule, Modules: modules, ContentTypes: types,
		CompatibilityDate: meta.CompatibilityDate, CompatibilityFlag: meta.CompatibilityFlags,
		Tag: meta.Annotations.Tag, Message: meta.Annotations.Message, TriggeredBy: "upload",
		Bindings: plain, Secrets: secrets, ModifiedOn: time.Now().UTC(),
		Placement: placement, Observability: obs,
	}
	if old != nil {
		sc.Subdomain = old.Subdomain
		sc.Uploads = old.Uploads
	}
	sc.Uploads++
	s.scripts[name] = sc
	writeResult(w, map[string]any{
		"id": name, "etag": newID(), "startup_time_ms": 5, "has_modules": true,
		"handlers": []string{"fetch"}, "modified_on": sc.ModifiedOn, "created_on": sc.ModifiedOn,
		"compatibility_date": sc.CompatibilityDate,
	})
}

func (s *Server) scriptDelete(w *recorder, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name := r.PathValue("name")
	if s.scripts[name] == nil {
		scriptNotFound(w, name)
		return
	}
	delete(s.scripts, name)
	writeResult(w, nil)
}

func (s *Server) script(w http.ResponseWriter, r *http.Request) *Script {
	name := r.PathValue("name")
	sc := s.scripts[name]
	if sc == nil {
		scriptNotFound(w, name)
	}
	return sc
}

func (s *Server) scriptSettings(w *recorder, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sc := s.script(w, r)
	if sc == nil {
		return
	}
	bindings := append([]map[string]any{}, sc.Bindings...)
	names := make([]string, 0, len(sc.Secrets))
	for n := range sc.Secrets {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		// Secrets are listed by name only.
		bindings = append(bindings, map[string]any{"name": n, "type": "secret_text"})
	}
	res := map[string]any{
		"bindings":            bindings,
		"compatibility_date":  sc.CompatibilityDate,
		"compatibility_flags": sc.CompatibilityFlag,
		"annotations":         annotations(sc),
		"logpush":             false,
		"usage_model":         "standard",
	}
	if sc.Placement != "" {
		res["placement"] = map[string]string{"mode": sc.Placement}
	}
	if sc.Observability != nil {
		res["observability"] = sc.Observability
	}
	writeResult(w, res)
}

// annotations are the version's annotations; a version made by a settings
// change has only workers/triggered_by.
func annotations(sc *Script) map[string]any {
	a := map[string]any{"workers/triggered_by": sc.TriggeredBy}
	if sc.Tag != "" {
		a["workers/tag"] = sc.Tag
	}
	if sc.Message != "" {
		a["workers/message"] = sc.Message
	}
	return a
}

func (s *Server) secretList(w *recorder, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sc := s.script(w, r)
	if sc == nil {
		return
	}
	out := []map[string]string{}
	for n := range sc.Secrets {
		out = append(out, map[string]string{"name": n, "type": "secret_text"})
	}
	sort.Slice(out, func(i, j int) bool { return out[i]["name"] < out[j]["name"] })
	writeResult(w, out)
}

func (s *Server) secretPut(w *recorder, r *http.Request) {
	var body struct {
		Name string `json:"name"`
		Text string `json:"text"`
		Type string `json:"type"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	if body.Name == "" || body.Type != "secret_text" {
		writeErrors(w, http.StatusBadRequest, 10021, "a secret needs a name and type secret_text")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sc := s.script(w, r)
	if sc == nil {
		return
	}
	for _, b := range sc.Bindings {
		if b["name"] == body.Name {
			writeErrors(w, http.StatusBadRequest, 10053, "binding name "+body.Name+" is already in use")
			return
		}
	}
	sc.Secrets[body.Name] = body.Text
	// A secret change deploys a new version of the script, and a version
	// made by a settings change carries no annotations of the upload: its
	// workers/tag is gone (workers/triggered_by says "secret").
	sc.Tag, sc.Message, sc.TriggeredBy = "", "", "secret"
	writeResult(w, map[string]string{"name": body.Name, "type": "secret_text"})
}

// scheduleJSON is one Cron Trigger as the schedules API returns it
// (https://developers.cloudflare.com/api/resources/workers/subresources/scripts/subresources/schedules/).
type scheduleJSON struct {
	Cron       string `json:"cron"`
	CreatedOn  string `json:"created_on"`
	ModifiedOn string `json:"modified_on"`
}

func schedulesResult(sc *Script) map[string][]scheduleJSON {
	out := []scheduleJSON{}
	for _, c := range sc.Crons {
		out = append(out, scheduleJSON{Cron: c, CreatedOn: sc.ModifiedOn.Format(time.RFC3339), ModifiedOn: sc.ModifiedOn.Format(time.RFC3339)})
	}
	return map[string][]scheduleJSON{"schedules": out}
}

func (s *Server) schedulesGet(w *recorder, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sc := s.script(w, r)
	if sc == nil {
		return
	}
	writeResult(w, schedulesResult(sc))
}

// schedulesSet replaces the script's Cron Triggers: the body is a JSON array
// of {"cron": "..."}; an empty array removes them all.
func (s *Server) schedulesSet(w *recorder, r *http.Request) {
	var body []struct {
		Cron string `json:"cron"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	crons := make([]string, 0, len(body))
	for _, b := range body {
		if len(strings.Fields(b.Cron)) != 5 {
			writeErrors(w, http.StatusBadRequest, 10100, fmt.Sprintf("invalid cron expression %q", b.Cron))
			return
		}
		crons = append(crons, b.Cron)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sc := s.script(w, r)
	if sc == nil {
		return
	}
	sc.Crons = crons
	writeResult(w, schedulesResult(sc))
}

func (s *Server) subdomainGet(w *recorder, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sc := s.script(w, r)
	if sc == nil {
		return
	}
	writeResult(w, map[string]bool{"enabled": sc.Subdomain, "previews_enabled": false})
}

func (s *Server) subdomainSet(w *recorder, r *http.Request) {
	var body struct {
		Enabled *bool `json:"enabled"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	if body.Enabled == nil {
		writeErrors(w, http.StatusBadRequest, 10021, "enabled is required")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sc := s.script(w, r)
	if sc == nil {
		return
	}
	if *body.Enabled && s.subdomain == "" {
		writeErrors(w, http.StatusBadRequest, 10054, "the account has no workers.dev subdomain")
		return
	}
	sc.Subdomain = *body.Enabled
	writeResult(w, map[string]bool{"enabled": sc.Subdomain, "previews_enabled": false})
}

func (s *Server) accountSubdomain(w *recorder, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.subdomain == "" {
		writeErrors(w, http.StatusNotFound, 10007, "This subdomain does not exist")
		return
	}
	writeResult(w, map[string]string{"subdomain": strings.ToLower(s.subdomain)})
}
