package cloud

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/textproto"

	"github.com/cloudflare/cloudflare-go/v6/d1"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/cloudflare/cloudflare-go/v6/workers"
)

// account is the few Cloudflare calls the cloud commands make, each turned
// into a user-worded error by classify.
type account struct {
	api *Client
	id  string
}

type database struct {
	ID        string
	Name      string
	FileSize  int64
	NumTables int
}

func (a account) createDatabase(ctx context.Context, name string) (*database, error) {
	var p d1.DatabaseNewParams
	set(&p.AccountID, a.id)
	set(&p.Name, name)
	db, err := a.api.D1.Database.New(ctx, p)
	if err != nil {
		return nil, classify("create the D1 database "+name, PermD1, err)
	}
	return &database{ID: db.UUID, Name: db.Name}, nil
}

func (a account) getDatabase(ctx context.Context, id string) (*database, error) {
	var p d1.DatabaseGetParams
	set(&p.AccountID, a.id)
	db, err := a.api.D1.Database.Get(ctx, id, p)
	if err != nil {
		return nil, classify("read the D1 database", PermD1, err)
	}
	return &database{ID: db.UUID, Name: db.Name, FileSize: int64(db.FileSize), NumTables: int(db.NumTables)}, nil
}

func (a account) deleteDatabase(ctx context.Context, id string) error {
	var p d1.DatabaseDeleteParams
	set(&p.AccountID, a.id)
	_, err := a.api.D1.Database.Delete(ctx, id, p)
	return classify("delete the D1 database", PermD1, err)
}

// statement is one SQL statement with its parameters. D1's REST API takes
// parameters as strings only; SQLite's column affinity turns them back into
// numbers where a column wants one.
type statement struct {
	SQL    string
	Params []string
}

// query runs the statements as one batch (one transaction) and returns the
// rows of each. Each statement must be a single SQL statement: D1 answers
// one result per statement, so only then is there one result per item.
// Scripts of several statements go through exec.
func (a account) query(ctx context.Context, dbID, op string, stmts ...statement) ([][]map[string]any, error) {
	batch := make([]d1.DatabaseQueryParamsBodyMultipleQueriesBatch, len(stmts))
	for i, s := range stmts {
		set(&batch[i].Sql, s.SQL)
		if s.Params != nil {
			set(&batch[i].Params, s.Params)
		}
	}
	var body d1.DatabaseQueryParamsBodyMultipleQueries
	set(&body.Batch, batch)
	results, err := a.send(ctx, dbID, op, body)
	if err != nil {
		return nil, err
	}
	out := make([][]map[string]any, 0, len(results))
	for i, r := range results {
		if !r.Success {
			return nil, fmt.Errorf("%s: statement %d did not succeed", op, i+1)
		}
		rows := make([]map[string]any, 0, len(r.Results))
		for _, row := range r.Results {
			m, ok := row.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%s: unexpected row %T", op, row)
			}
			rows = append(rows, m)
		}
		out = append(out, rows)
	}
	if len(out) != len(stmts) {
		return nil, fmt.Errorf("%s: got %d results for %d statements", op, len(out), len(stmts))
	}
	return out, nil
}

// exec runs sql, which may hold several statements, as one query: D1 runs
// one query in one transaction, which is how wrangler applies a migration
// and its d1_migrations record together (buildMigrationQuery in
// workers-sdk's packages/wrangler/src/d1/migrations/helpers.ts). The API
// answers one result per statement (wrangler's tests of it report
// "Executed 3 commands" for "select 1; select 2; select 3;"), where one
// result for the whole string has also been seen; the number of results is
// therefore not checked, only that each one succeeded.
func (a account) exec(ctx context.Context, dbID, op, sql string) error {
	var body d1.DatabaseQueryParamsBodyD1SingleQuery
	set(&body.Sql, sql)
	results, err := a.send(ctx, dbID, op, body)
	if err != nil {
		return err
	}
	if len(results) == 0 {
		return fmt.Errorf("%s: D1 answered no result", op)
	}
	for i, r := range results {
		if !r.Success {
			return fmt.Errorf("%s: statement %d did not succeed", op, i+1)
		}
	}
	return nil
}

