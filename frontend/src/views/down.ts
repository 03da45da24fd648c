// The screen shown while the daemon cannot be reached.

import { h } from "../dom";
import type { Ctx } from "../state";

export function renderDown(ctx: Ctx): HTMLElement {
  const detail = ctx.state.down?.message ?? "";
  const msg = h("p", { class: "muted", "data-testid": "down-message" });
  const btn = h(
    "button",
    {
      class: "primary",
      "data-testid": "start-daemon",
      onclick: async () => {
        btn.disabled = true;
        msg.textContent = "Starting worktime…";
        try {
          await ctx.backend.startDaemon();
          ctx.state.down = null;
          await ctx.refresh();
        } catch (e) {
          btn.disabled = false;
          const err = e as { message?: string };
          msg.textContent = `Could not start it: ${err.message ?? String(e)}`;
        }
      },
    },
    "Start worktime",
  );
  return h(
    "div",
    { class: "view center", "data-testid": "daemon-down" },
    h(
      "section",
      { class: "card" },
      h("h2", {}, "worktime is not running"),
      h("p", {}, "The dashboard shows what the worktime service records, and the service is not running. Start it to see your time."),
      h("div", { class: "row" }, btn),
      msg,
      detail && details(ctx, detail),
    ),
  );
}

// The error's detail, open or closed as the user left it.
function details(ctx: Ctx, detail: string): HTMLElement {
  const el = h("details", { open: ctx.state.ui.detailsOpen, "data-testid": "down-details" }, h("summary", {}, "Details"), h("code", {}, detail));
  el.addEventListener("toggle", () => {
    ctx.state.ui.detailsOpen = el.open;
  });
  return el;
}
