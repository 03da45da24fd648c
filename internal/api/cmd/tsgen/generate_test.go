package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The checked-in file must be what the generator writes from today's Go
// types: a change to internal/api (or to the dashboard's bound methods)
// without `go generate ./internal/api` fails here.
func TestTypesFileIsCurrent(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root, err := findModuleRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	o, err := defaultOptions(root)
	if err != nil {
		t.Fatal(err)
	}
	want, err := Generate(o)
	if err != nil {
		t.Fatal(err)
	}
	for file, src := range map[string][]byte{outFile: want.Dashboard, sharedOutFile: want.Shared} {
		have, err := os.ReadFile(filepath.Join(root, file))
		if err != nil {
			t.Fatal(err)
		}
		if string(have) != string(src) {
			t.Errorf("%s is stale: run `go generate ./internal/api` and commit it\n%s", file, firstDifference(string(have), string(src)))
		}
	}
}

func firstDifference(have, want string) string {
	h, w := strings.Split(have, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(h) || i < len(w); i++ {
		var hl, wl string
		if i < len(h) {
			hl = h[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if hl != wl {
			return "first difference at line " + strconv.Itoa(i+1) + ":\n  checked in: " + hl + "\n  generated:  " + wl
		}
	}
	return ""
}

// module writes a module example.com/m with the given files under a
// temporary root.
func module(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	files["go.mod"] = "module example.com/m\n\ngo 1.22\n"
	for name, src := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func generate(t *testing.T, files map[string]string) (string, error) {
	t.Helper()
	out, err := Generate(Options{Root: module(t, files), BindingDir: "svc", BindingType: "Service", ErrorType: "Failure"})
	return string(out.Dashboard), err
}

const wire = `// Package wire is a test package.
package wire

import (
	"encoding/json"
	"time"
)

// Kind is a closed set of names.
type Kind string

// The kinds.
const (
	KindA Kind = "a"
	KindB Kind = "b"
)

// Limit is an untyped constant.
const Limit = 0x10

// Item is one thing.
type Item struct {
	ID      string            ` + "`json:\"id\"`" + `
	Kind    Kind              ` + "`json:\"kind\"`" + `
	At      time.Time         ` + "`json:\"at\"`" + `
	Ended   *time.Time        ` + "`json:\"ended\"`" + `
	Tags    []string          ` + "`json:\"tags,omitempty\"`" + `
	Counts  map[string]int64  ` + "`json:\"counts\"`" + `
	Raw     json.RawMessage   ` + "`json:\"raw\"`" + `
	Blob    []byte            ` + "`json:\"blob\"`" + `
	Big     int64             ` + "`json:\"big,string\"`" + `
	Skipped string            ` + "`json:\"-\"`" + `
	NoTag   bool
	hidden  string
	Nested  struct {
		N int ` + "`json:\"n\"`" + `
	} ` + "`json:\"nested\"`" + `
	Parts []*Part ` + "`json:\"parts\"`" + `
}

// Part is reached only through Item.
type Part struct{ Name string ` + "`json:\"name\"`" + ` }

// Unused is never reached.
type Unused struct{}
`

const svc = `// Package svc is a test package.
package svc

import (
	"example.com/m/wire"
)

// Failure is what a rejected call carries.
type Failure struct {
	Code string ` + "`json:\"code\"`" + `
}

// Page embeds Base.
type Page struct {
	Base
	Items []wire.Item ` + "`json:\"items\"`" + `
}

// Base is embedded.
type Base struct {
	Total int ` + "`json:\"total\"`" + `
}

// Service is bound.
type Service struct{ state int }

// List lists.
func (s *Service) List(kind wire.Kind, limit int) (Page, error) { return Page{}, nil }

// Clear returns only an error.
func (s *Service) Clear() error { return nil }

func (s *Service) unexported() {}

// EventName is emitted.
const EventName = "changed"
`

func TestGenerate(t *testing.T) {
	out, err := generate(t, map[string]string{"wire/wire.go": wire, "svc/svc.go": svc})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"/** Kind is a closed set of names. */\nexport type Kind = \"a\" | \"b\";\n",
		"export interface Item {\n  id: string;\n  kind: Kind;\n  at: string;\n  ended: string | null;\n  tags?: string[] | null;\n" +
			"  counts: Record<string, number> | null;\n  raw: unknown;\n  blob: string | null;\n  big: string;\n  NoTag: boolean;\n" +
			"  nested: { n: number; };\n  parts: (Part | null)[] | null;\n}\n",
		"export interface Part {\n  name: string;\n}\n",
		"// The kinds.\nexport const KindA = \"a\";\nexport const KindB = \"b\";\n",
		"/** Limit is an untyped constant. */\nexport const Limit = 16;\n",
		"export interface Page extends Base {\n  items: Item[] | null;\n}\n",
		"export interface Base {\n  total: number;\n}\n",
		"/** Failure is what a rejected call carries. */\nexport interface Failure {\n  code: string;\n}\n",
		"export const EventName = \"changed\";\n",
		"/** Service is bound. */\nexport interface Service {\n  /** List lists. */\n  List(kind: Kind, limit: number): Promise<Page>;\n" +
			"  /** Clear returns only an error. */\n  Clear(): Promise<void>;\n}\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks\n%s\n--- output:\n%s", want, out)
		}
	}
	for _, absent := range []string{"Unused", "unexported", "hidden", "Skipped"} {
		if strings.Contains(out, absent) {
			t.Errorf("output has %q, which is not reachable or not encoded", absent)
		}
	}
	// Packages other than the bound one come first; the binding ends the file.
	if w, s := strings.Index(out, "---- wire ----"), strings.Index(out, "---- svc ----"); w < 0 || s < w {
		t.Errorf("package sections out of order: wire at %d, svc at %d", w, s)
	}
	if !strings.HasSuffix(out, "Clear(): Promise<void>;\n}\n") {
		t.Errorf("the bound interface does not end the file")
	}
	again, err := generate(t, map[string]string{"wire/wire.go": wire, "svc/svc.go": svc})
	if err != nil || again != out {
		t.Errorf("a second run differs (err %v)", err)
	}
}

func TestGenerateRefuses(t *testing.T) {
	tests := []struct {
		name  string
		svc   string
		want  string
		other map[string]string
	}{
		{
			name: "unknown foreign type",
			svc:  "package svc\nimport \"net/url\"\ntype Failure struct{}\ntype Service struct{}\nfunc (s *Service) Get() (url.URL, error) { return url.URL{}, nil }\n",
			want: "no TypeScript type for net/url.URL",
		},
		{
			name: "custom JSON",
			svc:  "package svc\ntype Failure struct{}\ntype T struct{}\nfunc (T) MarshalJSON() ([]byte, error) { return nil, nil }\ntype Service struct{}\nfunc (s *Service) Get() (T, error) { return T{}, nil }\n",
			want: "svc.T has its own MarshalJSON",
		},
		{
			name:  "two types of one name",
			svc:   "package svc\nimport \"example.com/m/wire\"\ntype Failure struct{}\ntype Item struct{}\ntype Service struct{}\nfunc (s *Service) Get(a Item) (wire.Item, error) { return wire.Item{}, nil }\n",
			other: map[string]string{"wire/wire.go": "package wire\ntype Item struct{}\n"},
			want:  "svc.Item and wire.Item would both be Item in TypeScript",
		},
		{
			name: "two results",
			svc:  "package svc\ntype Failure struct{}\ntype Service struct{}\nfunc (s *Service) Get() (int, string, error) { return 0, \"\", nil }\n",
			want: "svc.Service.Get: a bound method returns at most one value besides its error",
		},
		{
			name: "no error type",
			svc:  "package svc\ntype Service struct{}\nfunc (s *Service) Get() error { return nil }\n",
			want: "svc.Failure: no such type",
		},
		{
			name: "no methods",
			svc:  "package svc\ntype Failure struct{}\ntype Service struct{}\n",
			want: "svc.Service has no exported methods",
		},
		{
			name: "channel",
			svc:  "package svc\ntype Failure struct{}\ntype Service struct{}\nfunc (s *Service) Get() (chan int, error) { return nil, nil }\n",
			want: "no TypeScript type for *ast.ChanType",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"svc/svc.go": tt.svc}
			for k, v := range tt.other {
				files[k] = v
			}
			_, err := generate(t, files)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

// Files excluded from a linux/amd64 build are not read, so the output does
// not depend on the machine that runs the generator.
func TestGenerateReadsTheLinuxBuild(t *testing.T) {
	out, err := generate(t, map[string]string{
		"svc/svc.go":         "package svc\ntype Failure struct{}\ntype Service struct{}\nfunc (s *Service) Get() error { return nil }\n",
		"svc/svc_windows.go": "package svc\nconst OnWindows = 1\n",
		"svc/tagged.go":      "//go:build special\n\npackage svc\nconst Tagged = 1\n",
		"svc/svc_test.go":    "package svc\nconst InTest = 1\n",
		"svc/unix.go":        "//go:build unix\n\npackage svc\nconst OnUnix = 1\n",
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, absent := range []string{"OnWindows", "Tagged", "InTest"} {
		if strings.Contains(out, absent) {
			t.Errorf("output has %s", absent)
		}
	}
	if !strings.Contains(out, "export const OnUnix = 1;") {
		t.Errorf("output lacks the unix file's constant:\n%s", out)
	}
}

func TestRunWritesOnlyWhenChanged(t *testing.T) {
	root := module(t, map[string]string{
		"app/app.go": "package app\nimport \"example.com/m/internal/api\"\ntype BindingError struct{}\ntype Dashboard struct{}\n" +
			"func (d *Dashboard) Ping() error { return nil }\nfunc (d *Dashboard) One() (api.SessionReply, error) { return api.SessionReply{}, nil }\n",
		"internal/api/api.go": "package api\ntype SessionReply struct{}\ntype HelloReply struct{}\ntype StatsSummary struct{}\ntype RuleReply struct{}\ntype ImportRequest struct{}\ntype ImportReply struct{}\n",
	})
	out := filepath.Join(root, "web", "src", "types.ts")
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	if err := run([]string{"-root", root, "-o", out}, &stderr); err != nil {
		t.Fatal(err, stderr.String())
	}
	src, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(src), "Ping(): Promise<void>;") ||
		!strings.Contains(string(src), "import type { SessionReply } from \"../../internal/api/api.gen\";\nexport * from \"../../internal/api/api.gen\";\n") {
		t.Fatalf("unexpected output:\n%s", src)
	}
	shared, err := os.ReadFile(filepath.Join(root, sharedOutFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"export interface SessionReply", "export interface HelloReply", "export interface StatsSummary"} {
		if !strings.Contains(string(shared), want) {
			t.Errorf("shared file lacks %q:\n%s", want, shared)
		}
	}
	// An unchanged file is not rewritten (its time stamp stays).
	old := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := os.Chtimes(out, old, old); err != nil {
		t.Fatal(err)
	}
	if err := run([]string{"-root", root, "-o", out}, &stderr); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(out); err != nil || !fi.ModTime().Equal(old) {
		t.Fatalf("unchanged output rewritten: %v, %v", fi.ModTime(), err)
	}
	if err := run([]string{"-root", root, "-o", out, "extra"}, &stderr); err == nil {
		t.Fatal("extra arguments accepted")
	}
}

// With a shared package, its types (those the binding reaches and the
// roots) and constants go to the shared file only; the dashboard's file
// imports the ones its own declarations name and re-exports the rest.
func TestGenerateShared(t *testing.T) {
	root := module(t, map[string]string{"wire/wire.go": wire + "\n// Reply is a root the binding does not reach.\ntype Reply struct{ P Part `json:\"p\"` }\n", "svc/svc.go": svc})
	out, err := Generate(Options{
		Root: root, BindingDir: "svc", BindingType: "Service", ErrorType: "Failure",
		Shared: Shared{Dir: "wire", Roots: []string{"Reply"}, Import: "../wire/wire.gen"},
	})
	if err != nil {
		t.Fatal(err)
	}
	dash, shared := string(out.Dashboard), string(out.Shared)
	for _, want := range []string{"export interface Reply {\n  p: Part;\n}\n", "export interface Item {", "export interface Part {", "export type Kind = ", "export const KindA = \"a\";"} {
		if !strings.Contains(shared, want) {
			t.Errorf("shared file lacks %q:\n%s", want, shared)
		}
	}
	if strings.Contains(shared, "Service") || strings.Contains(shared, "Page") {
		t.Errorf("shared file has the bound package's declarations:\n%s", shared)
	}
	// Page names Item and List names Kind; Part is reached only through Item.
	if want := "import type { Item, Kind } from \"../wire/wire.gen\";\nexport * from \"../wire/wire.gen\";\n"; !strings.Contains(dash, want) {
		t.Errorf("dashboard file lacks\n%s\n--- output:\n%s", want, dash)
	}
	for _, absent := range []string{"export interface Item", "export const KindA", "export interface Reply"} {
		if strings.Contains(dash, absent) {
			t.Errorf("dashboard file repeats %q", absent)
		}
	}
	if _, err := Generate(Options{Root: root, BindingDir: "svc", BindingType: "Service", ErrorType: "Failure", Shared: Shared{Dir: "wire"}}); err == nil {
		t.Error("a shared package without an import specifier was accepted")
	}
	if _, err := Generate(Options{Root: root, BindingDir: "svc", BindingType: "Service", ErrorType: "Failure", Shared: Shared{Dir: "wire", Roots: []string{"Nope"}, Import: "x"}}); err == nil || !strings.Contains(err.Error(), "wire.Nope: no such type") {
		t.Errorf("an unknown root: err = %v", err)
	}
}

// A bound method declared in another file than its type names its
// parameters' types by that file's imports, and a parameter Go may call
// "in" becomes a name TypeScript accepts.
func TestGenerateMethodsOfOtherFiles(t *testing.T) {
	other := `package svc

import w2 "example.com/m/wire"

// Pick picks.
func (s *Service) Pick(in w2.Kind, new int) (w2.Part, error) { return w2.Part{}, nil }
`
	out, err := generate(t, map[string]string{"wire/wire.go": wire, "svc/svc.go": svc, "svc/more.go": other})
	if err != nil {
		t.Fatal(err)
	}
	if want := "  /** Pick picks. */\n  Pick(in_: Kind, new_: number): Promise<Part>;\n"; !strings.Contains(out, want) {
		t.Errorf("output lacks\n%s\n--- output:\n%s", want, out)
	}
}
