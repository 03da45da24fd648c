package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ErrRefused is wrapped when the server refuses a sign-in or a token.
var ErrRefused = errors.New("refused by the server")

// ErrDevLoginDisabled is wrapped when the server has no development sign-in.
var ErrDevLoginDisabled = errors.New("development sign-in is not enabled on this server")

// DefaultServerTimeout bounds each request to the server's /auth routes,
// so that a server that accepts a connection but never answers cannot hang
// a sign-in or sign-out.
const DefaultServerTimeout = 30 * time.Second

// ServerClient talks to the worker's /auth routes.
type ServerClient struct {
	// HTTP is the client used; nil means http.DefaultClient.
	HTTP *http.Client
	// Timeout bounds each request, reading the reply included; 0 means
	// DefaultServerTimeout.
	Timeout time.Duration
}

type tokenReply struct {
	JWT  string `json:"jwt"`
	User struct {
		Login    string `json:"login"`
		Username string `json:"username"`
	} `json:"user"`
}

// NormalizeServerURL checks a server URL and strips a trailing slash.
func NormalizeServerURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("server URL %q must be an absolute http(s) URL", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("server URL %q must not have a query or fragment", raw)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// ExchangeGitHubToken trades a GitHub access token for the server's JWT.
func (c ServerClient) ExchangeGitHubToken(ctx context.Context, serverURL, githubToken string) (Credentials, error) {
	return c.signIn(ctx, "auth.ExchangeGitHubToken", serverURL, "/auth/github/token", map[string]string{"access_token": githubToken})
}

// DevLogin signs in as login through the server's development-only route.
func (c ServerClient) DevLogin(ctx context.Context, serverURL, login string) (Credentials, error) {
	if strings.TrimSpace(login) == "" {
		return Credentials{}, errors.New("auth.DevLogin: a user name is required")
	}
	return c.signIn(ctx, "auth.DevLogin", serverURL, "/auth/dev/login", map[string]string{"login": login})
}

// Logout revokes token at the server. A token the server already refuses
// counts as revoked.
func (c ServerClient) Logout(ctx context.Context, serverURL, token string) error {
	status, body, err := c.post(ctx, serverURL, "/auth/logout", token, map[string]string{})
	if err != nil {
		return fmt.Errorf("auth.Logout: %w", err)
	}
	if status == http.StatusUnauthorized || (status >= 200 && status < 300) {
		return nil
	}
	return fmt.Errorf("auth.Logout: HTTP %d: %s", status, errorText(body))
}

func (c ServerClient) signIn(ctx context.Context, op, serverURL, path string, body any) (Credentials, error) {
	base, err := NormalizeServerURL(serverURL)
	if err != nil {
		return Credentials{}, fmt.Errorf("%s: %w", op, err)
	}
	status, b, err := c.post(ctx, base, path, "", body)
	if err != nil {
		return Credentials{}, fmt.Errorf("%s: %w", op, err)
	}
	switch {
	case status == http.StatusNotFound && path == "/auth/dev/login":
		return Credentials{}, fmt.Errorf("%s: %w", op, ErrDevLoginDisabled)
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return Credentials{}, fmt.Errorf("%s: %w: %s", op, ErrRefused, errorText(b))
	case status < 200 || status >= 300:
		return Credentials{}, fmt.Errorf("%s: HTTP %d: %s", op, status, errorText(b))
	}
	var r tokenReply
	if err := json.Unmarshal(b, &r); err != nil {
		return Credentials{}, fmt.Errorf("%s: unreadable reply: %w", op, err)
	}
	if r.JWT == "" {
		return Credentials{}, fmt.Errorf("%s: the reply has no jwt", op)
	}
	login := r.User.Login
	if login == "" {
		login = r.User.Username
	}
	return Credentials{ServerURL: base, Token: r.JWT, Login: login}, nil
}

func (c ServerClient) post(ctx context.Context, base, path, token string, body any) (int, []byte, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return 0, nil, err
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultServerTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+path, bytes.NewReader(b))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, nil, err
	}
	return resp.StatusCode, rb, nil
}

// errorText extracts a readable message from an error body.
func errorText(b []byte) string {
	var e struct {
		Error   json.RawMessage `json:"error"`
		Message string          `json:"message"`
	}
	if json.Unmarshal(b, &e) == nil {
		if e.Message != "" {
			return e.Message
		}
		var s string
		if json.Unmarshal(e.Error, &s) == nil && s != "" {
			return s
		}
		var o struct{ Code, Message string }
		if json.Unmarshal(e.Error, &o) == nil && (o.Message != "" || o.Code != "") {
			return strings.TrimSpace(o.Code + ": " + o.Message)
		}
	}
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}
