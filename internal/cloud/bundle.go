package cloud

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// embedded holds what scripts/bundle-worker.sh put in bundle/. A fresh clone
// has only the README there, which keeps `go build` working before the
// worker is bundled.
//
//go:embed bundle
var embedded embed.FS

// ErrNoBundle means the binary was built before the worker was bundled.
var ErrNoBundle = errors.New("built without the worker bundle: run make build")

// ModuleName is the file name the Worker's main module is uploaded under.
const ModuleName = "worker.js"

// Migration is one D1 migration file. Name is the file name, which is what
// wrangler records in d1_migrations.
type Migration struct {
	Name string
	SQL  string
}

// Bundle is everything deploy uploads: the Worker module, its wrangler
// configuration and its D1 migrations.
type Bundle struct {
	// Script is the Worker as one ES module.
	Script []byte
	// Version is the worker's package version plus the first 12 hex digits
	// of the script's SHA-256, e.g. "0.1.0+1a2b3c4d5e6f": it changes whenever
	// the uploaded code does.
	Version string
	Config  WorkerConfig
	// Migrations are sorted by their number.
	Migrations []Migration
}

// WorkerConfig is the part of the Worker's wrangler configuration that deploy
// turns into bindings.
type WorkerConfig struct {
	CompatibilityDate  string         `json:"compatibility_date"`
	CompatibilityFlags []string       `json:"compatibility_flags"`
	Vars               map[string]any `json:"vars"`
	D1Databases        []struct {
		Binding string `json:"binding"`
	} `json:"d1_databases"`
	KVNamespaces []struct {
		Binding string `json:"binding"`
	} `json:"kv_namespaces"`
	Ratelimits []Ratelimit `json:"ratelimits"`
	// Placement and Observability are uploaded as the script's settings
	// with wrangler's field names, which are the upload metadata's.
	Placement     *Placement     `json:"placement"`
	Observability *Observability `json:"observability"`
	// Triggers are the Worker's Cron Triggers (the scheduled handler that
	// finishes account deletions), set through the schedules API.
	Triggers Triggers `json:"triggers"`
}

// Triggers is wrangler's triggers section: cron expressions, in UTC.
type Triggers struct {
	Crons []string `json:"crons"`
}

// Placement is where the Worker runs: mode "smart" is Smart Placement
// (near the D1 database it queries most), the only mode deploy uploads.
type Placement struct {
	Mode string `json:"mode"`
}

// Observability turns Workers Logs on: the worker's console output (its
// one JSON line per request) is kept and queryable in the dashboard.
type Observability struct {
	Enabled bool `json:"enabled"`
	// HeadSamplingRate is the share of requests logged, 0-1; nil is the
	// API's default, every request.
	HeadSamplingRate *float64 `json:"head_sampling_rate"`
}

// Ratelimit is a rate-limit binding as wrangler configures it.
type Ratelimit struct {
	Name        string `json:"name"`
	NamespaceID string `json:"namespace_id"`
	Simple      struct {
		Limit  float64 `json:"limit"`
		Period int64   `json:"period"`
	} `json:"simple"`
}

// D1Binding is the binding name of the Worker's D1 database.
func (c WorkerConfig) D1Binding() string { return c.D1Databases[0].Binding }

// KVBinding is the binding name of the Worker's KV namespace.
func (c WorkerConfig) KVBinding() string { return c.KVNamespaces[0].Binding }

