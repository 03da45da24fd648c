// Command tsgen writes internal/api/api.gen.ts, the TypeScript form of
// internal/api that the dashboard, the extension and the worker import, and
// frontend/src/types.ts, the dashboard's TypeScript view of the Go side,
// from the Go source: the methods Wails binds
// (app.Dashboard: every exported method, as Wails binds them), every type
// those methods take or return and every type reachable from them through
// struct fields (the wire types of internal/api above all), the error a
// rejected call carries (app.BindingError, what the Wails ErrorFormatter
// returns), and the exported constants of the packages those types come
// from. internal/api's types and constants go to the shared file, with the
// native messaging replies the extension reads (sharedRoots); the
// dashboard's file re-exports them. The JSON shape follows encoding/json: tags name the fields,
// omitempty makes them optional, pointers, slices and maps may be null,
// time.Time is an RFC 3339 string.
//
// Run it with `go generate ./internal/api` after changing any of those
// types; a test fails while the checked-in file differs from its output.
// It reads source only (go/parser), so it builds neither Wails nor the app.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// The bound service and the rejection shape, as the dashboard's main.go
// configures Wails (Bind and ErrorFormatter).
const (
	bindingDir  = "app"
	bindingType = "Dashboard"
	errorType   = "BindingError"
	// outFile is where the dashboard's file goes, relative to the module root.
	outFile = "frontend/src/types.ts"
	// sharedDir is the package every client shares; sharedOutFile its file.
	sharedDir     = "internal/api"
	sharedOutFile = "internal/api/api.gen.ts"
)

// sharedRoots are the types of internal/api that clients other than the
// dashboard read: the native messaging replies and the sessions.import
// request (docs/native-messaging.md).
var sharedRoots = []string{"SessionReply", "HelloReply", "StatsSummary", "RuleReply", "ImportRequest", "ImportReply"}

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "tsgen:", err)
		os.Exit(1)
	}
}

func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("tsgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	root := fs.String("root", "", "the module root (default: the directory holding go.mod, from the working directory up)")
	out := fs.String("o", "", "the dashboard's file (default: "+outFile+" under the module root)")
	sharedOut := fs.String("shared-o", "", "the shared file (default: "+sharedOutFile+" under the module root)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *root == "" {
		wd, err := os.Getwd()
		if err != nil {
			return fmt.Errorf("working directory: %w", err)
		}
		if *root, err = findModuleRoot(wd); err != nil {
			return err
		}
	}
	if *out == "" {
		*out = filepath.Join(*root, outFile)
	}
	if *sharedOut == "" {
		*sharedOut = filepath.Join(*root, sharedOutFile)
	}
	o, err := options(*root, *out, *sharedOut)
	if err != nil {
		return err
	}
	src, err := Generate(o)
	if err != nil {
		return err
	}
	if err := writeIfChanged(*sharedOut, src.Shared); err != nil {
		return err
	}
	return writeIfChanged(*out, src.Dashboard)
}

// writeIfChanged keeps an unchanged file's time stamp.
func writeIfChanged(name string, src []byte) error {
	if old, err := os.ReadFile(name); err == nil && bytes.Equal(old, src) {
		return nil
	}
	if err := os.WriteFile(name, src, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// options are the generator's options for the two output files: the
// dashboard's file imports the shared one by their relative path.
func options(root, out, sharedOut string) (Options, error) {
	rel, err := filepath.Rel(filepath.Dir(out), sharedOut)
	if err != nil {
		return Options{}, fmt.Errorf("import path of %s: %w", sharedOut, err)
	}
	spec := strings.TrimSuffix(filepath.ToSlash(rel), ".ts")
	if !strings.HasPrefix(spec, ".") {
		spec = "./" + spec
	}
	return Options{
		Root:        root,
		BindingDir:  bindingDir,
		BindingType: bindingType,
		ErrorType:   errorType,
		Shared:      Shared{Dir: sharedDir, Roots: sharedRoots, Import: spec},
	}, nil
}

func defaultOptions(root string) (Options, error) {
	return options(root, filepath.Join(root, outFile), filepath.Join(root, sharedOutFile))
}

// findModuleRoot walks up from dir to the directory holding go.mod.
func findModuleRoot(dir string) (string, error) {
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		} else if !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("find go.mod: %w", err)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("find go.mod: not inside a Go module")
		}
		dir = parent
	}
}
