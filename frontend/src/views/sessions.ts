// Sessions: the list with filters (repository, pull request, status, since),
// a page at a time with the filter's true count; edit a session in place,
// split it, merge or delete the selected ones, add one after the fact, and
// undo the last change.

import { toBackendError } from "../backend";
import { h } from "../dom";
import { parseAddText, parseEditForm, parseLocalTime, sessionToForm } from "../edits";
import { formatDateTime, formatSessionLength, localDate, prLabel } from "../format";
import { PAGE_SIZE, pageInfo, pageText, parseSessionFilter, STATUSES, type SessionFilterForm } from "../filters";
import type { Ctx } from "../state";
import { CodeDaemonUnavailable, type Change, type Session } from "../types";

/** What Undo can and cannot put back, said beside the Undo button. */
export const UNDO_NOTE =
  "Undo adds deleted sessions back as new sessions of this device. Once a deletion has synced, the original sessions are gone from the server and every other device for good (a synced deletion wins everywhere); the re-added ones sync as new sessions.";

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
      rows = list;
      for (const id of [...selected]) if (!list.some((x) => x.id === id)) selected.delete(id);
      body.replaceChildren(...list.map(viewRow));
      updateSelection();
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

  // ---- editing ----
  const selected = new Set<string>();
  let rows: Session[] = [];
  const toolError = h("p", { class: "error", "data-testid": "edit-error", hidden: true });
  const showToolError = (msg: string | null) => {
    toolError.textContent = msg ?? "";
    toolError.hidden = msg === null;
  };
  const undoBar = h("div", { class: "undo row", "data-testid": "undo-bar" });
  const drawUndo = () => {
    const what = state.ui.undo;
    if (!what) {
      undoBar.replaceChildren();
      undoBar.hidden = true;
      return;
    }
    undoBar.hidden = false;
    undoBar.replaceChildren(h("span", {}, `Last change: ${what}.`), h("button", { "data-testid": "undo", onclick: () => void undo() }, "Undo"));
    if (/^(deletion|merge)/.test(what)) undoBar.append(h("span", { class: "muted note", "data-testid": "undo-note" }, UNDO_NOTE));
  };
  // done records a change: the list is reloaded where it was, the header
  // follows through the Go side's change event.
  const done = async (c: Change, message: string) => {
    state.ui.undo = c.undo || null;
    drawUndo();
    showToolError(null);
    ctx.notify(message);
    await load(offset);
  };
  // failed shows the daemon's refusal where the change was asked; the form
  // keeps what was typed.
  const failed = (e: unknown, where: (msg: string) => void) => {
    const err = toBackendError(e);
    if (err.code === CodeDaemonUnavailable) ctx.fail(e);
    else where(err.message);
  };
  const undo = async () => {
    try {
      await ctx.backend.undo();
      state.ui.undo = null;
      drawUndo();
      showToolError(null);
      ctx.notify("Undone.");
      await load(offset);
    } catch (e) {
      state.ui.undo = null;
      drawUndo();
      failed(e, showToolError);
    }
  };

  const mergeBtn = h("button", { "data-testid": "merge-selected", disabled: true }, "Merge");
  const deleteBtn = h("button", { "data-testid": "delete-selected", disabled: true }, "Delete");
  const confirmBox = h("div", { class: "row confirm", "data-testid": "delete-confirm", hidden: true });
  // Selects every ended session of the page (a day, with "since" and the
  // filters, is one click from deleted).
  const selectAll = h("input", { type: "checkbox", "aria-label": "Select the page", "data-testid": "select-all" });
  selectAll.addEventListener("change", () => {
    for (const r of rows) {
      if (r.status === "active") continue;
      if (selectAll.checked) selected.add(r.id);
      else selected.delete(r.id);
    }
    for (const box of body.querySelectorAll<HTMLInputElement>("input[data-testid=select]:not(:disabled)")) box.checked = selectAll.checked;
    updateSelection();
  });
  const updateSelection = () => {
    const ended = rows.filter((r) => r.status !== "active");
    selectAll.checked = ended.length > 0 && ended.every((r) => selected.has(r.id));
    mergeBtn.disabled = selected.size < 2;
    deleteBtn.disabled = selected.size === 0;
    deleteBtn.textContent = selected.size > 1 ? `Delete ${selected.size}` : "Delete";
    confirmBox.hidden = true;
  };
  const selectedIds = () => rows.filter((r) => selected.has(r.id)).map((r) => r.id);
  const doDelete = async (ids: string[]) => {
    try {
      const c = await ctx.backend.deleteSessions(ids);
      selected.clear();
      await done(c, ids.length > 1 ? `${c.reply.deleted?.length ?? 0} sessions deleted.` : "Session deleted.");
    } catch (e) {
      failed(e, showToolError);
    }
  };
  deleteBtn.onclick = () => {
    const ids = selectedIds();
    if (ids.length === 1) return void doDelete(ids);
    // More than one: say how many, and ask.
    confirmBox.hidden = false;
    confirmBox.replaceChildren(
      h("span", {}, `Delete ${ids.length} sessions? They leave every total, and every device once synced.`),
      h("button", { class: "primary", "data-testid": "confirm-delete", onclick: () => void doDelete(ids) }, `Delete ${ids.length} sessions`),
      h("button", { "data-testid": "cancel-delete", onclick: () => (confirmBox.hidden = true) }, "Cancel"),
    );
  };
  mergeBtn.onclick = async () => {
    try {
      const c = await ctx.backend.mergeSessions(selectedIds());
      selected.clear();
      await done(c, "Sessions merged.");
    } catch (e) {
      failed(e, showToolError);
    }
  };

  const addIn = h("input", { type: "text", "data-testid": "add-text", "aria-label": "Add a session", placeholder: "octo/app#42 from 14:00 to 15:10 (on YYYY-MM-DD)" });
  const addBtn = h("button", { "data-testid": "add-session", type: "submit" }, "Add");
  const addForm = h(
    "form",
    {
      class: "row",
      onsubmit: async (ev: Event) => {
        ev.preventDefault();
        let edit;
        try {
          edit = parseAddText(addIn.value, localDate(new Date(), tz), tz);
        } catch (e) {
          return showToolError((e as Error).message);
        }
        try {
          const c = await ctx.backend.addSession(edit);
          addIn.value = "";
          await done(c, "Session added.");
        } catch (e) {
          failed(e, showToolError);
        }
      },
    },
    addIn,
    addBtn,
  );

  // rowError is the line under a row that says why a change was refused.
  const rowError = (tr: HTMLElement) => {
    const err = h("tr", { class: "row-error" }, h("td", { colspan: 7, class: "error", "data-testid": "row-error" }));
    return (msg: string) => {
      err.firstElementChild!.textContent = msg;
      if (!err.isConnected) tr.after(err);
    };
  };

  function viewRow(s: Session): HTMLElement {
    const ended = s.status !== "active";
    const check = h("input", { type: "checkbox", "aria-label": "Select", "data-testid": "select", disabled: !ended, checked: selected.has(s.id) });
    check.addEventListener("change", () => {
      if (check.checked) selected.add(s.id);
      else selected.delete(s.id);
      updateSelection();
    });
    const tr = h(
      "tr",
      { "data-id": s.id, "data-seconds": s.duration_seconds },
      h("td", {}, check),
      h("td", {}, prLabel(`${s.repo_owner}/${s.repo_name}`, s.pr_number)),
      h("td", {}, formatDateTime(s.start_time, tz)),
      h("td", {}, s.end_time ? formatDateTime(s.end_time, tz) : "—"),
      h("td", { class: "num" }, s.status === "active" ? "running" : formatSessionLength(s.duration_seconds)),
      h("td", {}, h("span", { class: `badge ${s.status}` }, s.status)),
      h(
        "td",
        { class: "actions" },
        ended ? h("button", { class: "link", "data-testid": "edit", onclick: () => tr.replaceWith(editRow(s, tr)) }, "Edit") : null,
        ended ? " " : null,
        ended ? h("button", { class: "link", "data-testid": "split", onclick: () => splitIn(s, tr) }, "Split") : null,
      ),
    );
    return tr;
  }

  function editRow(s: Session, shown: HTMLElement): HTMLElement {
    const f = sessionToForm(s, tz);
    const pr = h("input", { type: "text", size: 18, "aria-label": "Pull request", "data-testid": "edit-pr", value: f.pr });
    const start = h("input", { type: "text", size: 19, "aria-label": "Start", "data-testid": "edit-start", value: f.start });
    const end = h("input", { type: "text", size: 19, "aria-label": "End", "data-testid": "edit-end", value: f.end });
    const tr = h("tr", { "data-id": s.id, class: "editing" });
    const say = rowError(tr);
    const cancel = () => {
      tr.nextElementSibling?.classList.contains("row-error") && tr.nextElementSibling.remove();
      tr.replaceWith(shown);
    };
    const save = async () => {
      let edit;
      try {
        edit = parseEditForm({ pr: pr.value, start: start.value, end: end.value }, tz);
      } catch (e) {
        return say((e as Error).message);
      }
      try {
        const c = await ctx.backend.editSession(s.id, edit);
        await done(c, "Session saved.");
      } catch (e) {
        failed(e, say);
      }
    };
    for (const el of [pr, start, end]) el.addEventListener("keydown", (ev) => (ev as KeyboardEvent).key === "Enter" && void save());
    tr.append(
      h("td", {}),
      h("td", {}, pr),
      h("td", {}, start),
      h("td", {}, end),
      h("td", { class: "muted", colspan: 2 }, tz || "local time"),
      h("td", { class: "actions" }, h("button", { class: "primary", "data-testid": "edit-save", onclick: () => void save() }, "Save"), " ", h("button", { class: "link", "data-testid": "edit-cancel", onclick: cancel }, "Cancel")),
    );
    queueMicrotask(() => pr.focus());
    return tr;
  }

  function splitIn(s: Session, tr: HTMLElement): void {
    const cell = tr.querySelector("td.actions")!;
    const before = [...cell.childNodes];
    const at = h("input", { type: "text", size: 10, placeholder: "HH:MM", "aria-label": "Split at", "data-testid": "split-at" });
    const say = rowError(tr);
    const go = async () => {
      let when;
      try {
        when = parseLocalTime(at.value, localDate(new Date(s.start_time), tz), tz);
      } catch (e) {
        return say((e as Error).message);
      }
      try {
        const c = await ctx.backend.splitSession(s.id, when);
        await done(c, "Session split.");
      } catch (e) {
        failed(e, say);
      }
    };
    at.addEventListener("keydown", (ev) => (ev as KeyboardEvent).key === "Enter" && void go());
    cell.replaceChildren(
      at,
      " ",
      h("button", { class: "primary", "data-testid": "split-save", onclick: () => void go() }, "Split"),
      " ",
      h("button", { onclick: () => cell.replaceChildren(...before) }, "Cancel"),
    );
    at.focus();
  }

  // A changed filter starts again at the newest session.
  for (const el of [repoSel, statusSel, sinceIn, prIn]) el.addEventListener("change", () => void load(0));
  drawUndo();
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
      addForm,
      h("div", { class: "row" }, h("span", { class: "muted" }, "Selected:"), mergeBtn, deleteBtn),
      confirmBox,
      toolError,
      undoBar,
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
            h("tr", {}, h("th", {}, selectAll), h("th", {}, "Pull request"), h("th", {}, "Start"), h("th", {}, "End"), h("th", { class: "num" }, "Time"), h("th", {}, "Status"), h("th", {})),
          ),
          body,
        ),
      ),
    ),
  );
}
