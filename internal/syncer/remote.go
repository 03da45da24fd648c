// Package syncer moves sessions between the local store and the worker: it
// pushes local changes in batches, pulls other devices' sessions, and backs
// off when the server cannot be reached. The server is reached through the
// Remote interface; its implementations live in subpackages (httpremote for
// the worker's HTTP API, memremote in memory for tests) and all of them pass
// the shared suite in synctest.
package syncer

import (
	"context"
	"time"
)

// TombstoneHorizon is how long the server keeps a deletion: a device that
// has not synced for longer may miss it, and may push the deleted session
// back.
const TombstoneHorizon = 180 * 24 * time.Hour

// Batch limits of one push, as the worker enforces them.
const (
	MaxBatchSessions = 500
	MaxBatchBytes    = 1 << 20
)

// Session is one session as the server stores it. Times are whole seconds in
// UTC except UpdatedAt, which has millisecond precision and decides
// last-writer-wins between devices.
type Session struct {
	ID              string
	RepoOwner       string
	RepoName        string
	PRNumber        int
	StartTime       time.Time
	EndTime         *time.Time
	DurationSeconds int64
	Status          string
	UpdatedAt       time.Time
	// DeviceID is the device that wrote the session. Push ignores it (the
	// device is the one of the request); Pull always fills it in.
	DeviceID string
	// PrevStartTime is the start the server holds the session at, sent
	// when the session moved to another start since (an edit); nil when it
	// did not move or the server never had it.
	PrevStartTime *time.Time
	// Deleted marks a deletion (a tombstone): only ID, UpdatedAt, DeviceID
	// (in a pull) and, in a push, StartTime and PrevStartTime (the keys
	// the server may hold the session at) mean anything.
	Deleted bool
}

// PushRequest is one batch of changed sessions from one device.
type PushRequest struct {
	DeviceID string
	// TimeZone is the IANA zone the server splits the device's sessions into
	// days with; empty means the server's default (UTC).
	TimeZone string
	// Since is the device's pull cursor ("" for the beginning): the server
	// compares it with the user's sequence before this push's writes to
	// tell the device whether anything else changed (PushResult.Changed).
	Since    string
	Sessions []Session
}

// Rejection is a session the server refused as invalid. Sending it again
// unchanged will be refused again.
type Rejection struct {
	ID     string
	Reason string
}

// PushResult says what became of a batch: every session of the request that
// is not in Rejected is stored on the server.
type PushResult struct {
	Accepted int
	Rejected []Rejection
	// Cursor is the user's change sequence after this push.
	Cursor string
	// Changed is false exactly when the user's sequence before this push's
	// writes was the request's Since: every change up to Cursor is then
	// this push's own, and a device whose pull cursor is Since may move it
	// to Cursor without pulling. It is true whenever the server cannot
	// tell (a server that does not say is taken to say true).
	Changed bool
}

// PullResult is one page of changes since a cursor.
type PullResult struct {
	Sessions []Session
	// Cursor is where the next Pull continues; store it only after Sessions
	// have been applied.
	Cursor string
	// More is true when the server has further changes after Cursor.
	More bool
}

// Remote is the server's sync API for one signed-in user.
//
// Contracts every implementation keeps (and synctest checks):
//
//   - Push is idempotent: sending the same sessions again, for instance
//     because the reply of a committed push was lost, stores nothing twice.
//     The server keeps, per session id, the version with the latest
//     UpdatedAt; an older or equal version is accepted and ignored.
//   - A session the server finds invalid is reported in
//     PushResult.Rejected; the rest of the batch is stored regardless.
//   - A batch above MaxBatchSessions or MaxBatchBytes fails with an error
//     for which IsTooLarge is true, and nothing of it is stored.
//   - Pull returns the sessions changed after cursor ("" means from the
//     beginning) in the order they changed, at most limit of them. It is
//     resumable: pulling again from a cursor returned earlier yields the
//     same changes again (or newer versions of them), never fewer.
//   - The beginning of the change log is the cursor "", however the server
//     spells it, so that cursors can be compared for equality.
//   - Each user has a change sequence of their own: other users' writes
//     never move a user's cursors. A push whose Since is the user's
//     sequence before it reports Changed false and a Cursor a pull from
//     Since would end at; any other write in between makes Changed true.
//     Sessions ignored by last-writer-wins consume no sequence number.
//   - A deletion wins over every version of its session, older or newer
//     (a deleted session never comes back): pushing a version of a deleted
//     session is accepted and ignored, and a deletion reaches every device
//     through Pull as a Session with Deleted set, in the order of changes.
//     The server keeps a deletion's id, version and user only, for
//     TombstoneHorizon.
//   - Sessions of other users are never visible.
//   - Errors are classified: IsUnauthorized (the credentials are missing,
//     expired or revoked; retrying will not help until the user signs in),
//     IsRetryable (network failures, timeouts, 5xx, 429; RetryAfter tells
//     when the server asked to be retried), and everything else is
//     permanent. A cancelled ctx returns ctx.Err() (wrapped).
//
// Implementations are safe for concurrent use.
type Remote interface {
	Push(ctx context.Context, req PushRequest) (PushResult, error)
	Pull(ctx context.Context, cursor string, limit int) (PullResult, error)
}
