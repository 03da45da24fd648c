package cloudflare

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
)

type d1JSON struct {
	UUID      string    `json:"uuid"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	Version   string    `json:"version"`
	FileSize  int64     `json:"file_size,omitempty"`
	NumTables int       `json:"num_tables,omitempty"`
}

func (s *Server) d1List(w *recorder, r *http.Request) {
	filter := r.URL.Query().Get("name")
	s.mu.Lock()
	var out []d1JSON
	for _, d := range s.databases {
		// The API searches: a name filter matches substrings.
		if filter != "" && !strings.Contains(d.name, filter) {
			continue
		}
		out = append(out, d1JSON{UUID: d.uuid, Name: d.name, CreatedAt: d.created, Version: "production"})
	}
	s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	page(w, r, out, 1000)
}

func (s *Server) d1Create(w *recorder, r *http.Request) {
	var body struct {
		Name string `json:"name"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	if body.Name == "" {
		writeErrors(w, http.StatusBadRequest, 7400, "The request is malformed: name is required")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range s.databases {
		if d.name == body.Name {
			writeErrors(w, http.StatusBadRequest, 7502, "A database with that name already exists")
			return
		}
	}
	id := newUUID()
	path := s.dbFilePath(id)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		writeErrors(w, http.StatusInternalServerError, 7500, err.Error())
		return
	}
	db.SetMaxOpenConns(1)
	if err := db.Ping(); err != nil {
		db.Close()
		writeErrors(w, http.StatusInternalServerError, 7500, err.Error())
		return
	}
	d := &database{uuid: id, name: body.Name, created: time.Now().UTC().Truncate(time.Second), path: path, db: db}
	s.databases[id] = d
	writeResult(w, d1JSON{UUID: id, Name: d.name, CreatedAt: d.created, Version: "production"})
}

func (s *Server) lookupDB(w http.ResponseWriter, r *http.Request) *database {
	s.mu.Lock()
	d := s.databases[r.PathValue("id")]
	s.mu.Unlock()
	if d == nil {
		writeErrors(w, http.StatusNotFound, 7404, "The database "+r.PathValue("id")+" could not be found")
	}
	return d
}

func (s *Server) d1Get(w *recorder, r *http.Request) {
	d := s.lookupDB(w, r)
	if d == nil {
		return
	}
	size, tables, err := dbStats(r.Context(), d.db)
	if err != nil {
		writeErrors(w, http.StatusInternalServerError, 7500, err.Error())
		return
	}
	writeResult(w, d1JSON{UUID: d.uuid, Name: d.name, CreatedAt: d.created, Version: "production", FileSize: size, NumTables: tables})
}

func dbStats(ctx context.Context, db *sql.DB) (size int64, tables int, err error) {
	var pages, pageSize int64
	if err := db.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		return 0, 0, err
	}
	if err := db.QueryRowContext(ctx, "PRAGMA page_size").Scan(&pageSize); err != nil {
		return 0, 0, err
	}
	if err := db.QueryRowContext(ctx,
		`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'`,
	).Scan(&tables); err != nil {
		return 0, 0, err
	}
	return pages * pageSize, tables, nil
}

func (s *Server) d1Delete(w *recorder, r *http.Request) {
	d := s.lookupDB(w, r)
	if d == nil {
		return
	}
	s.mu.Lock()
	delete(s.databases, d.uuid)
	s.mu.Unlock()
	d.db.Close()
	writeResult(w, nil)
}

// queryItem is one statement of a query body. D1 takes parameters as
// strings only; anything else is refused, as the API's schema says.
type queryItem struct {
	SQL    string `json:"sql"`
	Params []any  `json:"params"`
}

type queryMeta struct {
	ChangedDB   bool    `json:"changed_db"`
	Changes     int64   `json:"changes"`
	Duration    float64 `json:"duration"`
	LastRowID   int64   `json:"last_row_id"`
	RowsRead    int64   `json:"rows_read"`
	RowsWritten int64   `json:"rows_written"`
	SizeAfter   int64   `json:"size_after"`
}

type queryResult struct {
	Results []map[string]any `json:"results"`
	Success bool             `json:"success"`
	Meta    queryMeta        `json:"meta"`
}

