// Command tsgen writes frontend/src/types.ts, the dashboard's TypeScript
// view of the Go side, from the Go source: the methods Wails binds
// (app.Dashboard: every exported method, as Wails binds them), every type
// those methods take or return and every type reachable from them through
// struct fields (the wire types of internal/api above all), the error a
// rejected call carries (app.BindingError, what the Wails ErrorFormatter
// returns), and the exported constants of the packages those types come
// from. The JSON shape follows encoding/json: tags name the fields,
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
)

// The bound service and the rejection shape, as the dashboard's main.go
// configures Wails (Bind and ErrorFormatter).
const (
	bindingDir  = "app"
	bindingType = "Dashboard"
	errorType   = "BindingError"
	// outFile is where the output goes, relative to the module root.
	outFile = "frontend/src/types.ts"
)

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
	out := fs.String("o", "", "the output file (default: "+outFile+" under the module root)")
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
	src, err := Generate(defaultOptions(*root))
	if err != nil {
		return err
	}
	if old, err := os.ReadFile(*out); err == nil && bytes.Equal(old, src) {
		return nil // unchanged: keep the file's time stamp
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", *out, err)
	}
	return nil
}

func defaultOptions(root string) Options {
	return Options{
		Root:        root,
		BindingDir:  bindingDir,
		BindingType: bindingType,
		ErrorType:   errorType,
	}
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
