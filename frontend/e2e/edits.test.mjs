// End-to-end test of changing history and the rules in the dashboard: the
// `-tags dev` build of the real app driven in Debian's Chromium against a
// real worktimed (scripts/test-dashboard.sh starts both; see
// dashboard.test.mjs for the environment). Every change is checked with
// `worktimed sessions --json` / `worktimed rules --json`, not in the page.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { openDashboard } from "./browser.mjs";

const need = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set; run this through scripts/test-dashboard.sh`);
  return v;
};
const URL = need("DASHBOARD_URL");
const BIN = need("WORKTIME_BIN");
const HOME = need("WORKTIME_HOME");

const wt = (...args) => execFileSync(BIN, args, { env: { ...process.env, WORKTIME_HOME: HOME }, encoding: "utf8" });
const REPO = "e2e/edits";
// The repository's sessions, oldest first, as worktimed has them.
const sessions = () => {
  const r = JSON.parse(wt("sessions", "--json", "--repo", REPO));
  return (Array.isArray(r) ? r : r.sessions).map((s) => ({ id: s.id, pr: s.pr_number, start: s.start_time, end: s.end_time, seconds: s.duration_seconds })).reverse();
};
// A day no other test uses, in UTC (the daemon's time zone here).
const midnight = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()) - 20 * 86_400_000;
const DAY = new Date(midnight).toISOString().slice(0, 10);
const at = (hh, mm = 0) => new Date(midnight + (hh * 60 + mm) * 60_000).toISOString().replace(".000Z", "Z");
function track(pr, start, end) {
  wt("track", "start", "--repo", REPO, "--pr", String(pr), "--at", start);
  wt("track", "stop", "--at", end);
}

let browser, page, pageErrors;

before(async () => {
  track(1, at(9), at(10));
  track(1, at(10), at(11));
  track(2, at(12), at(13));
  ({ browser, page, pageErrors } = await openDashboard(URL));
  await page.click("nav button[data-view=sessions]");
  await page.waitForSelector(`[data-testid=filter-repo] option[value='${REPO}']`, { state: "attached" });
  await page.selectOption("[data-testid=filter-repo]", REPO);
  await page.waitForFunction(() => document.querySelector("[data-testid=sessions-count]")?.dataset.total === "3");
});

after(async () => {
  await browser?.close();
  assert.deepEqual(pageErrors, [], "uncaught errors in the page");
});

const row = (id) => `[data-testid=sessions] tr[data-id="${id}"]`;
// changed waits until worktimed's sessions satisfy ok, then returns them.
async function changed(ok) {
  for (let i = 0; i < 100; i++) {
    const list = sessions();
    if (ok(list)) return list;
    await page.waitForTimeout(100);
  }
  assert.fail(`worktimed's sessions never changed as expected: ${JSON.stringify(sessions())}`);
}
const dismiss = () => page.$$eval(".toast", (ts) => ts.forEach((t) => t.remove()));

