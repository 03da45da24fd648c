package api

// LocalAPIPrefix is the versioned path every local API route lives under.
// It is here, not in internal/localapi, so that clients (the host relay, the
// CLI, the dashboard) reach the daemon without linking its store.
const LocalAPIPrefix = "/localapi/v1/"

// LocalAPIHost is the Host header every local API request must carry.
// Clients dial the Unix socket, so the name only serves to tell them apart
// from a browser, which would send a real host name (DNS rebinding).
const LocalAPIHost = "local-worktimed.sock"

// ExportErrorTrailer is the HTTP trailer that carries an export's failure
// after its 200 status line: the client reports the stream as incomplete.
const ExportErrorTrailer = "X-Worktime-Error"

// ExportCountTrailer is the HTTP trailer that carries the number of sessions
// a complete export holds.
const ExportCountTrailer = "X-Worktime-Count"
