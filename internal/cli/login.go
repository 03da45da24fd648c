package cli

import (
	"context"
	"fmt"
	"os/exec"
	"runtime"
	"time"

	"github.com/worktime/worktime/internal/auth"
	"github.com/worktime/worktime/internal/backend"
	"github.com/worktime/worktime/internal/daemon"
)

func cmdLogin(ctx context.Context, e *Env, args []string) error {
	fs := e.newFlagSet("login", "login [--server URL] [--dev-user NAME] [--no-browser]")
	server := fs.String("server", "", "the worktime server (default: sync.server_url from config.toml)")
	devUser := fs.String("dev-user", "", "sign in as NAME through a local worker's development sign-in (DEV_LOGIN=1), without GitHub")
	noBrowser := fs.Bool("no-browser", false, "do not open the verification page in a browser")
	if err := e.parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("login: unexpected argument %q", fs.Arg(0))
	}
	if err := e.LoadConfig(); err != nil {
		return err
	}
	svc := daemon.AuthService(e.Paths, e.Config, e.Getenv, e.Clock)
	var c auth.Credentials
	var err error
	if *devUser != "" {
		c, err = svc.DevLogin(ctx, *server, *devUser)
	} else {
		c, err = svc.Login(ctx, *server, func(dc auth.DeviceCode) {
			fmt.Fprintf(e.Stdout, "To sign in, open %s and enter the code %s\n", dc.VerificationURI, dc.UserCode)
			if !dc.ExpiresAt.IsZero() {
				fmt.Fprintf(e.Stdout, "The code expires at %s. Waiting…\n", dc.ExpiresAt.Local().Format("15:04"))
			}
			if !*noBrowser {
				openBrowser(dc.VerificationURI)
			}
		})
	}
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	who := c.Login
	if who == "" {
		who = "(unknown user)"
	}
	fmt.Fprintf(e.Stdout, "Signed in as %s at %s\n", who, c.ServerURL)
	nudgeDaemon(ctx, e)
	return nil
}

// nudgeDaemon asks a running daemon to sync now, so that a new sign-in (or
// sign-out) takes effect at once. No daemon is fine.
func nudgeDaemon(ctx context.Context, e *Env) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	d := backend.NewDaemon(e.backendOptions())
	defer d.Close()
	st, err := d.Sync(ctx)
	if err != nil {
		return
	}
	fmt.Fprintf(e.Stdout, "Sync: %s", st.State)
	if st.Pending > 0 {
		fmt.Fprintf(e.Stdout, ", %d pending", st.Pending)
	}
	fmt.Fprintln(e.Stdout)
}

// openBrowser tries the platform's opener; failing is fine, the URL was
// printed.
func openBrowser(url string) {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	if err := cmd.Start(); err == nil {
		go cmd.Wait() //nolint:errcheck // only reaps the opener
	}
}