// send posts a query body and returns D1's results.
func (a account) send(ctx context.Context, dbID, op string, body d1.DatabaseQueryParamsBodyUnion) ([]d1.QueryResult, error) {
	p := d1.DatabaseQueryParams{Body: body}
	set(&p.AccountID, a.id)
	page, err := a.api.D1.Database.Query(ctx, dbID, p)
	if err != nil {
		return nil, classify(op, PermD1, err)
	}
	return page.Result, nil
}

type namespace struct {
	ID    string
	Title string
}

func (a account) findNamespace(ctx context.Context, title string) (*namespace, error) {
	var p kv.NamespaceListParams
	set(&p.AccountID, a.id)
	set(&p.PerPage, 100.0)
	iter := a.api.KV.Namespaces.ListAutoPaging(ctx, p)
	for iter.Next() {
		if ns := iter.Current(); ns.Title == title {
			return &namespace{ID: ns.ID, Title: ns.Title}, nil
		}
	}
	if err := iter.Err(); err != nil {
		return nil, classify("list the KV namespaces", PermKV, err)
	}
	return nil, nil
}

func (a account) createNamespace(ctx context.Context, title string) (*namespace, error) {
	var p kv.NamespaceNewParams
	set(&p.AccountID, a.id)
	set(&p.Title, title)
	ns, err := a.api.KV.Namespaces.New(ctx, p)
	if err != nil {
		return nil, classify("create the KV namespace "+title, PermKV, err)
	}
	return &namespace{ID: ns.ID, Title: ns.Title}, nil
}

func (a account) deleteNamespace(ctx context.Context, id string) error {
	var p kv.NamespaceDeleteParams
	set(&p.AccountID, a.id)
	_, err := a.api.KV.Namespaces.Delete(ctx, id, p)
	return classify("delete the KV namespace", PermKV, err)
}

// scriptSettings returns the deployed script's settings, or nil if there is
// no script by that name.
func (a account) scriptSettings(ctx context.Context, name string) (*workers.ScriptScriptAndVersionSettingGetResponse, error) {
	var p workers.ScriptScriptAndVersionSettingGetParams
	set(&p.AccountID, a.id)
	s, err := a.api.Workers.Scripts.ScriptAndVersionSettings.Get(ctx, name, p)
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, classify("read the Worker "+name, PermScripts, err)
	}
	return s, nil
}

// uploadScript uploads the module Worker as wrangler does: a "metadata"
// part and one part per module, named by the module's file name (the SDK's
// own encoding names every file part "files").
func (a account) uploadScript(ctx context.Context, name string, script []byte, meta workers.ScriptUpdateParamsMetadata) error {
	const op = "upload the Worker "
	body, contentType, err := uploadBody(script, meta)
	if err != nil {
		return fmt.Errorf("%s%s: %w", op, name, err)
	}
	var p workers.ScriptUpdateParams
	set(&p.AccountID, a.id)
	set(&p.Metadata, meta)
	_, err = a.api.Workers.Scripts.Update(ctx, name, p, option.WithRequestBody(contentType, body))
	return classify(op+name, PermScripts, err)
}

