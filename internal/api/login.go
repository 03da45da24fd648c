package api

import "time"

// Sign-in states (LoginStatus.State).
const (
	LoginIdle     = "idle"      // no sign-in in progress and none stored
	LoginPending  = "pending"   // waiting for the user to enter the code
	LoginSignedIn = "signed_in" // signed in (Login says as whom)
	LoginFailed   = "failed"    // the sign-in failed (Error says why)
)

// LoginStartRequest is the body of POST login/start; ServerURL, when set,
// replaces the configured server for this sign-in.
type LoginStartRequest struct {
	ServerURL string `json:"server_url,omitempty"`
}

// LoginStatus is the progress of the device-flow sign-in started by POST
// login/start (GET login/status).
type LoginStatus struct {
	State           string     `json:"state"`
	Login           string     `json:"login,omitempty"`
	ServerURL       string     `json:"server_url,omitempty"`
	UserCode        string     `json:"user_code,omitempty"`
	VerificationURI string     `json:"verification_uri,omitempty"`
	ExpiresAt       *time.Time `json:"expires_at,omitempty"`
	Error           string     `json:"error,omitempty"`
}

// LogoutReply answers POST logout. The credentials are gone from this
// machine whatever happened; Warning says what did not (the server could
// not be told).
type LogoutReply struct {
	State   string `json:"state"` // always SyncSignedOut
	Warning string `json:"warning,omitempty"`
}
