package cli

// commands is the table of subcommands, one per line; each lives in its own
// file.
func (e *Env) commands() []Command {
	return []Command{
		{Name: "run", Summary: "run the daemon in the foreground", Run: cmdRun},
		{Name: "track", Summary: "start, heartbeat or stop a session by hand", Run: cmdTrack},
		{Name: "sessions", Summary: "list sessions; edit, split, merge, add or delete them", Run: cmdSessions},
		{Name: "rules", Summary: "keep repositories out of tracking or out of sync; pause sync (private)", Run: cmdRules},
		{Name: "stats", Summary: "today's total, per day, per repository, top pull requests", Run: cmdStats},
		{Name: "export", Summary: "export sessions as CSV or JSON", Run: cmdExport},
		{Name: "config", Summary: "show or set the daily and weekly goals", Run: cmdConfig},
		{Name: "status", Summary: "show whether the daemon runs, its active session and sync state", Run: cmdStatus},
		{Name: "login", Summary: "sign in to the sync server (GitHub device flow)", Run: cmdLogin},
		{Name: "logout", Summary: "sign out and forget the token (local data is kept)", Run: cmdLogout},
		{Name: "sync", Summary: "push local changes and pull other devices' sessions now", Run: cmdSync},
		{Name: "install", Summary: "start the daemon at login and register the browser host", Run: cmdInstall},
		{Name: "uninstall", Summary: "remove what install wrote", Run: cmdUninstall},
		{Name: "service", Summary: "start, stop or show the per-user service", Run: cmdService},
		{Name: "cloud", Summary: "deploy, inspect or remove your own backend on Cloudflare", Run: cmdCloud},
		{Name: "doctor", Summary: "check the database; --repair rebuilds a damaged one", Run: cmdDoctor},
		{Name: "version", Summary: "print the version", Run: cmdVersion},
		{Name: "help", Summary: "show this help", Run: cmdHelp},
	}
}
