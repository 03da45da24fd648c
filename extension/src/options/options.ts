/** The options page: the idle threshold and pausing tracking. */

import { parseIdleMinutes, readSettings } from "../lib/settings.js";

const form = document.getElementById("form") as HTMLFormElement;
const idle = document.getElementById("idle") as HTMLInputElement;
const paused = document.getElementById("paused") as HTMLInputElement;
const status = document.getElementById("status") as HTMLElement;

async function load(): Promise<void> {
  const s = readSettings(await chrome.storage.local.get(null));
  idle.value = String(Math.round((s.idleThresholdSeconds / 60) * 100) / 100);
  paused.checked = s.paused;
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
