package auth_test

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/worktime/worktime/internal/auth"
)

// startSecretService starts a private session bus and gnome-keyring's Secret
// Service on it with an unlocked login keyring, and points this process at
// it. Processes are stopped in t.Cleanup.
func startSecretService(t *testing.T) {
	t.Helper()
	for _, bin := range []string{"dbus-daemon", "gnome-keyring-daemon"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Fatalf("%s not installed (scripts/setup.sh installs it): %v", bin, err)
		}
	}
	home := t.TempDir()
	// A short runtime dir: gnome-keyring's control socket lives in it and
	// socket paths are limited to about 100 bytes.
	run, err := os.MkdirTemp("", "wtkr")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(run) })
	t.Setenv("HOME", home)
	t.Setenv("XDG_DATA_HOME", filepath.Join(home, "data"))
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "config"))
	t.Setenv("XDG_RUNTIME_DIR", run)

	bus := exec.Command("dbus-daemon", "--session", "--nofork", "--print-address=1")
	out, err := bus.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := bus.Start(); err != nil {
		t.Fatalf("dbus-daemon: %v", err)
	}
	t.Cleanup(func() { bus.Process.Kill(); bus.Wait() })
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("dbus-daemon address: %v", err)
	}
	addr = strings.TrimSpace(addr)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)

	// Watch for the Secret Service's name before starting it, so its
	// arrival is signalled rather than polled for.
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatalf("dbus.Connect: %v", err)
	}
	defer conn.Close()
	const name = "org.freedesktop.secrets"
	if err := conn.AddMatchSignal(dbus.WithMatchInterface("org.freedesktop.DBus"),
		dbus.WithMatchMember("NameOwnerChanged"), dbus.WithMatchArg(0, name)); err != nil {
		t.Fatalf("AddMatchSignal: %v", err)
	}
	signals := make(chan *dbus.Signal, 4)
	conn.Signal(signals)

	// --unlock reads the login keyring's password from stdin (creating the
	// keyring on first use); --foreground keeps it our child.
	kr := exec.Command("gnome-keyring-daemon", "--unlock", "--foreground", "--components=secrets")
	kr.Stdin = strings.NewReader("test")
	if err := kr.Start(); err != nil {
		t.Fatalf("gnome-keyring-daemon: %v", err)
	}
	t.Cleanup(func() { kr.Process.Kill(); kr.Wait() })

	var owned bool
	if err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, name).Store(&owned); err != nil {
		t.Fatalf("NameHasOwner: %v", err)
	}
	timeout := time.After(30 * time.Second)
	for !owned {
		select {
		case s := <-signals:
			if len(s.Body) == 3 && s.Body[0] == name && s.Body[2] != "" {
				owned = true
			}
		case <-timeout:
			t.Fatal("gnome-keyring-daemon did not take " + name)
		}
	}
}

func testCreds() auth.Credentials {
	return auth.Credentials{ServerURL: "http://127.0.0.1:8787", Token: "jwt.value.sig", Login: "octocat",
		SignedIn: time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC)}
}

func sameCreds(a, b auth.Credentials) bool {
	return a.ServerURL == b.ServerURL && a.Token == b.Token && a.Login == b.Login && a.SignedIn.Equal(b.SignedIn)
}

