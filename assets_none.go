//go:build !production && !dev

package main

import (
	"errors"
	"io/fs"
)

// Without the Wails build tags the frontend is not embedded (so that `go vet
// ./...` works on a fresh clone before `npm run build`), and Wails would
// refuse to run anyway.
func frontendAssets() (fs.FS, error) {
	return nil, errors.New("built without the frontend: build with -tags desktop,production,webkit2_41 (see docs/dashboard.md)")
}
