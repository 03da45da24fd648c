package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/worktime/worktime/internal/config"
)

func TestConfigGoals(t *testing.T) {
	h := newCLI(t)
	if out := h.ok("config"); out != "daily_goal = \"0s\" (no goal)\nweekly_goal = \"0s\" (no goal)\n" {
		t.Errorf("config = %q", out)
	}
	if out := h.ok("config", "daily_goal", "4h"); out != "daily_goal = \"4h0m0s\"\n" {
		t.Errorf("config daily_goal 4h = %q", out)
	}
	h.ok("config", "weekly_goal", "17h30m")
	if out := h.ok("config", "weekly_goal"); out != "\"17h30m0s\"\n" {
		t.Errorf("config weekly_goal = %q", out)
	}
	c, err := config.Load(filepath.Join(h.home, "config.toml"))
	if err != nil || c.DailyGoal.Duration != 4*time.Hour || c.WeeklyGoal.Duration != 17*time.Hour+30*time.Minute || c.TimeZone != "UTC" {
		t.Fatalf("config.toml: %+v, %v; want the goals set and the time zone kept", c, err)
	}
	h.ok("config", "daily_goal", "0s")
	if out := h.ok("config", "daily_goal"); out != "\"0s\" (no goal)\n" {
		t.Errorf("after 0s: %q", out)
	}

	before, _ := os.ReadFile(filepath.Join(h.home, "config.toml"))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"config", "daily_goal", "25h"}, "daily_goal 25h0m0s must be 0s (no goal) or between 1m and 24h"},
		{[]string{"config", "weekly_goal", "-1h"}, "weekly_goal -1h0m0s must be 0s"},
		{[]string{"config", "daily_goal", "four hours"}, "is not a duration"},
		{[]string{"config", "time_zone", "UTC"}, `unknown key "time_zone"`},
		{[]string{"config", "daily_goal", "1h", "extra"}, `unexpected argument "extra"`},
	} {
		code, out, errs := h.run(tc.args...)
		if code != ExitUsage || out != "" || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, out %q, err %q; want exit %d mentioning %q", tc.args, code, out, errs, ExitUsage, tc.want)
		}
	}
	if after, _ := os.ReadFile(filepath.Join(h.home, "config.toml")); string(after) != string(before) {
		t.Errorf("a refused value changed config.toml:\n%s", after)
	}
	if code, out, _ := h.run("config", "-h"); code != 0 || !strings.Contains(out, "Usage: worktimed config") {
		t.Errorf("config -h: exit %d, %q", code, out)
	}
}
