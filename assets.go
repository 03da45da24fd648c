//go:build production || dev

package main

import (
	"embed"
	"fmt"
	"io/fs"
)

// The frontend, built by `npm run build` in frontend/.
//
//go:embed all:frontend/dist
var dist embed.FS

func frontendAssets() (fs.FS, error) {
	sub, err := fs.Sub(dist, "frontend/dist")
	if err != nil {
		return nil, fmt.Errorf("frontend assets: %w", err)
	}
	return sub, nil
}