func uploadBody(script []byte, meta workers.ScriptUpdateParamsMetadata) ([]byte, string, error) {
	metaJSON, err := meta.MarshalJSON()
	if err != nil {
		return nil, "", fmt.Errorf("encode metadata: %w", err)
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="metadata"`)
	h.Set("Content-Type", "application/json")
	pw, err := mw.CreatePart(h)
	if err != nil {
		return nil, "", err
	}
	pw.Write(metaJSON)
	h = textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, ModuleName, ModuleName))
	h.Set("Content-Type", "application/javascript+module")
	if pw, err = mw.CreatePart(h); err != nil {
		return nil, "", err
	}
	pw.Write(script)
	if err := mw.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), mw.FormDataContentType(), nil
}

func (a account) deleteScript(ctx context.Context, name string) error {
	var p workers.ScriptDeleteParams
	set(&p.AccountID, a.id)
	set(&p.Force, true)
	_, err := a.api.Workers.Scripts.Delete(ctx, name, p)
	return classify("delete the Worker "+name, PermScripts, err)
}

// secretNames lists the names of the script's secrets (values are never
// readable).
func (a account) secretNames(ctx context.Context, script string) (map[string]bool, error) {
	var p workers.ScriptSecretListParams
	set(&p.AccountID, a.id)
	page, err := a.api.Workers.Scripts.Secrets.List(ctx, script, p)
	if err != nil {
		return nil, classify("list the Worker's secrets", PermScripts, err)
	}
	out := map[string]bool{}
	for _, s := range page.Result {
		out[s.Name] = true
	}
	return out, nil
}

func (a account) putSecret(ctx context.Context, script, name, value string) error {
	var secret workers.ScriptSecretUpdateParamsBodyWorkersBindingKindSecretText
	set(&secret.Name, name)
	set(&secret.Text, value)
	set(&secret.Type, workers.ScriptSecretUpdateParamsBodyWorkersBindingKindSecretTextTypeSecretText)
	p := workers.ScriptSecretUpdateParams{Body: secret}
	set(&p.AccountID, a.id)
	_, err := a.api.Workers.Scripts.Secrets.Update(ctx, script, p)
	return classify("set the Worker secret "+name, PermScripts, err)
}

// accountSubdomain is the account's workers.dev subdomain, or ErrNoSubdomain.
func (a account) accountSubdomain(ctx context.Context) (string, error) {
	var p workers.SubdomainGetParams
	set(&p.AccountID, a.id)
	s, err := a.api.Workers.Subdomains.Get(ctx, p)
	if isNotFound(err) || hasCode(err, codeNoSubdomain) {
		return "", ErrNoSubdomain
	}
	if err != nil {
		return "", classify("read the account's workers.dev subdomain", PermScripts, err)
	}
	if s.Subdomain == "" {
		return "", ErrNoSubdomain
	}
	return s.Subdomain, nil
}

// schedules lists the script's Cron Triggers.
func (a account) schedules(ctx context.Context, script string) ([]string, error) {
	var p workers.ScriptScheduleGetParams
	set(&p.AccountID, a.id)
	res, err := a.api.Workers.Scripts.Schedules.Get(ctx, script, p)
	if err != nil {
		return nil, classify("read the Worker's Cron Triggers", PermScripts, err)
	}
	out := make([]string, 0, len(res.Schedules))
	for _, s := range res.Schedules {
		out = append(out, s.Cron)
	}
	return out, nil
}

// setSchedules replaces the script's Cron Triggers with crons.
func (a account) setSchedules(ctx context.Context, script string, crons []string) error {
	p := workers.ScriptScheduleUpdateParams{Body: make([]workers.ScriptScheduleUpdateParamsBody, len(crons))}
	set(&p.AccountID, a.id)
	for i, c := range crons {
		set(&p.Body[i].Cron, c)
	}
	_, err := a.api.Workers.Scripts.Schedules.Update(ctx, script, p)
	return classify("set the Worker's Cron Triggers", PermScripts, err)
}

func (a account) routeEnabled(ctx context.Context, script string) (bool, error) {
	var p workers.ScriptSubdomainGetParams
	set(&p.AccountID, a.id)
	s, err := a.api.Workers.Scripts.Subdomain.Get(ctx, script, p)
	if err != nil {
		return false, classify("read the Worker's workers.dev route", PermScripts, err)
	}
	return s.Enabled, nil
}

func (a account) enableRoute(ctx context.Context, script string) error {
	var p workers.ScriptSubdomainNewParams
	set(&p.AccountID, a.id)
	set(&p.Enabled, true)
	set(&p.PreviewsEnabled, false)
	_, err := a.api.Workers.Scripts.Subdomain.New(ctx, script, p)
	return classify("enable the Worker's workers.dev route", PermScripts, err)
}
