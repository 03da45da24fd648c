/** The options page: the idle threshold, pausing tracking, and direct mode's server and sign-in. */

import {
  KEYS,
  loginUrl,
  originPattern,
  parseRedirect,
  parseServerUrl,
  parseSignIn,
  readAccount,
  readMode,
} from "../lib/account.js";
import { parseIdleMinutes, readSettings } from "../lib/settings.js";

const form = document.getElementById("form") as HTMLFormElement;
const idle = document.getElementById("idle") as HTMLInputElement;
const paused = document.getElementById("paused") as HTMLInputElement;
const status = document.getElementById("status") as HTMLElement;

async function load(): Promise<void> {
  const s = readSettings(await chrome.storage.local.get(null));
  idle.value = String(Math.round((s.idleThresholdSeconds / 60) * 100) / 100);
  paused.checked = s.paused;
  await loadDirect();
  document.body.dataset.ready = "true";
}

form.addEventListener("submit", (e) => {
  e.preventDefault();
  const parsed = parseIdleMinutes(idle.value);
  if ("error" in parsed) {
    status.className = "error";
    status.textContent = parsed.error;
    return;
  }
  void chrome.storage.local.set({ idleThresholdSeconds: parsed.seconds, paused: paused.checked }).then(() => {
    status.className = "saved";
    status.textContent = "Saved.";
  });
});

void load();

const server = document.getElementById("server") as HTMLInputElement;
const directOnly = document.getElementById("direct-only") as HTMLInputElement;
const accountLine = document.getElementById("account-line") as HTMLElement;
const signInButton = document.getElementById("sign-in") as HTMLButtonElement;
const signOutButton = document.getElementById("sign-out") as HTMLButtonElement;
const directStatus = document.getElementById("direct-status") as HTMLElement;

function say(cls: string, text: string): void {
  directStatus.className = cls;
  directStatus.textContent = text;
}

async function loadDirect(): Promise<void> {
  const stored = await chrome.storage.local.get(null);
  const a = readAccount(stored, Date.now());
  const saved = stored[KEYS.server];
  server.value = typeof saved === "string" ? saved : "";
  directOnly.checked = readMode(stored) === "direct";
  accountLine.textContent = a === null ? "Not signed in." : `Signed in to ${a.server} as ${a.login}.`;
  accountLine.dataset.login = a?.login ?? "";
  signInButton.hidden = a !== null;
  signOutButton.hidden = a === null;
}

/** errorMessage reads the worker's {"error":{"message"}} or falls back to the status. */
async function errorMessage(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { error?: { message?: unknown } };
    if (typeof body.error?.message === "string") return body.error.message;
  } catch {
    // not JSON
  }
  return `the server answered ${res.status}`;
}

async function signIn(): Promise<void> {
  const parsed = parseServerUrl(server.value);
  if ("error" in parsed) return say("error", parsed.error);
  // Asked here, from the click: the extension reaches only the server the user named.
  if (!(await chrome.permissions.request({ origins: [originPattern(parsed.server)] }))) {
    return say("error", "WorkTime needs permission to reach the server to sign in.");
  }
  const redirectUri = chrome.identity.getRedirectURL();
  let responseUrl: string | undefined;
  try {
    responseUrl = await chrome.identity.launchWebAuthFlow({ url: loginUrl(parsed.server, redirectUri), interactive: true });
  } catch (e) {
    return say("error", `The sign-in did not finish: ${e instanceof Error ? e.message : String(e)}`);
  }
  const r = parseRedirect(responseUrl ?? "", redirectUri);
  if ("error" in r) return say("error", `The sign-in failed: ${r.error}.`);
  const res = await fetch(new URL("/auth/github/callback", parsed.server), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(r),
  });
  if (!res.ok) return say("error", `The sign-in failed: ${await errorMessage(res)}.`);
  const account = parseSignIn(parsed.server, await res.json());
  await chrome.storage.local.set({ [KEYS.server]: parsed.server, [KEYS.account]: account, [KEYS.mode]: directOnly.checked ? "direct" : "auto" });
  say("saved", "Signed in.");
  await loadDirect();
}

async function signOut(): Promise<void> {
  const a = readAccount(await chrome.storage.local.get(KEYS.account), Date.now());
  await chrome.storage.local.remove(KEYS.account);
  let note = "Signed out.";
  if (a !== null) {
    try {
      const res = await fetch(new URL("/auth/logout", a.server), { method: "POST", headers: { authorization: `Bearer ${a.jwt}` } });
      if (!res.ok) note = `Signed out here; the server answered ${res.status}, so the token stays valid there until it expires.`;
    } catch {
      note = "Signed out here; the server could not be reached, so the token stays valid there until it expires.";
    }
  }
  say("saved", note);
  await loadDirect();
}

signInButton.addEventListener("click", () => {
  signIn().catch((err: unknown) => say("error", `The sign-in failed: ${err instanceof Error ? err.message : String(err)}.`));
});
signOutButton.addEventListener("click", () => void signOut());
directOnly.addEventListener("change", () => {
  void chrome.storage.local.set({ [KEYS.mode]: directOnly.checked ? "direct" : "auto" }).then(() => say("saved", "Saved."));
});