// d1Query runs a single query or a batch in one transaction, like D1: a
// failing statement rolls back the whole batch.
func (s *Server) d1Query(w *recorder, r *http.Request) {
	d := s.lookupDB(w, r)
	if d == nil {
		return
	}
	var body struct {
		queryItem
		Batch []queryItem `json:"batch"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	items := body.Batch
	if len(items) == 0 {
		items = []queryItem{body.queryItem}
	}
	args := make([][]any, len(items))
	stmts := make([][]string, len(items))
	for i, it := range items {
		stmts[i] = splitStatements(it.SQL)
		if len(stmts[i]) == 0 {
			writeErrors(w, http.StatusBadRequest, 7400, fmt.Sprintf("The request is malformed: statement %d has no sql", i))
			return
		}
		if len(it.Params) > 0 && len(stmts[i]) > 1 {
			writeErrors(w, http.StatusBadRequest, 7400, fmt.Sprintf("The request is malformed: statement %d has parameters and several statements", i))
			return
		}
		for j, p := range it.Params {
			str, ok := p.(string)
			if !ok {
				writeErrors(w, http.StatusBadRequest, 7400,
					fmt.Sprintf("The request is malformed: params[%d] of statement %d must be a string, got %T", j, i, p))
				return
			}
			args[i] = append(args[i], str)
		}
	}
	ctx := r.Context()
	before, schemaBefore, err := changeCounters(ctx, d.db)
	if err != nil {
		writeErrors(w, http.StatusInternalServerError, 7500, err.Error())
		return
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		writeErrors(w, http.StatusInternalServerError, 7500, err.Error())
		return
	}
	// The API answers one result per statement, not per batch item:
	// wrangler's tests of it expect "Executed 3 commands" for
	// "select 1; select 2; select 3;" (workers-sdk's
	// packages/wrangler/src/__tests__/d1/execute.test.ts). With
	// OneResultPerItem the fake answers the other shape, one per item.
	results := make([]queryResult, 0, len(items))
	for i := range items {
		for j, stmt := range stmts[i] {
			start := time.Now()
			rows, err := runStatement(tx, stmt, args[i])
			if err != nil {
				tx.Rollback()
				writeErrors(w, http.StatusBadRequest, 7500, err.Error()+": SQLITE_ERROR")
				return
			}
			var changes, lastID int64
			_ = tx.QueryRow("SELECT changes(), last_insert_rowid()").Scan(&changes, &lastID)
			res := queryResult{Results: rows, Success: true, Meta: queryMeta{
				Changes: changes, LastRowID: lastID, Duration: float64(time.Since(start).Microseconds()) / 1000,
				RowsRead: int64(len(rows)), RowsWritten: changes,
			}}
			if s.oneResultPerItem && j > 0 {
				results[len(results)-1] = res
				continue
			}
			results = append(results, res)
		}
	}
	if err := tx.Commit(); err != nil {
		writeErrors(w, http.StatusInternalServerError, 7500, err.Error())
		return
	}
	after, schemaAfter, err := changeCounters(ctx, d.db)
	if err != nil {
		writeErrors(w, http.StatusInternalServerError, 7500, err.Error())
		return
	}
	size, _, _ := dbStats(ctx, d.db)
	changed := after != before || schemaAfter != schemaBefore
	for i := range results {
		results[i].Meta.ChangedDB = changed
		results[i].Meta.SizeAfter = size
	}
	w.wrote = changed
	writeResult(w, results)
}

// changeCounters reads what tells whether a query changed the database:
// total_changes() of the one connection and the schema version.
func changeCounters(ctx context.Context, db *sql.DB) (changes, schema int64, err error) {
	if err := db.QueryRowContext(ctx, "SELECT total_changes()").Scan(&changes); err != nil {
		return 0, 0, err
	}
	if err := db.QueryRowContext(ctx, "PRAGMA schema_version").Scan(&schema); err != nil {
		return 0, 0, err
	}
	return changes, schema, nil
}

// runStatement runs sql (one or more statements) and returns the rows of the
// last one as objects, as D1 does.
func runStatement(tx *sql.Tx, query string, args []any) ([]map[string]any, error) {
	rows, err := tx.Query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	out := []map[string]any{}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := map[string]any{}
		for i, c := range cols {
			if b, ok := vals[i].([]byte); ok {
				vals[i] = string(b)
			}
			row[c] = vals[i]
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := rows.Close(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return nil, err
	}
	return out, nil
}

// splitStatements splits sql into its statements, as SQLite reads them: a
// ";" ends a statement unless it is inside a string, a quoted name, a
// comment or the BEGIN ... END body of a trigger. Statements of nothing but
// comments and space are dropped.
func splitStatements(sql string) []string {
	var out []string
	start, depth, words := 0, 0, 0
	trigger, token := false, false
	end := func(i int) {
		if token {
			out = append(out, strings.TrimSpace(sql[start:i]))
		}
		start, words, depth, trigger, token = i+1, 0, 0, false, false
	}
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case c == '\'' || c == '"' || c == '`' || c == '[':
			token = true
			closing := c
			if c == '[' {
				closing = ']'
			}
			for i++; i < len(sql); i++ {
				if sql[i] != closing {
					continue
				}
				if closing != ']' && i+1 < len(sql) && sql[i+1] == closing {
					i++ // a doubled quote stands for itself
					continue
				}
				break
			}
			i++
		case strings.HasPrefix(sql[i:], "--"):
			for i < len(sql) && sql[i] != '\n' {
				i++
			}
		case strings.HasPrefix(sql[i:], "/*"):
			if k := strings.Index(sql[i+2:], "*/"); k >= 0 {
				i += k + 4
			} else {
				i = len(sql)
			}
		case isWordByte(c):
			token = true
			j := i
			for j < len(sql) && isWordByte(sql[j]) {
				j++
			}
			w := strings.ToUpper(sql[i:j])
			words++
			switch {
			case words <= 4 && w == "TRIGGER":
				trigger = true
			case trigger && (w == "BEGIN" || w == "CASE"):
				depth++
			case trigger && w == "END" && depth > 0:
				depth--
			}
			i = j
		case c == ';' && depth == 0:
			end(i)
			i++
		default:
			if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
				token = true
			}
			i++
		}
	}
	end(len(sql))
	return out
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
