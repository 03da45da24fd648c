// Sessions: the list with filters (repository, pull request, status, since).

import { h } from "../dom";
import { formatDateTime, formatDuration, prLabel } from "../format";
import { applyLocalFilter, parseSessionFilter, STATUSES, type SessionFilterForm } from "../filters";
import type { Ctx } from "../state";

export function renderSessions(ctx: Ctx): HTMLElement {
  const { state } = ctx;
  const preset = state.preset;
  state.preset = null;
  const form: SessionFilterForm = { repo: preset?.repo ?? "", pr: preset?.pr ? String(preset.pr) : "", status: "", since: "", limit: "200" };

  const repos = (state.stats?.repos ?? []).map((r) => r.repo).sort();
  if (form.repo !== "" && !repos.includes(form.repo)) repos.push(form.repo);
  const repoSel = h(
    "select",
    { "aria-label": "Repository", "data-testid": "filter-repo" },
    h("option", { value: "" }, "All repositories"),
    ...repos.map((r) => h("option", { value: r }, r)),
  );
  repoSel.value = form.repo;
  const prIn = h("input", { type: "text", inputmode: "numeric", placeholder: "PR #", size: 6, "aria-label": "Pull request", "data-testid": "filter-pr", value: form.pr });
  const statusSel = h(
    "select",
    { "aria-label": "Status", "data-testid": "filter-status" },
    ...STATUSES.map((s) => h("option", { value: s }, s === "" ? "Any status" : s)),
  );
  const sinceIn = h("input", { type: "date", "aria-label": "Since", "data-testid": "filter-since" });
  const body = h("tbody", {});
  const count = h("p", { class: "muted", "data-testid": "sessions-count" });
  const tz = state.settings?.time_zone;

  const load = async () => {
    let parsed;
    try {
      parsed = parseSessionFilter({ repo: repoSel.value, pr: prIn.value, status: statusSel.value, since: sinceIn.value, limit: form.limit });
    } catch (e) {
      ctx.notify((e as Error).message, "error");
      return;
    }
    try {
      const list = applyLocalFilter(await ctx.backend.sessions(parsed.query), parsed);
      body.replaceChildren(
        ...list.map((s) =>
          h(
            "tr",
            { "data-id": s.id, "data-seconds": s.duration_seconds },
            h("td", {}, prLabel(`${s.repo_owner}/${s.repo_name}`, s.pr_number)),
            h("td", {}, formatDateTime(s.start_time, tz)),
            h("td", {}, s.end_time ? formatDateTime(s.end_time, tz) : "—"),
            h("td", { class: "num" }, s.status === "active" ? "running" : formatDuration(s.duration_seconds)),
            h("td", {}, h("span", { class: `badge ${s.status}` }, s.status)),
          ),
        ),
      );
      count.textContent = list.length === 0 ? "No sessions match." : `${list.length} session${list.length === 1 ? "" : "s"}`;
    } catch (e) {
      ctx.fail(e);
    }
  };
  for (const el of [repoSel, statusSel, sinceIn]) el.addEventListener("change", load);
  prIn.addEventListener("change", load);
  queueMicrotask(load);

  return h(
    "div",
    { class: "view" },
    h(
      "section",
      { class: "card" },
      h("h2", {}, "Sessions"),
      h("div", { class: "row filters" }, repoSel, prIn, statusSel, h("label", {}, "since ", sinceIn)),
      count,
      h(
        "div",
        { class: "scroll" },
        h(
          "table",
          { "data-testid": "sessions" },
          h(
            "thead",
            {},
            h("tr", {}, h("th", {}, "Pull request"), h("th", {}, "Start"), h("th", {}, "End"), h("th", { class: "num" }, "Time"), h("th", {}, "Status")),
          ),
          body,
        ),
      ),
    ),
  );
}
