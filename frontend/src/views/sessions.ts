// Sessions: the list with filters (repository, pull request, status, since),
// a page at a time with the filter's true count.

import { h } from "../dom";
import { formatDateTime, formatSessionLength, prLabel } from "../format";
import { PAGE_SIZE, pageInfo, pageText, parseSessionFilter, STATUSES, type SessionFilterForm } from "../filters";
import type { Ctx } from "../state";

export function renderSessions(ctx: Ctx): HTMLElement {
  const { state } = ctx;
  const preset = state.preset;
  state.preset = null;
  const form: SessionFilterForm = { repo: preset?.repo ?? "", pr: preset?.pr ? String(preset.pr) : "", status: "", since: "", limit: String(PAGE_SIZE) };

  // Every repository with a session, not only those of History's range:
  // filled in when the daemon answers.
  const repoSel = h("select", { "aria-label": "Repository", "data-testid": "filter-repo" }, h("option", { value: "" }, "All repositories"));
  const fillRepos = (repos: string[]) => {
    const chosen = repoSel.value || form.repo;
    const list = [...new Set([...repos, ...(chosen !== "" ? [chosen] : [])])].sort();
    repoSel.replaceChildren(h("option", { value: "" }, "All repositories"), ...list.map((r) => h("option", { value: r }, r)));
    repoSel.value = chosen;
  };
  fillRepos([]);
  const prIn = h("input", { type: "text", inputmode: "numeric", placeholder: "PR #", size: 6, "aria-label": "Pull request", "data-testid": "filter-pr", value: form.pr });
  const statusSel = h(
    "select",
    { "aria-label": "Status", "data-testid": "filter-status" },
    ...STATUSES.map((s) => h("option", { value: s }, s === "" ? "Any status" : s)),
  );
  const sinceIn = h("input", { type: "text", class: "day", inputmode: "numeric", size: 14, placeholder: "YYYY-MM-DD", "aria-label": "Since", "data-testid": "filter-since" });
  const body = h("tbody", {});
  const count = h("p", { class: "muted", "data-testid": "sessions-count" });
  const prev = h("button", { "data-testid": "page-prev", disabled: true }, "‹ Newer");
  const next = h("button", { "data-testid": "page-next", disabled: true }, "Older ›");
  const tz = state.settings?.time_zone;
  let offset = 0;

  const load = async (at: number) => {
    let query;
    try {
      query = parseSessionFilter({ repo: repoSel.value, pr: prIn.value, status: statusSel.value, since: sinceIn.value, limit: form.limit }, at);
    } catch (e) {
      ctx.notify((e as Error).message, "error");
      return;
    }
    try {
      const page = await ctx.backend.sessions(query);
      const list = page.sessions ?? [];
      offset = at;
      body.replaceChildren(
        ...list.map((s) =>
          h(
            "tr",
            { "data-id": s.id, "data-seconds": s.duration_seconds },
            h("td", {}, prLabel(`${s.repo_owner}/${s.repo_name}`, s.pr_number)),
            h("td", {}, formatDateTime(s.start_time, tz)),
            h("td", {}, s.end_time ? formatDateTime(s.end_time, tz) : "—"),
            h("td", { class: "num" }, s.status === "active" ? "running" : formatSessionLength(s.duration_seconds)),
            h("td", {}, h("span", { class: `badge ${s.status}` }, s.status)),
          ),
        ),
      );
      const info = pageInfo(at, query.limit, list.length, page.total);
      count.textContent = pageText(info);
      count.dataset.total = String(page.total);
      prev.disabled = info.prev === null;
      next.disabled = info.next === null;
      prev.onclick = info.prev === null ? null : () => void load(info.prev!);
      next.onclick = info.next === null ? null : () => void load(info.next!);
    } catch (e) {
      ctx.fail(e);
    }
  };
  // A changed filter starts again at the newest session.
  for (const el of [repoSel, statusSel, sinceIn, prIn]) el.addEventListener("change", () => void load(0));
  queueMicrotask(() => void load(offset));
  queueMicrotask(async () => {
    try {
      fillRepos((await ctx.backend.repos()) ?? []);
    } catch (e) {
      ctx.fail(e);
    }
  });

  return h(
    "div",
    { class: "view" },
    h(
      "section",
      { class: "card" },
      h("h2", {}, "Sessions"),
      h("div", { class: "row filters" }, repoSel, prIn, statusSel, h("label", {}, "since ", sinceIn)),
      h("div", { class: "row spread" }, count, h("div", { class: "row" }, prev, next)),
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
