// Package cli implements every `worktimed` subcommand: flag parsing, output
// and the mapping of errors to documented exit codes (docs/cli.md). The
// binary's main only wires signals to Main.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"unicode/utf8"

	"golang.org/x/term"

	"github.com/worktime/worktime/internal/clock"
	"github.com/worktime/worktime/internal/config"
	"github.com/worktime/worktime/internal/nativemsg"
)

// Version is worktimed's version, printed by `worktimed version`.
const Version = "0.1.0"

// Options are the process's surroundings; the zero value of each field
// means the real one.
type Options struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Clock          clock.Clock
	Getenv         func(string) string
	// IsTerminal reports whether w is an interactive terminal.
	IsTerminal func(w io.Writer) bool
	// DaemonReady, if set, is called once `worktimed run` has opened the
	// store and is starting its components.
	DaemonReady func()
}

// Env is what a command runs with.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Clock          clock.Clock
	Getenv         func(string) string
	IsTerminal     func(w io.Writer) bool
	DaemonReady    func()
	// HomeFlag is --home as given ("" if not).
	HomeFlag string
	// Args0 is the program name.
	Args0 string
	// Paths and Config are loaded by LoadConfig.
	Paths  config.Paths
	Config config.Config
	Logger *slog.Logger
}

// Command is one subcommand.
type Command struct {
	Name    string
	Summary string
	Run     func(ctx context.Context, e *Env, args []string) error
	// Hidden commands are left out of the help text.
	Hidden bool
}

// Main runs worktimed with args (without the program name) and returns the
// exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return Run(ctx, args, Options{Stdin: stdin, Stdout: stdout, Stderr: stderr})
}

// Run is Main with every dependency injectable.
func Run(ctx context.Context, args []string, o Options) int {
	e := newEnv(o)
	err := e.dispatch(ctx, args)
	if err == nil {
		return ExitOK
	}
	code := ExitCode(err)
	if !errors.Is(err, errHelpShown) {
		fmt.Fprintf(e.Stderr, "worktimed: %s\n", message(err))
	}
	return code
}

func newEnv(o Options) *Env {
	e := &Env{Stdin: o.Stdin, Stdout: o.Stdout, Stderr: o.Stderr, Clock: o.Clock, Getenv: o.Getenv, IsTerminal: o.IsTerminal, DaemonReady: o.DaemonReady, Args0: "worktimed"}
	if e.Stdin == nil {
		e.Stdin = os.Stdin
	}
	if e.Stdout == nil {
		e.Stdout = os.Stdout
	}
	if e.Stderr == nil {
		e.Stderr = os.Stderr
	}
	if e.Clock == nil {
		e.Clock = clock.Real()
	}
	if e.Getenv == nil {
		e.Getenv = os.Getenv
	}
	if e.IsTerminal == nil {
		e.IsTerminal = isTerminal
	}
	e.Logger = slog.New(slog.NewTextHandler(e.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return e
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// errHelpShown: help was printed for -h; exit 0 without an error line.
var errHelpShown = errors.New("help shown")

func (e *Env) dispatch(ctx context.Context, args []string) error {
	// A browser starts worktimed as its native messaging host (host.go).
	if caller, ok := nativemsg.DetectCaller(args); ok {
		return e.RunHost(ctx, caller)
	}
	fs := flag.NewFlagSet("worktimed", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&e.HomeFlag, "home", "", "keep every file under `DIR` (overrides WORKTIME_HOME)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			e.usage(e.Stdout)
			return nil
		}
		return usageErrorf("%v; see 'worktimed help'", err)
	}
	rest := fs.Args()
	if len(rest) == 0 {
		e.usage(e.Stderr)
		return usageErrorf("no command given")
	}
	name := rest[0]
	for _, c := range e.commands() {
		if c.Name == name {
			return c.Run(ctx, e, rest[1:])
		}
	}
	return usageErrorf("unknown command %q; see 'worktimed help'", name)
}

func (e *Env) usage(w io.Writer) {
	fmt.Fprintf(w, "worktimed tracks the time you spend on GitHub pull requests.\n\nUsage: worktimed [--home DIR] COMMAND [flags]\n\nCommands:\n")
	cmds := e.commands()
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].Name < cmds[j].Name })
	for _, c := range cmds {
		if !c.Hidden {
			fmt.Fprintf(w, "  %-10s %s\n", c.Name, c.Summary)
		}
	}
	fmt.Fprintf(w, "\nRun 'worktimed COMMAND -h' for a command's flags. Files live under WORKTIME_HOME when it is set.\n")
}

// LoadConfig resolves the paths and reads config.toml.
func (e *Env) LoadConfig() error {
	home := e.HomeFlag
	if home == "" {
		home = e.Getenv("WORKTIME_HOME")
	}
	var p config.Paths
	var err error
	if home != "" {
		p, err = config.PathsFor(home, config.Env{Getenv: e.Getenv})
	} else {
		p, err = config.DefaultPaths("")
	}
	if err != nil {
		return err
	}
	c, err := config.Load(p.Config)
	if err != nil {
		return err
	}
	e.Paths, e.Config = p, c
	return nil
}

// newFlagSet makes a command's flag set; -h prints its usage to stdout.
func (e *Env) newFlagSet(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(e.Stdout, "Usage: worktimed %s\n\nFlags:\n", usage)
		fs.SetOutput(e.Stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// parseFlags parses args, refusing positional arguments. It prints the
// usage once for -h, and not for a mistake: the error says to run -h.
func (e *Env) parseFlags(fs *flag.FlagSet, args []string) error {
	rest, err := e.parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageErrorf("%s: unexpected argument %q; see 'worktimed %s -h'", fs.Name(), clipArg(rest[0]), fs.Name())
	}
	return nil
}

// clipArg shortens an argument quoted in an error message.
func clipArg(s string) string {
	if len(s) <= 64 {
		return s
	}
	cut := 64
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// parseArgs parses args, with flags before, between or after positional
// arguments (up to "--"), and returns the positional ones.
func (e *Env) parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	// The flag package calls fs.Usage itself, on -h and on every parse
	// error; silence it so the usage is printed here only.
	usage := fs.Usage
	fs.Usage = func() {}
	defer func() { fs.Usage = usage }()
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				usage()
				return nil, errHelpShown
			}
			return nil, usageErrorf("%s: %v; see 'worktimed %s -h'", fs.Name(), err, fs.Name())
		}
		left := fs.Args()
		if used := len(args) - len(left); used > 0 && args[used-1] == "--" {
			return append(rest, left...), nil // after "--", nothing is a flag
		}
		if len(left) == 0 {
			return rest, nil
		}
		rest, args = append(rest, left[0]), left[1:]
	}
}
