package api

import "time"

// The replies of native messaging protocol v1 (docs/native-messaging.md)
// whose shapes are the protocol's own; session replies are SessionReply.
// The extension reads them through the generated internal/api/api.gen.ts.

// HelloReply answers hello: the companion's version and what the popup
// shows of sign-in and sync.
type HelloReply struct {
	Protocol int       `json:"protocol"`
	Version  string    `json:"version"`
	SignedIn bool      `json:"signed_in"`
	User     *User     `json:"user"`
	Sync     HelloSync `json:"sync"`
	// DaemonRunning says whether the daemon answered; absent when the
	// backend cannot tell.
	DaemonRunning *bool `json:"daemon_running,omitempty"`
}

// HelloSync is the part of SyncState that hello reports.
type HelloSync struct {
	State         string     `json:"state"`
	Pending       int64      `json:"pending"`
	LastSuccessAt *time.Time `json:"last_success_at"`
	LastError     string     `json:"last_error"`
}

// StatsSummary answers stats.summary: the last days calendar days, oldest
// first, and the time per repository. Days and Repos are never null.
type StatsSummary struct {
	TodaySeconds int64 `json:"today_seconds"`
	// WeekSeconds is this week's (Monday to today) ended time, whatever
	// days asked for: the progress towards the weekly goal.
	WeekSeconds int64 `json:"week_seconds"`
	// DailyGoalSeconds and WeeklyGoalSeconds are config.toml's daily_goal
	// and weekly_goal; 0 is no goal.
	DailyGoalSeconds  int64         `json:"daily_goal_seconds"`
	WeeklyGoalSeconds int64         `json:"weekly_goal_seconds"`
	Days              []SummaryDay  `json:"days"`
	Repos             []SummaryRepo `json:"repos"`
}

// SummaryDay is one calendar day of a StatsSummary.
type SummaryDay struct {
	Date    string `json:"date"`
	Seconds int64  `json:"seconds"`
}

// SummaryRepo is one repository of a StatsSummary, its name split.
type SummaryRepo struct {
	RepoOwner string `json:"repo_owner"`
	RepoName  string `json:"repo_name"`
	Seconds   int64  `json:"seconds"`
}

// RuleReply answers rules.check and rules.add: what the user's rules
// decide for a repository.
type RuleReply struct {
	Action  string `json:"action"`
	Tracked bool   `json:"tracked"`
	Synced  bool   `json:"synced"`
	Private bool   `json:"private"`
	Reason  string `json:"reason"`
	// Match is the pattern of the rule that decided ("" when the default
	// did), so the extension can say how to undo it: `worktimed rules
	// remove MATCH`.
	Match string `json:"match"`
}
