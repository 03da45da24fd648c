package nativemsg

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/worktime/worktime/internal/api"
	"github.com/worktime/worktime/internal/install"
)

// Caller is the browser extension that started worktimed as its native
// messaging host.
type Caller struct {
	Browser     string // "chrome" (any Chromium-based browser) or "firefox"
	ExtensionID string
	Manifest    string // Firefox: the host manifest it started worktimed from
}

// DetectCaller recognises a browser's command line: Chromium-based browsers
// pass the caller's origin "chrome-extension://<id>/" (and, on Windows,
// --parent-window=N); Firefox passes the manifest's path and the add-on id.
// ok is false for an ordinary command line. A command line that starts like
// a browser's but names no valid extension is still host mode, with an
// empty ExtensionID (refused).
func DetectCaller(args []string) (caller Caller, ok bool) {
	if len(args) == 0 {
		return Caller{}, false
	}
	if rest, ok := strings.CutPrefix(args[0], "chrome-extension://"); ok {
		caller.Browser = "chrome"
		if id := strings.TrimSuffix(rest, "/"); api.IsExtensionID(id) {
			caller.ExtensionID = id
		}
		for _, a := range args[1:] {
			if !strings.HasPrefix(a, "--parent-window=") {
				caller.ExtensionID = ""
			}
		}
		return caller, true
	}
	if len(args) == 2 && strings.HasSuffix(args[0], ".json") && filepath.IsAbs(args[0]) && api.IsFirefoxAddonID(args[1]) {
		return Caller{Browser: "firefox", ExtensionID: args[1], Manifest: args[0]}, true
	}
	return Caller{}, false
}

// CheckCaller returns a *RefusedError unless c may use the host: a
// Chromium extension must be in allowedIDs (allowed_extension_ids); a
// Firefox add-on, whose ids config.toml cannot hold, must be the reference
// add-on or in the allowed_extensions of worktime's manifest that Firefox
// started it from (written by `worktimed install --extension-id`).
func CheckCaller(c Caller, allowedIDs []string) error {
	ok := c.ExtensionID != ""
	if ok && c.Browser == "firefox" {
		ok = c.ExtensionID == install.DefaultFirefoxExtensionID || slices.Contains(firefoxManifestIDs(c.Manifest), c.ExtensionID)
	} else if ok {
		ok = slices.Contains(allowedIDs, c.ExtensionID)
	}
	if !ok {
		return &RefusedError{Caller: c}
	}
	return nil
}

// firefoxManifestIDs reads allowed_extensions from worktime's Firefox host
// manifest at path; anything else yields none.
func firefoxManifestIDs(path string) []string {
	b, err := os.ReadFile(path)
	if err != nil || len(b) > 1<<20 {
		return nil
	}
	var m struct {
		Name              string   `json:"name"`
		AllowedExtensions []string `json:"allowed_extensions"`
	}
	if json.Unmarshal(b, &m) != nil || m.Name != install.HostName {
		return nil
	}
	return m.AllowedExtensions
}

// RefusedError is the error of a caller that may not use the host.
type RefusedError struct{ Caller Caller }

func (e *RefusedError) Error() string {
	if e.Caller.ExtensionID == "" {
		return "native messaging host: the caller is not a valid extension origin"
	}
	return fmt.Sprintf("native messaging host: extension %q is not in allowed_extension_ids", e.Caller.ExtensionID)
}

// WriteError sends one unsolicited error frame (id null): the extension
// learns why the host stops before it answers anything.
func WriteError(w io.Writer, code, msg string) error {
	return WriteFrame(w, errorReply(nil, code, "%s", msg))
}
