// Settings: server URL, time zone, idle timeout, start at login, allowed
// extension ids.

import { h } from "../dom";
import { parseSettingsForm, settingsToForm } from "../filters";
import type { Ctx } from "../state";

export function renderSettings(ctx: Ctx): HTMLElement {
  const s = ctx.state.settings;
  if (!s) return h("div", { class: "view" }, h("section", { class: "card" }, h("p", {}, "Loading settings…")));
  const f = settingsToForm(s);
  const server = h("input", { type: "url", id: "set-server", value: f.server_url, placeholder: "https://worktime.example.workers.dev" });
  const tz = h("input", { type: "text", id: "set-tz", value: f.time_zone, placeholder: Intl.DateTimeFormat().resolvedOptions().timeZone });
  const idle = h("input", { type: "number", id: "set-idle", min: 1, max: 1440, step: 1, value: f.idle_timeout_minutes });
  const login = h("input", { type: "checkbox", id: "set-login", checked: f.start_at_login });
  const daily = h("input", { type: "text", inputmode: "decimal", id: "set-daily-goal", size: 6, value: f.daily_goal_hours, placeholder: "none" });
  const weekly = h("input", { type: "text", inputmode: "decimal", id: "set-weekly-goal", size: 6, value: f.weekly_goal_hours, placeholder: "none" });
  const ids = h("textarea", { id: "set-ids", rows: 3, spellcheck: "false" });
  ids.value = f.allowed_extension_ids;

  const form = h(
    "form",
    {
      class: "settings",
      onsubmit: async (ev: Event) => {
        ev.preventDefault();
        let next;
        try {
          next = parseSettingsForm({
            server_url: server.value,
            time_zone: tz.value,
            idle_timeout_minutes: idle.value,
            start_at_login: login.checked,
            allowed_extension_ids: ids.value,
            daily_goal_hours: daily.value,
            weekly_goal_hours: weekly.value,
          });
        } catch (e) {
          ctx.notify((e as Error).message, "error");
          return;
        }
        try {
          ctx.state.settings = await ctx.backend.saveSettings(next);
        } catch (e) {
          // Nothing changed: keep the form as typed so it can be corrected.
          ctx.fail(e);
          return;
        }
        // Re-render first, then confirm: the form shows the saved values
        // before the user is told they can go on editing it.
        await ctx.refresh();
        ctx.notify("Settings saved.");
      },
    },
    h("label", { for: "set-server" }, "Server URL"),
    server,
    h("label", { for: "set-tz" }, "Time zone (IANA, empty for the system's)"),
    tz,
    h("label", { for: "set-idle" }, "Idle timeout (minutes)"),
    idle,
    h("label", { for: "set-daily-goal" }, "Daily goal (hours, empty for none)"),
    daily,
    h("label", { for: "set-weekly-goal" }, "Weekly goal (hours, Monday to Sunday, empty for none)"),
    weekly,
    h("label", { class: "check" }, login, " Start worktime at login"),
    h("label", { for: "set-ids" }, "Allowed extension ids (one per line)"),
    ids,
    h("div", { class: "row" }, h("button", { type: "submit", class: "primary", "data-testid": "save-settings" }, "Save")),
  );
  return h("div", { class: "view" }, h("section", { class: "card" }, h("h2", {}, "Settings"), form));
}
