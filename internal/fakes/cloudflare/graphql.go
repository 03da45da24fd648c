package cloudflare

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// The GraphQL Analytics API (POST /client/v4/graphql), for the three
// datasets `worktimed cloud usage` reads, as documented:
//
//   - the endpoint, the {query, variables} body and the answer {data, errors}
//     where errors is null without errors and a 200 may still carry errors
//     (developers.cloudflare.com/analytics/graphql-api/errors/);
//   - viewer { accounts(filter: {accountTag}) { dataset(limit, filter,
//     orderBy) { sum {...} max {...} dimensions {...} } } }, rows grouped by
//     the dimensions asked for (…/graphql-api/features/data-sets/);
//   - workersInvocationsAdaptive: sum {requests errors subrequests},
//     dimensions {date scriptName status}, filter scriptName, date_*
//     (…/graphql-api/tutorials/querying-workers-metrics/);
//   - d1AnalyticsAdaptiveGroups: sum {readQueries writeQueries rowsRead
//     rowsWritten queryBatchTimeMs queryBatchResponseBytes}, and
//     d1StorageAdaptiveGroups: max {databaseSizeBytes}, both with dimensions
//     {date databaseId} and filters date_*, databaseId
//     (developers.cloudflare.com/d1/observability/metrics-analytics/).
//
// Data comes from what a test adds (AddWorkerInvocations, AddD1Analytics,
// AddD1Storage). A field outside these is an error naming it, as the real
// schema refuses unknown fields; a token without "Account Analytics: Read"
// or another account's tag is "not authorized for that account".

// PermAnalytics is the permission the GraphQL Analytics API needs.
const PermAnalytics Permission = "Account Analytics: Read"

// analyticsRow is one stored record of a dataset: its dimensions and values.
type analyticsRow struct {
	dims map[string]string
	vals map[string]float64
}

// dataset describes one node: its value groups and the fields in each, the
// dimensions, and how values combine when rows are grouped.
type dataset struct {
	groups map[string][]string // "sum" or "max" → fields
	dims   []string
}

var datasets = map[string]dataset{
	"workersInvocationsAdaptive": {
		groups: map[string][]string{"sum": {"requests", "errors", "subrequests"}},
		dims:   []string{"date", "scriptName", "status"},
	},
	"d1AnalyticsAdaptiveGroups": {
		groups: map[string][]string{"sum": {"readQueries", "writeQueries", "rowsRead", "rowsWritten", "queryBatchTimeMs", "queryBatchResponseBytes"}},
		dims:   []string{"date", "databaseId"},
	},
	"d1StorageAdaptiveGroups": {
		groups: map[string][]string{"max": {"databaseSizeBytes"}},
		dims:   []string{"date", "databaseId"},
	},
}

// AddWorkerInvocations records a day of a script's invocations.
func (s *Server) AddWorkerInvocations(date, script string, requests, errors int64) {
	s.addRow("workersInvocationsAdaptive", map[string]string{"date": date, "scriptName": script, "status": "success"},
		map[string]float64{"requests": float64(requests), "errors": float64(errors)})
}

// AddD1Analytics records a day of a database's queries: rows and the
// queries' time in ms (queryBatchTimeMs).
func (s *Server) AddD1Analytics(date, databaseID string, rowsRead, rowsWritten int64, ms float64) {
	s.addRow("d1AnalyticsAdaptiveGroups", map[string]string{"date": date, "databaseId": databaseID},
		map[string]float64{"rowsRead": float64(rowsRead), "rowsWritten": float64(rowsWritten), "readQueries": 1, "writeQueries": 1, "queryBatchTimeMs": ms})
}

// AddD1Storage records a database's size on a day.
func (s *Server) AddD1Storage(date, databaseID string, bytes int64) {
	s.addRow("d1StorageAdaptiveGroups", map[string]string{"date": date, "databaseId": databaseID},
		map[string]float64{"databaseSizeBytes": float64(bytes)})
}

