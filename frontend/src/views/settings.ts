// Settings: server URL, time zone, idle timeout, start at login, allowed
// extension ids; the include/exclude rules and the private switch.

import { toBackendError } from "../backend";
import { h } from "../dom";
import { ACTIONS, parseRulesForm, rulesToForm, type RuleRow, type RulesForm } from "../edits";
import { parseSettingsForm, settingsToForm } from "../filters";
import type { Ctx } from "../state";
import { CodeDaemonUnavailable } from "../types";

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
  return h("div", { class: "view" }, h("section", { class: "card" }, h("h2", {}, "Settings"), form), renderRules(ctx));
}

const actionSelect = (value: string, label: string, testid: string) => {
  const sel = h("select", { "aria-label": label, "data-testid": testid }, ...ACTIONS.map((a) => h("option", { value: a.value }, a.label)));
  sel.value = value;
  return sel;
};

/**
 * The rules card: read from the daemon when drawn (GET rules), saved
 * whole (PUT rules). What was typed stays when the daemon refuses it.
 */
function renderRules(ctx: Ctx): HTMLElement {
  const card = h("section", { class: "card", "data-testid": "rules" }, h("h2", {}, "Tracking rules"), h("p", { class: "muted" }, "Loading rules…"));
  const error = h("p", { class: "error", "data-testid": "rules-error", hidden: true });
  const say = (msg: string | null) => {
    error.textContent = msg ?? "";
    error.hidden = msg === null;
  };
  const draw = (f: RulesForm) => {
    const def = actionSelect(f.default, "Default", "rules-default");
    const priv = h("input", { type: "checkbox", "data-testid": "rules-private", checked: f.private });
    const body = h("tbody", {});
    const rowOf = (r: RuleRow) => {
      const match = h("input", { type: "text", value: r.match, placeholder: "octo, octo/app, */secret-*", "aria-label": "Repositories", "data-testid": "rule-match" });
      const action = actionSelect(r.action, "Action", "rule-action");
      const tr: HTMLElement = h("tr", { "data-testid": "rule" }, h("td", {}, match), h("td", {}, action), h("td", {}, h("button", { class: "link", "aria-label": "Remove rule", onclick: () => tr.remove() }, "Remove")));
      return tr;
    };
    body.append(...f.rows.map(rowOf));
    const read = (): RulesForm => ({
      default: def.value,
      private: priv.checked,
      rows: [...body.querySelectorAll("tr")].map((tr) => ({ match: tr.querySelector("input")!.value, action: tr.querySelector("select")!.value })),
    });
    const save = async () => {
      let next;
      try {
        next = parseRulesForm(read());
      } catch (e) {
        return say((e as Error).message);
      }
      try {
        const saved = await ctx.backend.saveRules(next);
        say(null);
        draw(rulesToForm(saved));
        ctx.notify("Rules saved.");
      } catch (e) {
        const err = toBackendError(e);
        if (err.code === CodeDaemonUnavailable) ctx.fail(e);
        else say(err.message);
      }
    };
    const withdraw = async () => {
      try {
        const r = await ctx.backend.withdrawSessions();
        say(null);
        ctx.notify(`${r.withdrawn?.length ?? 0} sessions taken off the server; they stay on this device.`);
      } catch (e) {
        const err = toBackendError(e);
        if (err.code === CodeDaemonUnavailable) ctx.fail(e);
        else say(err.message);
      }
    };
    card.replaceChildren(
      h("h2", {}, "Tracking rules"),
      h(
        "p",
        { class: "muted" },
        "The first rule that matches a repository decides; one no rule matches gets the default. Don't track: nothing is recorded. Don't sync: recorded on this device, never sent. For an allow list, make the default don't track and add track rules.",
      ),
      h("label", { class: "check" }, priv, " Private: pause syncing (stay signed in; nothing is sent or fetched until this is off)"),
      h("div", { class: "row" }, h("label", {}, "Default for other repositories "), def),
      h("table", { class: "rules" }, h("thead", {}, h("tr", {}, h("th", {}, "Repositories"), h("th", {}, "Action"), h("th", {}))), body),
      h(
        "div",
        { class: "row" },
        h("button", { "data-testid": "rule-add", onclick: () => body.append(rowOf({ match: "", action: "dont_sync" })) }, "Add rule"),
        h("button", { class: "primary", "data-testid": "save-rules", onclick: () => void save() }, "Save rules"),
        h("button", { "data-testid": "withdraw", title: "Take sessions the rules no longer sync off the server", onclick: () => void withdraw() }, "Withdraw from the server"),
      ),
      error,
    );
  };
  queueMicrotask(async () => {
    try {
      draw(rulesToForm(await ctx.backend.rules()));
    } catch (e) {
      ctx.fail(e);
    }
  });
  return card;
}