describe("changing history", () => {
  it("edits a session in place and undoes the edit", async () => {
    const [a] = sessions();
    await page.click(`${row(a.id)} [data-testid=edit]`);
    await page.fill("[data-testid=edit-pr]", "e2e/edits#3");
    assert.equal(await page.inputValue("[data-testid=edit-start]"), `${DAY} 09:00:00`);
    await page.fill("[data-testid=edit-end]", "09:30");
    await page.click("[data-testid=edit-save]");
    let list = await changed((l) => l[0].pr === 3);
    assert.deepEqual(list[0], { ...a, pr: 3, end: at(9, 30), seconds: 1800 });
    await page.waitForSelector(`${row(a.id)} td:has-text("e2e/edits#3")`);
    await page.waitForSelector("[data-testid=undo-bar]:has-text('edit of e2e/edits#1')");

    await page.click("[data-testid=undo]");
    list = await changed((l) => l[0].pr === 1);
    assert.deepEqual(list[0], a);
    await page.waitForSelector("[data-testid=undo-bar]", { state: "hidden" });
    await dismiss();
  });

  it("shows the daemon's refusal beside the row and keeps what was typed", async () => {
    const [a] = sessions();
    await page.click(`${row(a.id)} [data-testid=edit]`);
    await page.fill("[data-testid=edit-end]", "10:30");
    await page.click("[data-testid=edit-save]");
    const err = page.locator(`${row(a.id)} + tr [data-testid=row-error]`);
    await err.waitFor();
    assert.match(await err.textContent(), /overlap/i);
    assert.equal(await page.inputValue("[data-testid=edit-end]"), "10:30");
    assert.deepEqual(sessions()[0], a);
    // A time the form cannot read is refused before the daemon is asked.
    await page.fill("[data-testid=edit-end]", "half past ten");
    await page.click("[data-testid=edit-save]");
    await page.waitForSelector(`${row(a.id)} + tr [data-testid=row-error]:has-text("is not a time")`);
    await page.click("[data-testid=edit-cancel]");
    await page.waitForSelector(`${row(a.id)} [data-testid=edit]`);
  });

  it("merges the selected adjacent sessions, splits one at a time", async () => {
    const [a, b] = sessions();
    await page.check(`${row(a.id)} [data-testid=select]`);
    await page.check(`${row(b.id)} [data-testid=select]`);
    await page.click("[data-testid=merge-selected]");
    let list = await changed((l) => l.length === 2);
    assert.deepEqual(list[0], { ...a, end: at(11), seconds: 7200 });

    await page.waitForSelector(`${row(a.id)} [data-testid=split]`);
    await page.click(`${row(a.id)} [data-testid=split]`);
    await page.fill("[data-testid=split-at]", "10:15");
    await page.click("[data-testid=split-save]");
    list = await changed((l) => l.length === 3);
    assert.deepEqual(
      list.map((s) => [s.pr, s.start, s.end]),
      [
        [1, at(9), at(10, 15)],
        [1, at(10, 15), at(11)],
        [2, at(12), at(13)],
      ],
    );
    await dismiss();
  });

  it("adds a session after the fact", async () => {
    await page.fill("[data-testid=add-text]", `e2e/edits#4 from 14:00 to 15:10 on ${DAY}`);
    await page.click("[data-testid=add-session]");
    const list = await changed((l) => l.length === 4);
    assert.deepEqual([list[3].pr, list[3].start, list[3].end, list[3].seconds], [4, at(14), at(15, 10), 4200]);
    assert.equal(await page.inputValue("[data-testid=add-text]"), "");
    // An overlapping one is refused; the sentence stays to be corrected.
    await page.fill("[data-testid=add-text]", `e2e/edits#4 from 14:30 to 15:00 on ${DAY}`);
    await page.click("[data-testid=add-session]");
    await page.waitForSelector("[data-testid=edit-error]:has-text('overlap')");
    assert.equal(await page.inputValue("[data-testid=add-text]"), `e2e/edits#4 from 14:30 to 15:00 on ${DAY}`);
    assert.equal(sessions().length, 4);
    await page.fill("[data-testid=add-text]", "");
    await dismiss();
  });

  it("deletes several after a confirmation, and undo adds them back", async () => {
    const before = sessions();
    await page.waitForSelector(`${row(before[3].id)}`);
    // The page's checkbox selects every row (the filter shows only these).
    await page.check("[data-testid=select-all]");
    for (const s of before) assert.equal(await page.isChecked(`${row(s.id)} [data-testid=select]`), true);
    await page.click("[data-testid=delete-selected]");
    await page.waitForSelector("[data-testid=delete-confirm]:has-text('Delete 4 sessions?')");
    assert.equal(sessions().length, 4, "nothing is deleted before the confirmation");
    await page.click("[data-testid=confirm-delete]");
    await changed((l) => l.length === 0);
    await page.waitForSelector("[data-testid=undo-note]:has-text('a synced deletion wins everywhere')");

    await page.click("[data-testid=undo]");
    const back = await changed((l) => l.length === 4);
    // The same pull requests and times, as new sessions of this device.
    assert.deepEqual(
      back.map((s) => [s.pr, s.start, s.end]),
      before.map((s) => [s.pr, s.start, s.end]),
    );
    await dismiss();
  });
});

describe("rules in Settings", () => {
  it("reads and writes the rules and the private switch through the daemon", async () => {
    await page.click("nav button[data-view=settings]");
    await page.waitForSelector("[data-testid=save-rules]");
    await page.click("[data-testid=rule-add]");
    await page.fill("[data-testid=rule] >> nth=-1 >> [data-testid=rule-match]", "secret-org");
    await page.selectOption("[data-testid=rule] >> nth=-1 >> [data-testid=rule-action]", "dont_track");
    await page.click("[data-testid=rule-add]");
    await page.fill("[data-testid=rule] >> nth=-1 >> [data-testid=rule-match]", "*/internal-*");
    await page.check("[data-testid=rules-private]");
    await page.click("[data-testid=save-rules]");
    await page.waitForSelector("[data-testid=toast-info]:has-text('Rules saved')");
    const saved = JSON.parse(wt("rules", "--json"));
    assert.equal(saved.private, true);
    assert.deepEqual(saved.repos, [
      { match: "secret-org", action: "dont_track" },
      { match: "*/internal-*", action: "dont_sync" },
    ]);
    // In force at once: a dont_track repository cannot be tracked.
    assert.throws(() => wt("track", "start", "--repo", "secret-org/x", "--pr", "1"));

    // A bad pattern is refused with the form as typed.
    await page.click("[data-testid=rule-add]");
    await page.fill("[data-testid=rule] >> nth=-1 >> [data-testid=rule-match]", "a/b/c");
    await page.click("[data-testid=save-rules]");
    await page.waitForSelector("[data-testid=rules-error]:has-text('rule 3')");
    assert.equal(await page.inputValue("[data-testid=rule] >> nth=-1 >> [data-testid=rule-match]"), "a/b/c");
    assert.equal(JSON.parse(wt("rules", "--json")).repos.length, 2);

    // Back to tracking everything, for the tests after these.
    await page.click("[data-testid=rule] >> nth=-1 >> button");
    await page.click("[data-testid=rule] >> nth=-1 >> button");
    await page.click("[data-testid=rule] >> nth=-1 >> button");
    await page.uncheck("[data-testid=rules-private]");
    await dismiss();
    await page.click("[data-testid=save-rules]");
    await page.waitForSelector("[data-testid=toast-info]:has-text('Rules saved')");
    const reset = JSON.parse(wt("rules", "--json"));
    assert.equal(reset.private, false);
    assert.deepEqual(reset.repos ?? [], []);
  });
});