func exists(t *testing.T, path string) bool {
	t.Helper()
	_, err := os.Stat(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return err == nil
}

// TestKeychain runs every keychain case on one Secret Service: the D-Bus
// library keeps one session connection per process, so the bus must outlive
// the cases that use it.
func TestKeychain(t *testing.T) {
	startSecretService(t)
	ctx := context.Background()
	want := testCreds()

	t.Run("keychain store", func(t *testing.T) {
		st := auth.NewKeychainStore(t.TempDir(), nil)
		if _, err := st.Load(ctx); !errors.Is(err, auth.ErrSignedOut) {
			t.Fatalf("Load of nothing: err = %v, want ErrSignedOut", err)
		}
		if err := st.Save(ctx, want); err != nil {
			t.Fatalf("Save: %v", err)
		}
		got, err := st.Load(ctx)
		if err != nil || !sameCreds(got, want) {
			t.Fatalf("Load = %+v, %v; want %+v", got, err, want)
		}
		if err := st.Delete(ctx); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if err := st.Delete(ctx); err != nil {
			t.Fatalf("second Delete: %v", err)
		}
		if _, err := st.Load(ctx); !errors.Is(err, auth.ErrSignedOut) {
			t.Fatalf("Load after Delete: err = %v, want ErrSignedOut", err)
		}
	})

	t.Run("user store picks the keychain", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "credentials.json")
		st := auth.NewUserStore(path, nil)
		if !st.KeychainAvailable(ctx) {
			t.Fatal("KeychainAvailable = false with a Secret Service running")
		}
		if err := st.Save(ctx, want); err != nil {
			t.Fatalf("Save: %v", err)
		}
		if exists(t, path) {
			t.Error("Save wrote the credentials file although the keychain works")
		}
		got, err := st.Keychain.Load(ctx)
		if err != nil || !sameCreds(got, want) {
			t.Fatalf("keychain holds %+v, %v; want %+v", got, err, want)
		}
		if got, err := st.Load(ctx); err != nil || !sameCreds(got, want) {
			t.Fatalf("Load = %+v, %v; want %+v", got, err, want)
		}
		if err := st.Delete(ctx); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if _, err := st.Load(ctx); !errors.Is(err, auth.ErrSignedOut) {
			t.Fatalf("Load after Delete: err = %v, want ErrSignedOut", err)
		}
	})

	t.Run("credentials file moves into the keychain", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "credentials.json")
		if err := auth.NewFileStore(path).Save(ctx, want); err != nil {
			t.Fatal(err)
		}
		st := auth.NewUserStore(path, nil)
		got, err := st.Load(ctx)
		if err != nil || !sameCreds(got, want) {
			t.Fatalf("Load = %+v, %v; want %+v", got, err, want)
		}
		if exists(t, path) {
			t.Error("credentials file still there after moving it into the keychain")
		}
		if got, err := st.Keychain.Load(ctx); err != nil || !sameCreds(got, want) {
			t.Fatalf("keychain holds %+v, %v; want %+v", got, err, want)
		}
		if err := st.Delete(ctx); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("homes have their own items", func(t *testing.T) {
		a := auth.NewUserStore(filepath.Join(t.TempDir(), "credentials.json"), nil)
		b := auth.NewUserStore(filepath.Join(t.TempDir(), "credentials.json"), nil)
		if err := a.Save(ctx, want); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Load(ctx); !errors.Is(err, auth.ErrSignedOut) {
			t.Errorf("other home's Load: err = %v, want ErrSignedOut", err)
		}
		if err := b.Delete(ctx); err != nil {
			t.Fatal(err)
		}
		if got, err := a.Load(ctx); err != nil || !sameCreds(got, want) {
			t.Errorf("Load after the other home signed out = %+v, %v; want %+v", got, err, want)
		}
		if err := a.Delete(ctx); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("sign-out deletes both", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "credentials.json")
		st := auth.NewUserStore(path, nil)
		if err := st.Keychain.Save(ctx, want); err != nil {
			t.Fatal(err)
		}
		if err := st.File.Save(ctx, want); err != nil {
			t.Fatal(err)
		}
		if err := st.Delete(ctx); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if exists(t, path) {
			t.Error("credentials file survived sign-out")
		}
		if _, err := st.Keychain.Load(ctx); !errors.Is(err, auth.ErrSignedOut) {
			t.Errorf("keychain after sign-out: err = %v, want ErrSignedOut", err)
		}
	})
}

func TestUserStoreFallsBackToFile(t *testing.T) {
	ctx := context.Background()
	closed := filepath.Join(t.TempDir(), "bus") // nothing listens here
	tests := []struct {
		name string
		env  map[string]string
	}{
		{"closed bus", map[string]string{"DBUS_SESSION_BUS_ADDRESS": "unix:path=" + closed}},
		{"no bus at all", map[string]string{"DBUS_SESSION_BUS_ADDRESS": "", "XDG_RUNTIME_DIR": t.TempDir()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			path := filepath.Join(t.TempDir(), "credentials.json")
			st := auth.NewUserStore(path, nil)
			if st.KeychainAvailable(ctx) {
				t.Fatal("KeychainAvailable = true without a session bus")
			}
			if _, err := st.Load(ctx); !errors.Is(err, auth.ErrSignedOut) {
				t.Fatalf("Load of nothing: err = %v, want ErrSignedOut", err)
			}
			want := testCreds()
			if err := st.Save(ctx, want); err != nil {
				t.Fatalf("Save: %v", err)
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatalf("Save wrote no file: %v", err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("mode = %v, want 0600", fi.Mode().Perm())
			}
			if got, err := st.Load(ctx); err != nil || !sameCreds(got, want) {
				t.Fatalf("Load = %+v, %v; want %+v", got, err, want)
			}
			if err := st.Delete(ctx); err != nil {
				t.Fatalf("Delete: %v", err)
			}
			if exists(t, path) {
				t.Error("file survived Delete")
			}
		})
	}
}
