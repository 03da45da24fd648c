package pkgdoc

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// moduleRoot walks up from the test's directory to go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found")
		}
		dir = parent
	}
}

// docCounts maps each package directory (relative to root) to the files
// whose package clause carries a doc comment. Test-only packages, hidden
// directories, testdata and node_modules are skipped.
func docCounts(t *testing.T, root string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			if path != root {
				if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
					return filepath.SkipDir // another module
				}
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.PackageClauseOnly|parser.ParseComments)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		if _, ok := out[rel]; !ok {
			out[rel] = nil
		}
		if f.Doc != nil && strings.TrimSpace(f.Doc.Text()) != "" {
			out[rel] = append(out[rel], name)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestEveryPackageHasOneDocComment(t *testing.T) {
	counts := docCounts(t, moduleRoot(t))
	if _, ok := counts[filepath.Join("internal", "pkgdoc")]; !ok {
		t.Fatal("the walk did not find this package; the test is broken")
	}
	var dirs []string
	for d := range counts {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	for _, d := range dirs {
		switch files := counts[d]; len(files) {
		case 1:
		case 0:
			t.Errorf("package %s has no package doc comment; add one (\"// Package x ...\") to one file", d)
		default:
			t.Errorf("package %s has %d package doc comments (%s); keep exactly one", d, len(files), strings.Join(files, ", "))
		}
	}
}

func TestDocCountsDetectsProblems(t *testing.T) {
	root := t.TempDir()
	write := func(rel, body string) {
		p := filepath.Join(root, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/m\n")
	write("good/a.go", "// Package good is fine.\npackage good\n")
	write("good/b.go", "package good\n")
	write("none/a.go", "package none\n")
	write("two/a.go", "// Package two once.\npackage two\n")
	write("two/b.go", "// Package two twice.\npackage two\n")
	write("tests/a_test.go", "// Package tests only has tests.\npackage tests\n")
	write("node_modules/x/a.go", "package x\n")
	got := docCounts(t, root)
	want := map[string]int{"good": 1, "none": 0, "two": 2}
	if len(got) != len(want) {
		t.Fatalf("packages found: %v, want %v", got, want)
	}
	for d, n := range want {
		if files, ok := got[d]; !ok || len(files) != n {
			t.Errorf("%s: %v, want %d doc comments", d, files, n)
		}
	}
}
