package github

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// ControlPrefix is where a fake started with Options.Controls answers test
// controls. GitHub has no such path, so a control can never be mistaken for
// a request GitHub would answer.
const ControlPrefix = "/_fake/"

// loginPattern is GitHub's rule for usernames: alphanumerics and single
// hyphens, neither first nor last, at most 39 characters.
var loginPattern = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9]|-[A-Za-z0-9]){0,38}$`)

// ValidateLogin reports why login cannot be a GitHub username, or nil.
func ValidateLogin(login string) error {
	if !loginPattern.MatchString(login) {
		return fmt.Errorf("login %q is not a GitHub username (letters, digits and single inner hyphens, at most 39)", login)
	}
	return nil
}

// ValidateCallbackURL reports why u cannot be an app's authorization
// callback URL (an absolute http or https URL), or nil.
func ValidateCallbackURL(u string) error {
	p, err := url.Parse(u)
	if err != nil {
		return fmt.Errorf("callback URL %q: %w", u, err)
	}
	if (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return fmt.Errorf("callback URL %q is not an absolute http(s) URL", u)
	}
	return nil
}

// handleControls serves the test controls: the app's callback URL, and what
// the browser does at the authorize step.
//
//	POST /_fake/callback-url  body: the URL     → SetCallbackURL
//	POST /_fake/sign-in       body: the login   → SignInWeb
//	POST /_fake/deny                            → DenyWeb
//	POST /_fake/approve-devices  body: the login → ApproveDevices
//
// A body that is not a URL or a login is refused with 400; success is 204.
func (s *Server) handleControls(mux *http.ServeMux) {
	// valued serves a control whose body is a value that check must accept.
	valued := func(name string, check func(string) error, apply func(string)) {
		mux.HandleFunc("POST "+ControlPrefix+name, func(w http.ResponseWriter, r *http.Request) {
			v, err := controlBody(r)
			if err == nil {
				err = check(v)
			}
			if err != nil {
				badRequest(w, err)
				return
			}
			apply(v)
			w.WriteHeader(http.StatusNoContent)
		})
	}
	valued("callback-url", ValidateCallbackURL, s.SetCallbackURL)
	valued("sign-in", ValidateLogin, s.SignInWeb)
	valued("approve-devices", ValidateLogin, s.ApproveDevices)
	mux.HandleFunc("POST "+ControlPrefix+"deny", func(w http.ResponseWriter, r *http.Request) {
		s.DenyWeb()
		w.WriteHeader(http.StatusNoContent)
	})
}

// controlBody is a control's plain-text body, without surrounding space.
func controlBody(r *http.Request) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, 4096))
	if err != nil {
		return "", fmt.Errorf("read body: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}
