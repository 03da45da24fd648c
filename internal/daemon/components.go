package daemon

import "context"

// components lists the built-in parts of the daemon, one per line. Each part
// lives in its own file.
func (d *Daemon) components() []Component {
	return []Component{
		{Name: "reaper", Run: runReaper},
		{Name: "localapi", Run: runLocalAPI},
	}
}

// runReaper abandons idle browser sessions.
func runReaper(ctx context.Context, d *Daemon) error {
	return d.Tracker.RunReaper(ctx)
}
