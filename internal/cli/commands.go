package cli

// commands is the table of subcommands, one per line; each lives in its own
// file.
func (e *Env) commands() []Command {
	return []Command{
		{Name: "run", Summary: "run the daemon in the foreground", Run: cmdRun},
		{Name: "track", Summary: "start, heartbeat or stop a session by hand", Run: cmdTrack},
		{Name: "sessions", Summary: "list sessions", Run: cmdSessions},
		{Name: "stats", Summary: "today's total, per day, per repository, top pull requests", Run: cmdStats},
		{Name: "export", Summary: "export sessions as CSV or JSON", Run: cmdExport},
		{Name: "version", Summary: "print the version", Run: cmdVersion},
		{Name: "help", Summary: "show this help", Run: cmdHelp},
	}
}