func (c WorkerConfig) validate() error {
	if c.CompatibilityDate == "" {
		return errors.New("worker config: compatibility_date is missing")
	}
	if len(c.D1Databases) != 1 || c.D1Databases[0].Binding == "" {
		return errors.New("worker config: want exactly one d1_databases entry with a binding")
	}
	if len(c.KVNamespaces) != 1 || c.KVNamespaces[0].Binding == "" {
		return errors.New("worker config: want exactly one kv_namespaces entry with a binding")
	}
	if c.Placement != nil && c.Placement.Mode != "smart" {
		return fmt.Errorf("worker config: placement mode %q: deploy supports \"smart\" only", c.Placement.Mode)
	}
	if o := c.Observability; o != nil && o.HeadSamplingRate != nil && (*o.HeadSamplingRate < 0 || *o.HeadSamplingRate > 1) {
		return fmt.Errorf("worker config: observability.head_sampling_rate %v is not between 0 and 1", *o.HeadSamplingRate)
	}
	for _, cron := range c.Triggers.Crons {
		if len(strings.Fields(cron)) != 5 {
			return fmt.Errorf("worker config: cron trigger %q: want five fields (minute hour day month weekday)", cron)
		}
	}
	for _, r := range c.Ratelimits {
		if r.Name == "" || r.NamespaceID == "" || r.Simple.Limit <= 0 || r.Simple.Period <= 0 {
			return fmt.Errorf("worker config: ratelimit %q needs name, namespace_id and simple.limit/period", r.Name)
		}
	}
	return nil
}

// Embedded returns the bundle built into this binary, or ErrNoBundle.
func Embedded() (*Bundle, error) {
	sub, err := fs.Sub(embedded, "bundle")
	if err != nil {
		return nil, fmt.Errorf("embedded bundle: %w", err)
	}
	return LoadBundle(sub)
}

// EmbeddedVersion is the version of the embedded worker, or "" when the
// binary was built without one. `worktimed version` shows it.
func EmbeddedVersion() string {
	b, err := Embedded()
	if err != nil {
		return ""
	}
	return b.Version
}

var migrationName = regexp.MustCompile(`^([0-9]{4})_[A-Za-z0-9_.'-]+\.sql$`)

// LoadBundle reads a bundle laid out like bundle/: worker.js, version,
// worker.json and migrations/*.sql. A folder without worker.js is
// ErrNoBundle; anything else missing or malformed is an error naming it.
func LoadBundle(fsys fs.FS) (*Bundle, error) {
	script, err := fs.ReadFile(fsys, ModuleName)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoBundle
	}
	if err != nil {
		return nil, fmt.Errorf("bundle: read %s: %w", ModuleName, err)
	}
	if len(script) == 0 {
		return nil, fmt.Errorf("bundle: %s is empty", ModuleName)
	}
	ver, err := fs.ReadFile(fsys, "version")
	if err != nil {
		return nil, fmt.Errorf("bundle: read version: %w", err)
	}
	v := strings.TrimSpace(string(ver))
	if v == "" || strings.ContainsAny(v, " \t\n+") {
		return nil, fmt.Errorf("bundle: version %q is not a version", v)
	}
	raw, err := fs.ReadFile(fsys, "worker.json")
	if err != nil {
		return nil, fmt.Errorf("bundle: read worker.json: %w", err)
	}
	var cfg WorkerConfig
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return nil, fmt.Errorf("bundle: worker.json: %w", err)
	}
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	migs, err := loadMigrations(fsys, "migrations")
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(script)
	return &Bundle{
		Script:     script,
		Version:    v + "+" + hex.EncodeToString(sum[:6]),
		Config:     cfg,
		Migrations: migs,
	}, nil
}

// loadMigrations reads dir/NNNN_*.sql in number order; numbers must be
// unique and files non-empty.
func loadMigrations(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("bundle: %s/ is missing", dir)
	}
	if err != nil {
		return nil, fmt.Errorf("bundle: read %s: %w", dir, err)
	}
	var out []Migration
	seen := map[int]string{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("bundle: migration %q is not named NNNN_name.sql", e.Name())
		}
		n, _ := strconv.Atoi(m[1])
		if prev, dup := seen[n]; dup {
			return nil, fmt.Errorf("bundle: migrations %q and %q share number %04d", prev, e.Name(), n)
		}
		seen[n] = e.Name()
		body, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("bundle: read %s: %w", e.Name(), err)
		}
		if strings.TrimSpace(string(body)) == "" {
			return nil, fmt.Errorf("bundle: migration %s is empty", e.Name())
		}
		out = append(out, Migration{Name: e.Name(), SQL: string(body)})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("bundle: %s/ has no NNNN_name.sql migrations", dir)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
