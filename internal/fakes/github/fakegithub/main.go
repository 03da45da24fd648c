// Command fakegithub runs worktime's GitHub fake (internal/fakes/github) as a
// process, for tests written in other languages: the extension's browser
// tests drive GitHub's OAuth web flow through it, and the worker's tests
// (worker/vitest.config.mts) reach it as GitHub.
//
//	go run ./internal/fakes/github/fakegithub -client-id ID -client-secret SECRET [-callback-url URL] [-sign-in LOGIN]
//
// It listens on 127.0.0.1 on a free port, prints exactly one line,
// FAKE_GITHUB_URL=http://127.0.0.1:PORT, and serves until SIGINT or SIGTERM
// or until its standard input closes (so it ends with the test that started
// it, even through go run: keep its stdin an open pipe). Besides GitHub's
// endpoints it serves the test controls under /_fake/: POST
// /_fake/callback-url (body: the URL), POST /_fake/sign-in (body: the
// login), POST /_fake/deny, POST /_fake/approve-devices (body: the login
// that enters every device code from then on), and the JSON fixtures POST
// /_fake/users, /_fake/tokens and /_fake/codes (see the package's
// handleControls). Bad flags exit with status 2, -h with 0.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/worktime/worktime/internal/fakes/github"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	var usage usageError
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case errors.As(err, &usage):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "fakegithub:", err)
		os.Exit(1)
	}
}

// usageError is a bad command line (exit status 2); flag has printed it.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

// config is the command line.
type config struct {
	clientID, clientSecret, callbackURL, signIn string
}

// parse reads the command line, reporting a bad one on stderr.
func parse(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("fakegithub", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.clientID, "client-id", "", "the OAuth app's client id (required)")
	fs.StringVar(&c.clientSecret, "client-secret", "", "the OAuth app's client secret (required)")
	fs.StringVar(&c.callbackURL, "callback-url", "", "the app's authorization callback URL (or POST /_fake/callback-url later)")
	fs.StringVar(&c.signIn, "sign-in", "", "sign the browser in to GitHub as this login, the app authorized (or POST /_fake/sign-in later)")
	if err := fs.Parse(args); err != nil {
		return c, usageError{err}
	}
	var err error
	switch {
	case fs.NArg() > 0:
		err = fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case c.clientID == "":
		err = errors.New("-client-id is required")
	case c.clientSecret == "":
		err = errors.New("-client-secret is required")
	case c.callbackURL != "":
		err = github.ValidateCallbackURL(c.callbackURL)
	}
	if err == nil && c.signIn != "" {
		err = github.ValidateLogin(c.signIn)
	}
	if err != nil {
		fmt.Fprintf(stderr, "fakegithub: %v\n", err)
		fs.Usage()
		return c, usageError{err}
	}
	return c, nil
}

// run serves the fake until ctx is cancelled or stdin closes.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	c, err := parse(args, stderr)
	if err != nil {
		return err
	}
	gh := github.Start(github.Options{
		ClientID:     c.clientID,
		ClientSecret: c.clientSecret,
		CallbackURL:  c.callbackURL,
		Controls:     true,
	})
	defer gh.Close()
	if c.signIn != "" {
		gh.SignInWeb(c.signIn)
	}
	if _, err := fmt.Fprintf(stdout, "FAKE_GITHUB_URL=%s\n", gh.URL); err != nil {
		return fmt.Errorf("print the URL: %w", err)
	}
	stdinClosed := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, stdin)
		close(stdinClosed)
	}()
	select {
	case <-ctx.Done():
	case <-stdinClosed:
	}
	return nil
}