func (s *Server) addRow(ds string, dims map[string]string, vals map[string]float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.analytics == nil {
		s.analytics = map[string][]analyticsRow{}
	}
	s.analytics[ds] = append(s.analytics[ds], analyticsRow{dims: dims, vals: vals})
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path,omitempty"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

// gqlFail is an error of the query, answered with 200 and data null.
type gqlFail struct {
	msg  string
	path []any
}

func (e *gqlFail) Error() string { return e.msg }

func (s *Server) graphql(w *recorder, r *http.Request) {
	var body struct {
		Query     string         `json:"query"`
		Variables map[string]any `json:"variables"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"data": nil, "errors": []gqlError{{Message: "failed to parse request body"}}})
		return
	}
	data, err := s.runQuery(body.Query, body.Variables)
	if err != nil {
		f, _ := err.(*gqlFail)
		e := gqlError{Message: err.Error(), Extensions: map[string]any{"timestamp": time.Now().UTC().Format(time.RFC3339)}}
		if f != nil {
			e.Path = f.path
		}
		writeJSON(w, http.StatusOK, map[string]any{"data": nil, "errors": []gqlError{e}})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": data, "errors": nil})
}

func (s *Server) runQuery(query string, vars map[string]any) (map[string]any, error) {
	doc, err := parseQuery(query)
	if err != nil {
		return nil, &gqlFail{msg: "error parsing query: " + err.Error()}
	}
	out := map[string]any{}
	for _, f := range doc {
		if f.name != "viewer" {
			return nil, &gqlFail{msg: fmt.Sprintf("unknown field %q", f.name), path: []any{f.name}}
		}
		viewer := map[string]any{}
		for _, acc := range f.sel {
			if acc.name != "accounts" {
				return nil, &gqlFail{msg: fmt.Sprintf("unknown field %q", acc.name), path: []any{"viewer", acc.name}}
			}
			filter, _ := resolve(acc.args["filter"], vars).(map[string]any)
			tag, _ := filter["accountTag"].(string)
			s.mu.Lock()
			allowed := s.perms[PermAnalytics]
			s.mu.Unlock()
			if tag == "" || tag != s.accountID || !allowed {
				return nil, &gqlFail{msg: "not authorized for that account", path: []any{"viewer", "accounts"}}
			}
			account := map[string]any{}
			for _, node := range acc.sel {
				rows, err := s.dataset(node, vars)
				if err != nil {
					return nil, err
				}
				account[node.name] = rows
			}
			viewer["accounts"] = []any{account}
		}
		out["viewer"] = viewer
	}
	return out, nil
}

// dataset answers one dataset node: filtered, grouped by the dimensions
// asked for, values summed (sum) or maximised (max), limited.
func (s *Server) dataset(node *gqlField, vars map[string]any) ([]any, error) {
	ds, ok := datasets[node.name]
	path := []any{"viewer", "accounts", 0, node.name}
	if !ok {
		return nil, &gqlFail{msg: fmt.Sprintf("unknown field %q", node.name), path: path}
	}
	limit := 0
	if v, ok := resolve(node.args["limit"], vars).(float64); ok {
		limit = int(v)
	}
	if limit <= 0 || limit > 10000 {
		return nil, &gqlFail{msg: "limit must be between 1 and 10000", path: path}
	}
	filter, _ := resolve(node.args["filter"], vars).(map[string]any)
	for k := range filter {
		dim, _, _ := strings.Cut(k, "_")
		if !contains(ds.dims, dim) {
			return nil, &gqlFail{msg: fmt.Sprintf("unknown filter field %q", k), path: path}
		}
	}
	var dims []string
	type want struct{ group, field string }
	var values []want
	for _, f := range node.sel {
		switch {
		case f.name == "dimensions":
			for _, d := range f.sel {
				if !contains(ds.dims, d.name) {
					return nil, &gqlFail{msg: fmt.Sprintf("unknown field %q", d.name), path: append(path, "dimensions", d.name)}
				}
				dims = append(dims, d.name)
			}
		case ds.groups[f.name] != nil:
			for _, v := range f.sel {
				if !contains(ds.groups[f.name], v.name) {
					return nil, &gqlFail{msg: fmt.Sprintf("unknown field %q", v.name), path: append(path, f.name, v.name)}
				}
				values = append(values, want{f.name, v.name})
			}
		default:
			return nil, &gqlFail{msg: fmt.Sprintf("unknown field %q", f.name), path: append(path, f.name)}
		}
	}
	s.mu.Lock()
	stored := append([]analyticsRow(nil), s.analytics[node.name]...)
	s.mu.Unlock()
	type group struct {
		dims map[string]string
		vals map[string]float64
	}
	var order []string
	groups := map[string]*group{}
	for _, row := range stored {
		if !matches(row, filter) {
			continue
		}
		var key []string
		for _, d := range dims {
			key = append(key, row.dims[d])
		}
		k := strings.Join(key, "\x00")
		g := groups[k]
		if g == nil {
			g = &group{dims: map[string]string{}, vals: map[string]float64{}}
			for _, d := range dims {
				g.dims[d] = row.dims[d]
			}
			groups[k] = g
			order = append(order, k)
		}
		for _, v := range values {
			if v.group == "max" {
				g.vals[v.field] = max(g.vals[v.field], row.vals[v.field])
			} else {
				g.vals[v.field] += row.vals[v.field]
			}
		}
	}
	sort.Strings(order)
	out := []any{}
	for _, k := range order {
		if len(out) == limit {
			break
		}
		g := groups[k]
		item := map[string]any{}
		if len(dims) > 0 {
			d := map[string]any{}
			for k, v := range g.dims {
				d[k] = v
			}
			item["dimensions"] = d
		}
		for _, v := range values {
			m, _ := item[v.group].(map[string]any)
			if m == nil {
				m = map[string]any{}
				item[v.group] = m
			}
			m[v.field] = g.vals[v.field]
		}
		out = append(out, item)
	}
	return out, nil
}

// matches applies a filter: field (equal), field_geq, _leq, _gt, _lt
// (dates compare as text: YYYY-MM-DD) and field_in.
func matches(row analyticsRow, filter map[string]any) bool {
	for k, want := range filter {
		dim, op, _ := strings.Cut(k, "_")
		have := row.dims[dim]
		if op == "in" {
			list, _ := want.([]any)
			found := false
			for _, x := range list {
				found = found || fmt.Sprint(x) == have
			}
			if !found {
				return false
			}
			continue
		}
		w := fmt.Sprint(want)
		ok := map[string]bool{"": have == w, "geq": have >= w, "leq": have <= w, "gt": have > w, "lt": have < w}[op]
		if !ok {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// resolve turns a parsed value into plain Go values, variables substituted.
func resolve(v any, vars map[string]any) any {
	switch x := v.(type) {
	case gqlVar:
		return vars[string(x)]
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			out[k] = resolve(e, vars)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = resolve(e, vars)
		}
		return out
	}
	return v
}

// ---- a parser for the part of GraphQL queries use: an optional operation
// header with variable definitions, fields with arguments (variables,
// strings, numbers, enums, objects, lists) and selection sets.

type gqlVar string

type gqlField struct {
	name string
	args map[string]any
	sel  []*gqlField
}

type gqlParser struct {
	toks []string
	i    int
}

func parseQuery(q string) ([]*gqlField, error) {
	toks, err := tokenize(q)
	if err != nil {
		return nil, err
	}
	p := &gqlParser{toks: toks}
	if p.peek() == "query" {
		p.i++
		if p.peek() != "{" && p.peek() != "(" {
			p.i++ // the operation's name
		}
		if p.peek() == "(" {
			for p.peek() != ")" && p.peek() != "" {
				p.i++ // variable definitions: types are not checked
			}
			if err := p.expect(")"); err != nil {
				return nil, err
			}
		}
	}
	sel, err := p.selection()
	if err != nil {
		return nil, err
	}
	if p.peek() != "" {
		return nil, fmt.Errorf("unexpected %q after the query", p.peek())
	}
	return sel, nil
}

func (p *gqlParser) peek() string {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return ""
}

func (p *gqlParser) expect(t string) error {
	if p.peek() != t {
		return fmt.Errorf("want %q, got %q", t, p.peek())
	}
	p.i++
	return nil
}

func (p *gqlParser) selection() ([]*gqlField, error) {
	if err := p.expect("{"); err != nil {
		return nil, err
	}
	var out []*gqlField
	for p.peek() != "}" {
		name := p.peek()
		if name == "" || !isName(name) {
			return nil, fmt.Errorf("want a field name, got %q", name)
		}
		p.i++
		f := &gqlField{name: name, args: map[string]any{}}
		if p.peek() == "(" {
			p.i++
			for p.peek() != ")" {
				arg := p.peek()
				if !isName(arg) {
					return nil, fmt.Errorf("want an argument name, got %q", arg)
				}
				p.i++
				if err := p.expect(":"); err != nil {
					return nil, err
				}
				v, err := p.value()
				if err != nil {
					return nil, err
				}
				f.args[arg] = v
			}
			p.i++
		}
		if p.peek() == "{" {
			sel, err := p.selection()
			if err != nil {
				return nil, err
			}
			f.sel = sel
		}
		out = append(out, f)
	}
	p.i++
	return out, nil
}

func (p *gqlParser) value() (any, error) {
	t := p.peek()
	p.i++
	switch {
	case t == "":
		return nil, fmt.Errorf("unexpected end of query")
	case t[0] == '$':
		return gqlVar(t[1:]), nil
	case t[0] == '"':
		return strconv.Unquote(t)
	case t == "{":
		obj := map[string]any{}
		for p.peek() != "}" {
			k := p.peek()
			if !isName(k) {
				return nil, fmt.Errorf("want a field name, got %q", k)
			}
			p.i++
			if err := p.expect(":"); err != nil {
				return nil, err
			}
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			obj[k] = v
		}
		p.i++
		return obj, nil
	case t == "[":
		var list []any
		for p.peek() != "]" {
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		p.i++
		return list, nil
	}
	if n, err := strconv.ParseFloat(t, 64); err == nil {
		return n, nil
	}
	if isName(t) {
		return t, nil // an enum value (date_ASC) or true/false/null as text
	}
	return nil, fmt.Errorf("unexpected %q", t)
}

func isName(t string) bool {
	if t == "" {
		return false
	}
	for i, r := range t {
		if !(r == '_' || unicode.IsLetter(r) || (i > 0 && unicode.IsDigit(r))) {
			return false
		}
	}
	return true
}

// tokenize splits a query into punctuators, names, variables, numbers and
// quoted strings; commas and comments are ignored, as GraphQL does.
func tokenize(q string) ([]string, error) {
	var out []string
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',':
			i++
		case c == '#':
			for i < len(q) && q[i] != '\n' {
				i++
			}
		case strings.IndexByte("{}()[]:!=", c) >= 0:
			out = append(out, string(c))
			i++
		case c == '"':
			j := i + 1
			for j < len(q) && q[j] != '"' {
				if q[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(q) {
				return nil, fmt.Errorf("unterminated string")
			}
			out = append(out, q[i:j+1])
			i = j + 1
		default:
			j := i
			for j < len(q) && strings.IndexByte(" \t\n\r,#{}()[]:!=\"", q[j]) < 0 {
				j++
			}
			out = append(out, q[i:j])
			i = j
		}
	}
	return out, nil
}
