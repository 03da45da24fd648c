// Sync: the signed-in user, pending changes, last success and error, next
// attempt, "Sync now" and the device-flow sign-in.

import { openURL } from "../backend";
import { h } from "../dom";
import { formatDateTime, formatRelative } from "../format";
import type { Ctx } from "../state";
import type { LoginStatus, SyncState } from "../types";

const STATE_TEXT: Record<string, string> = {
  signed_out: "Signed out",
  idle: "Up to date",
  syncing: "Syncing…",
  backoff: "Waiting to retry",
  sign_in_required: "Sign-in required",
  disabled: "Sync is off",
};

export function syncStateText(state: string): string {
  return STATE_TEXT[state] ?? state;
}

/**
 * "12 sessions pushed, 3 pulled in 4 requests": what the run in progress
 * (state syncing) or the last one did; "none yet" before the first.
 */
export function syncProgressText(s: SyncState | null | undefined): string {
  const run = s?.run;
  if (!run) return "none yet";
  const { pushed, pulled, requests } = run;
  return `${pushed} session${pushed === 1 ? "" : "s"} pushed, ${pulled} pulled in ${requests} request${requests === 1 ? "" : "s"}`;
}

/** What a sign-in poll means: null while pending, else the message to show. */
export function loginOutcome(s: LoginStatus): { message: string; kind: "info" | "error" } | null {
  switch (s.state) {
    case "pending":
      return null;
    case "signed_in":
      return { message: `Signed in as ${s.login || "you"}.`, kind: "info" };
    case "failed":
      return { message: `Sign-in failed: ${s.error || "unknown error"}`, kind: "error" };
    default:
      return { message: s.error || "The sign-in was cancelled.", kind: "error" };
  }
}

/** A device-flow sign-in in progress: the code shown and how to stop polling. */
export interface LoginFlow {
  pending?: LoginStatus;
  stop?: () => void;
}

export function renderSync(ctx: Ctx, flow: LoginFlow): HTMLElement {
  const st = ctx.state.status;
  const sync = st?.sync;
  const now = ctx.state.now;
  const tz = ctx.state.settings?.time_zone;
  const rows: [string, string, string][] = [
    ["Account", st?.signed_in && st.user ? st.user.login : "not signed in", "sync-user"],
    ["State", syncStateText(sync?.state ?? ""), "sync-state"],
    ["Server", sync?.server_url || "not set", "sync-server"],
    ["Pending changes", String(sync?.pending ?? 0), "sync-pending"],
    [sync?.state === "syncing" ? "This sync" : "Last sync", syncProgressText(sync), "sync-progress"],
    ["Last success", sync?.last_success_at ? `${formatDateTime(sync.last_success_at, tz)} (${formatRelative(sync.last_success_at, now)})` : "never", "sync-last-success"],
    ["Last error", sync?.last_error || "none", "sync-last-error"],
    ["Next attempt", sync?.next_attempt_at ? formatRelative(sync.next_attempt_at, now) : "—", "sync-next"],
  ];
  if ((sync?.quarantined ?? 0) > 0) rows.splice(4, 0, ["Rejected by the server", String(sync?.quarantined), "sync-quarantined"]);

  const syncBtn = h(
    "button",
    {
      class: "primary",
      "data-testid": "sync-now",
      disabled: !st?.signed_in,
      onclick: async (ev: Event) => {
        const b = ev.currentTarget as HTMLButtonElement;
        b.disabled = true;
        b.textContent = "Syncing…";
        try {
          const s = await ctx.backend.syncNow();
          ctx.notify(s.last_error ? `Sync failed: ${s.last_error}` : "Synced.", s.last_error ? "error" : "info");
        } catch (e) {
          ctx.fail(e);
        }
        await ctx.refresh();
      },
    },
    "Sync now",
  );

  const signIn = h("div", { class: "signin" });
  const pending = flow.pending;
  if (st?.signed_in) {
    signIn.append(
      h(
        "button",
        {
          "data-testid": "sign-out",
          onclick: async () => {
            try {
              const r = await ctx.backend.logout();
              ctx.notify(r.error ? `Signed out here; the server said: ${r.error}` : "Signed out. Your local data is kept.");
            } catch (e) {
              ctx.fail(e);
            }
            await ctx.refresh();
          },
        },
        "Sign out",
      ),
    );
  } else if (pending?.user_code && pending.verification_uri) {
    const uri = pending.verification_uri;
    signIn.append(
      h("p", {}, "Enter this code on GitHub:"),
      h("div", { class: "code", "data-testid": "user-code" }, pending.user_code),
      h("p", {}, h("button", { class: "link", onclick: () => openURL(uri) }, uri)),
      h("p", { class: "muted", "data-testid": "login-state" }, "Waiting for you to approve…"),
    );
  } else {
    signIn.append(
      h(
        "button",
        {
          "data-testid": "sign-in",
          onclick: async () => {
            try {
              const l = await ctx.backend.loginStart();
              if (l.state === "signed_in") {
                ctx.notify(`Signed in as ${l.login ?? "you"}.`);
                await ctx.refresh();
                return;
              }
              if (!l.user_code || !l.verification_uri) {
                ctx.notify(l.error || "The sign-in could not start.", "error");
                return;
              }
              flow.stop?.();
              flow.pending = l;
              openURL(l.verification_uri);
              // Poll until the daemon's sign-in ends; this survives
              // re-renders and leaving the view.
              const timer = setInterval(async () => {
                try {
                  const next = loginOutcome(await ctx.backend.loginStatus());
                  if (next === null) return;
                  flow.stop?.();
                  ctx.notify(next.message, next.kind);
                } catch (e) {
                  flow.stop?.();
                  ctx.fail(e);
                }
                await ctx.refresh();
              }, 3000);
              flow.stop = () => {
                clearInterval(timer);
                flow.pending = undefined;
                flow.stop = undefined;
              };
              await ctx.refresh();
            } catch (e) {
              ctx.fail(e);
            }
          },
        },
        "Sign in with GitHub",
      ),
    );
  }

  return h(
    "div",
    { class: "view" },
    h(
      "section",
      { class: "card" },
      h("h2", {}, "Sync"),
      h("dl", { class: "facts" }, ...rows.flatMap(([k, v, id]) => [h("dt", {}, k), h("dd", { "data-testid": id }, v)])),
      h("div", { class: "row" }, syncBtn, signIn),
    ),
  );
}
