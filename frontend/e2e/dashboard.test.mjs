// End-to-end test of the dashboard: the `-tags dev` build of the real app
// (its Go side bound over the dev server's websocket) driven in Debian's
// Chromium, against a real worktimed holding known sessions. Run by
// scripts/test-dashboard.sh (node --import ./e2e/typescript.mjs --test e2e/),
// which starts both and sets:
//   DASHBOARD_URL  the dev server, e.g. http://127.0.0.1:34115
//   WORKTIME_BIN   the worktimed binary the daemon runs
//   WORKTIME_HOME  the daemon's home
//   EXPORT_DIR     where the dashboard saves exports (WORKTIME_EXPORT_DIR)
//   CHROMIUM       the browser (default /usr/bin/chromium)
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, watch } from "node:fs";
import { join } from "node:path";
import { openDashboard } from "./browser.mjs";
// The page's own formatting, from its TypeScript source (e2e/typescript.mjs).
import { formatDuration } from "../src/format.ts";

const need = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set; run this through scripts/test-dashboard.sh`);
  return v;
};
const URL = need("DASHBOARD_URL");
const BIN = need("WORKTIME_BIN");
const HOME = need("WORKTIME_HOME");
const EXPORT_DIR = need("EXPORT_DIR");

function wt(...args) {
  return execFileSync(BIN, args, { env: { ...process.env, WORKTIME_HOME: HOME }, encoding: "utf8" });
}
const stats = (days, repo) => JSON.parse(wt("stats", "--json", "--days", String(days), ...(repo ? ["--repo", repo] : [])));

let browser, page, pageErrors;

before(async () => {
  ({ browser, page, pageErrors } = await openDashboard(URL));
});

after(async () => {
  await browser?.close();
  assert.deepEqual(pageErrors, [], "uncaught errors in the page");
});

// nextRefresh waits for the page's next background refresh (every 15 s).
async function nextRefresh() {
  const n = await page.evaluate(() => Number(document.body.dataset.refreshes ?? 0));
  await page.waitForFunction((n) => Number(document.body.dataset.refreshes ?? 0) > n, n, { timeout: 25_000 });
}

// dayAt is an RFC 3339 time n days from today's UTC midnight (the daemon
// counts in UTC here), plus minutes: days -4 to -6 and -100 hold no seeded
// session, so what the tests add there never conflicts.
const dayAt = (n, minutes) => {
  const midnight = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  return new Date(midnight + n * 86_400_000 + minutes * 60_000).toISOString().replace(".000Z", "Z");
};
// track records an ended session through the CLI.
function track(repo, pr, start, end) {
  wt("track", "start", "--repo", repo, "--pr", String(pr), "--at", start);
  wt("track", "stop", "--at", end);
}
const sessionsOf = (...args) => {
  const r = JSON.parse(wt("sessions", "--json", ...args));
  return Array.isArray(r) ? r : r.sessions;
};

// view opens a view, first dismissing any message left by an earlier step.
async function view(name) {
  await page.$$eval(".toast", (ts) => ts.forEach((t) => t.remove()));
  await page.click(`nav button[data-view=${name}]`);
}

describe("numbers equal `worktimed stats --json`", () => {
  it("today's total", async () => {
    const want = stats(7).today_seconds;
    assert.ok(want > 0, "the fixture has time today");
    await view("today");
    const el = page.locator("[data-testid=today-total]");
    assert.equal(Number(await el.getAttribute("data-seconds")), want);
    assert.equal(await el.textContent(), formatDuration(want));
  });

  for (const days of [7, 30, 90]) {
    it(`history, ${days} days: range total and every repository`, async () => {
      const want = stats(days);
      await view("history");
      await page.click(`[data-testid=range-${days}]`);
      await page.waitForSelector(`[data-testid=range-${days}][aria-pressed=true]`);
      const total = want.days.reduce((n, d) => n + d.seconds, 0);
      const el = page.locator("[data-testid=range-total]");
      assert.equal(Number(await el.getAttribute("data-seconds")), total);
      assert.equal(await el.textContent(), formatDuration(total));
      const rows = await page.$$eval("[data-testid=repos] tr[data-repo]", (trs) =>
        trs.map((tr) => ({ repo: tr.dataset.repo, seconds: Number(tr.dataset.seconds), text: tr.children[1].textContent })),
      );
      const wantRows = want.repos.map((r) => ({ repo: r.repo, seconds: r.seconds, text: formatDuration(r.seconds) }));
      assert.deepEqual(
        rows.sort((a, b) => a.repo.localeCompare(b.repo)),
        wantRows.sort((a, b) => a.repo.localeCompare(b.repo)),
      );
    });
  }

  it("drill-down into a repository shows its pull requests", async () => {
    await view("history");
    await page.click("[data-testid=range-90]");
    await page.waitForSelector("[data-testid=range-90][aria-pressed=true]");
    const repo = stats(90).repos[0].repo;
    await page.click(`[data-testid=repos] tr[data-repo="${repo}"] button`);
    await page.waitForSelector(`[data-testid=drill-repo]:text("${repo}")`);
    const want = stats(90, repo);
    const rows = await page.$$eval("[data-testid=prs] tr[data-pr]", (trs) => trs.map((tr) => [tr.dataset.pr, Number(tr.dataset.seconds)]));
    assert.deepEqual(
      rows.sort(),
      want.prs.map((p) => [`${p.repo}#${p.pr_number}`, p.seconds]).sort(),
    );
    const total = Number(await page.locator("[data-testid=range-total]").getAttribute("data-seconds"));
    assert.equal(total, want.days.reduce((n, d) => n + d.seconds, 0));
    // Back to every repository.
    await page.click("text=All repositories");
    await page.waitForSelector("[data-testid=repos]");
  });

  it("a drill-down in History does not change Today or the header", async () => {
    const want = stats(7).today_seconds;
    // acme/web has no time today: filtered by it, today would be 0.
    assert.equal(stats(7, "acme/web").today_seconds, 0);
    await view("history");
    await page.click("[data-testid=range-7]");
    await page.waitForSelector("[data-testid=range-7][aria-pressed=true]");
    await page.click(`[data-testid=repos] tr[data-repo="acme/web"] button`);
    await page.waitForSelector(`[data-testid=drill-repo]:text("acme/web")`);
    await view("today");
    assert.equal(Number(await page.locator("[data-testid=today-total]").getAttribute("data-seconds")), want);
    assert.equal(await page.locator("[data-testid=header-total]").textContent(), `Today ${formatDuration(want)}`);
    // The top pull requests are of every repository too.
    assert.ok((await page.locator("main table").textContent()).includes("acme/api#"));
    await view("history");
    await page.click("text=All repositories");
    await page.waitForSelector("[data-testid=repos]");
  });

  it("a pull request's sessions, from the drill-down", async () => {
    const want = JSON.parse(wt("sessions", "--json", "--repo", "acme/api"));
    const list = Array.isArray(want) ? want : want.sessions;
    const pr = list[0].pr_number;
    await view("history");
    await page.click(`[data-testid=prs] tr[data-pr="acme/api#${pr}"] button`);
    await page.waitForSelector("[data-testid=sessions] tbody tr");
    const ids = await page.$$eval("[data-testid=sessions] tbody tr", (trs) => trs.map((tr) => tr.dataset.id));
    assert.deepEqual(ids, list.filter((s) => s.pr_number === pr).map((s) => s.id));
  });
});

describe("tracking", () => {
  it("starts and stops a session", async () => {
    await view("today");
    await page.fill("[data-testid=start-pr]", "acme/e2e#99");
    await page.click("[data-testid=start]");
    await page.waitForSelector("[data-testid=active-pr]:text('acme/e2e#99')");
    let active = stats(1).active ?? JSON.parse(wt("sessions", "--json", "--status", "active"));
    const activeList = Array.isArray(active) ? active : active.sessions ?? [active];
    assert.equal(activeList.length, 1);
    assert.equal(activeList[0].repo_name, "e2e");
    assert.equal(activeList[0].pr_number, 99);
    const id = activeList[0].id;
    // The timer runs in the page.
    const first = await page.locator("[data-testid=active-timer]").textContent();
    await page.waitForFunction((t) => document.querySelector("[data-testid=active-timer]")?.textContent !== t, first, { timeout: 5000 });

    await page.click("[data-testid=stop]");
    await page.waitForSelector("[data-testid=no-active]");
    const done = JSON.parse(wt("sessions", "--json", "--repo", "acme/e2e"));
    const doneList = Array.isArray(done) ? done : done.sessions;
    assert.equal(doneList.length, 1);
    assert.equal(doneList[0].id, id);
    assert.equal(doneList[0].status, "completed");
  });

  it("rejects a malformed pull request with a message", async () => {
    await view("today");
    await page.fill("[data-testid=start-pr]", "not a pr");
    await page.click("[data-testid=start]");
    await page.waitForSelector("[data-testid=toast-error]:has-text('is not a pull request')");
    await page.click("[data-testid=toast-error] button");
  });
});

describe("ranges and breakdowns", () => {
  // The window the page shows: "(YYYY-MM-DD to YYYY-MM-DD)".
  const shownWindow = async () => {
    const text = await page.locator("[data-testid=range-total]").locator("..").textContent();
    const m = /\((\d{4}-\d{2}-\d{2}) to (\d{4}-\d{2}-\d{2})\)/.exec(text);
    assert.ok(m, `no window in ${JSON.stringify(text)}`);
    return { first: m[1], last: m[2] };
  };
  const secondsBetween = (first, last) => stats(90).days.filter((d) => d.date >= first && d.date <= last).reduce((n, d) => n + d.seconds, 0);
  const today = () => stats(1).days[0].date;

  it("this week and last month add up like `worktimed stats`", async () => {
    await view("history");
    await page.click("[data-testid=range-week]");
    await page.waitForSelector("[data-testid=range-week][aria-pressed=true]");
    let w = await shownWindow();
    assert.equal(new Date(`${w.first}T00:00:00Z`).getUTCDay(), 1, `this week starts on a Monday, not ${w.first}`);
    assert.equal(w.last, today());
    assert.equal(Number(await page.locator("[data-testid=range-total]").getAttribute("data-seconds")), secondsBetween(w.first, w.last));

    await page.click("[data-testid=range-last-month]");
    await page.waitForSelector("[data-testid=range-last-month][aria-pressed=true]");
    w = await shownWindow();
    const t = new Date(`${today()}T00:00:00Z`);
    const wantLast = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), 0)).toISOString().slice(0, 10);
    assert.equal(w.last, wantLast);
    assert.equal(w.first, `${wantLast.slice(0, 8)}01`);
    assert.equal(Number(await page.locator("[data-testid=range-total]").getAttribute("data-seconds")), secondsBetween(w.first, w.last));
  });

  it("a custom range, and the weekdays add up to its total", async () => {
    await view("history");
    const day = (n) => new Date(Date.parse(`${today()}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
    await page.click("[data-testid=range-custom]");
    await page.fill("[data-testid=custom-first]", day(-45));
    await page.fill("[data-testid=custom-last]", day(-35));
    await page.click("[data-testid=custom-apply]");
    await page.waitForSelector("[data-testid=range-custom][aria-pressed=true]");
    assert.deepEqual(await shownWindow(), { first: day(-45), last: day(-35) });
    // tools/cli#3, 40 days ago, 2 h.
    assert.equal(Number(await page.locator("[data-testid=range-total]").getAttribute("data-seconds")), 7200);
    const weekdays = await page.$$eval("[data-testid=weekdays] tr[data-weekday]", (trs) => trs.map((tr) => Number(tr.dataset.seconds)));
    assert.equal(weekdays.length, 7);
    assert.equal(weekdays.reduce((a, b) => a + b, 0), 7200);

    // A range that ends before it starts is refused with a message.
    await page.fill("[data-testid=custom-first]", day(-10));
    await page.fill("[data-testid=custom-last]", day(-20));
    await page.click("[data-testid=custom-apply]");
    await page.waitForSelector("[data-testid=toast-error]:has-text('after the last')");
    await page.click("[data-testid=toast-error] button");
    await page.click("[data-testid=range-7]");
    await page.waitForSelector("[data-testid=range-7][aria-pressed=true]");
  });
});

describe("today", () => {
  it("Start offers the pull requests of the latest sessions, newest first", async () => {
    const want = [];
    for (const s of sessionsOf("--limit", "50")) {
      const label = `${s.repo_owner}/${s.repo_name}#${s.pr_number}`;
      if (!want.includes(label)) want.push(label);
    }
    await view("today");
    // What an earlier step typed stays until emptied; then the last pull request is offered.
    await page.fill("[data-testid=start-pr]", "");
    await view("sessions");
    await view("today");
    assert.equal(await page.inputValue("[data-testid=start-pr]"), want[0]);
    const offered = await page.$$eval("[data-testid=recent-prs] option", (os) => os.map((o) => o.value));
    assert.deepEqual(offered, want.slice(0, 8));
  });

  it("the top pull requests open on GitHub", async () => {
    await view("today");
    const hrefs = await page.$$eval("main tr[data-pr] a", (as) => as.map((a) => [a.closest("tr").dataset.pr, a.getAttribute("href")]));
    assert.ok(hrefs.length > 0);
    for (const [pr, href] of hrefs) {
      const [repo, n] = pr.split("#");
      assert.equal(href, `https://github.com/${repo}/pull/${n}`);
    }
  });

  it("a daily and a weekly goal show their progress", async () => {
    await view("settings");
    await page.fill("#set-daily-goal", "1");
    await page.fill("#set-weekly-goal", "10");
    await page.click("[data-testid=save-settings]");
    await page.waitForSelector("[data-testid=toast-info]:has-text('Settings saved')");
    const toml = readFileSync(join(HOME, "config.toml"), "utf8");
    assert.match(toml, /daily_goal\s*=\s*"1h0m0s"/);
    assert.match(toml, /weekly_goal\s*=\s*"10h0m0s"/);
    const s = stats(1);
    await view("today");
    assert.equal(await page.locator("[data-testid=goal-day]").getAttribute("data-percent"), ((s.today_seconds / 3600) * 100).toFixed(1));
    assert.equal(await page.locator("[data-testid=goal-week]").getAttribute("data-percent"), ((s.week_seconds / 36000) * 100).toFixed(1));
    assert.equal(Number(await page.locator("[data-testid=week-summary]").getAttribute("data-seconds")), s.week_seconds);

    await view("settings");
    await page.fill("#set-daily-goal", "25");
    await page.click("[data-testid=save-settings]");
    await page.waitForSelector("[data-testid=toast-error]:has-text('daily goal')");
    await page.click("[data-testid=toast-error] button");
  });
});

describe("sessions and settings", () => {
  const list = (...args) => {
    const r = JSON.parse(wt("sessions", "--json", ...args));
    return Array.isArray(r) ? r : r.sessions;
  };
  const shownIDs = () => page.$$eval("[data-testid=sessions] tbody tr", (trs) => trs.map((tr) => tr.dataset.id));

  it("the list and its filters match `worktimed sessions`", async () => {
    await view("sessions");
    await page.waitForSelector("[data-testid=sessions] tbody tr");
    assert.deepEqual(await shownIDs(), list().map((s) => s.id));

    await page.selectOption("[data-testid=filter-repo]", "acme/web");
    await page.waitForFunction(() => [...document.querySelectorAll("[data-testid=sessions] tbody tr td:nth-child(2)")].every((td) => td.textContent.startsWith("acme/web#")));
    assert.deepEqual(await shownIDs(), list("--repo", "acme/web").map((s) => s.id));

    await page.fill("[data-testid=filter-pr]", "7");
    await page.dispatchEvent("[data-testid=filter-pr]", "change");
    await page.waitForFunction(() => [...document.querySelectorAll("[data-testid=sessions] tbody tr td:nth-child(2)")].every((td) => td.textContent === "acme/web#7"));
    assert.deepEqual(await shownIDs(), list("--repo", "acme/web").filter((s) => s.pr_number === 7).map((s) => s.id));

    await page.fill("[data-testid=filter-pr]", "x7");
    await page.dispatchEvent("[data-testid=filter-pr]", "change");
    await page.waitForSelector("[data-testid=toast-error]:has-text('pull request \"x7\"')");
    await page.click("[data-testid=toast-error] button");
  });

  it("saves settings to the daemon and refuses bad ones", async () => {
    await view("settings");
    await page.fill("#set-idle", "15");
    await page.click("[data-testid=save-settings]");
    await page.waitForSelector("[data-testid=toast-info]:has-text('Settings saved')");
    assert.match(readFileSync(join(HOME, "config.toml"), "utf8"), /idle_timeout\s*=\s*"15m/);

    await page.fill("#set-tz", "Mars/Olympus");
    await page.click("[data-testid=save-settings]");
    await page.waitForSelector("[data-testid=toast-error]:has-text('not an IANA time zone')");
    await page.click("[data-testid=toast-error] button");
    assert.doesNotMatch(readFileSync(join(HOME, "config.toml"), "utf8"), /Mars/);
  });
});

describe("sync", () => {
  it("shows the daemon's sync state and explains a sign-in that cannot start", async () => {
    const st = JSON.parse(wt("status", "--json"));
    await view("sync");
    assert.equal(await page.locator("[data-testid=sync-pending]").textContent(), String(st.sync.pending));
    assert.equal(await page.locator("[data-testid=sync-user]").textContent(), "not signed in");
    assert.equal(await page.locator("[data-testid=sync-now]").isDisabled(), true);
    // No server is configured in this home: the daemon refuses, and the
    // page says why rather than showing the "not running" screen.
    await page.click("[data-testid=sign-in]");
    await page.waitForSelector("[data-testid=toast-error]");
    assert.equal(await page.locator("[data-testid=daemon-down]").count(), 0);
    assert.ok((await page.locator("[data-testid=toast-error]").textContent()).length > 10);
  });
});

describe("export", () => {
  for (const format of ["csv", "json"]) {
    it(`saves ${format} equal to \`worktimed export\``, async () => {
      await view("history");
      await page.click(`[data-testid=export-${format}]`);
      const result = page.locator("[data-testid=export-result]");
      await page.waitForSelector("[data-testid=export-result][data-path]");
      const path = await result.getAttribute("data-path");
      assert.ok(path.startsWith(EXPORT_DIR), `${path} is in ${EXPORT_DIR}`);
      assert.ok(path.endsWith(`.${format}`));
      const got = readFileSync(path, "utf8");
      assert.equal(got, wt("export", "--format", format));
      assert.match(await result.textContent(), new RegExp(`Saved ${Buffer.byteLength(got)} bytes`));
      rmSync(path);
    });
  }
});

describe("what the user looks at survives a refresh", () => {
  it("the export of a drill-down, its message and the empty day fields", async () => {
    await view("history");
    await page.click(`[data-testid=repos] tr[data-repo="acme/web"] button`);
    await page.waitForSelector(`[data-testid=drill-repo]:text("acme/web")`);
    for (const f of ["export-since", "export-until"]) {
      assert.equal(await page.inputValue(`[data-testid=${f}]`), "", `${f} is empty`);
      assert.match(await page.getAttribute(`[data-testid=${f}]`, "placeholder"), /empty/);
    }
    await page.click("[data-testid=export-csv]");
    await page.waitForSelector("[data-testid=export-result][data-path]");
    const path = await page.getAttribute("[data-testid=export-result]", "data-path");
    const message = await page.textContent("[data-testid=export-result]");
    const rows = readFileSync(path, "utf8").trim().split("\n").slice(1);
    assert.equal(rows.length, sessionsOf("--repo", "acme/web", "--limit", "1000").length);
    for (const r of rows) assert.match(r, /^[^,]+,acme,web,/);
    rmSync(path);

    // New data arrives (another session) and the page redraws: the message stays.
    track("acme/refresh", 1, dayAt(-4, 720), dayAt(-4, 721));
    await nextRefresh();
    assert.equal(await page.textContent("[data-testid=export-result]"), message);
    assert.equal(await page.getAttribute("[data-testid=export-result]", "data-path"), path);
    await page.click("text=All repositories");
    await page.waitForSelector("[data-testid=repos]");
  });

  it("what is typed in Start, and where the Start button is", async () => {
    await view("today");
    await page.fill("[data-testid=start-pr]", "acme/draft#5");
    await page.click("main h2"); // not typing any more
    const before = await page.locator("[data-testid=start]").boundingBox();
    track("acme/refresh", 2, dayAt(-5, 720), dayAt(-5, 721));
    await nextRefresh();
    assert.equal(await page.inputValue("[data-testid=start-pr]"), "acme/draft#5");
    assert.deepEqual(await page.locator("[data-testid=start]").boundingBox(), before);
  });
});

describe("sessions, a page at a time", () => {
  it("every repository in the filter, a 0 s session reads 0s, times carry their zone", async () => {
    track("acme/zero", 1, dayAt(-6, 720), dayAt(-6, 720));
    assert.ok(!stats(7).repos.some((r) => r.repo === "tools/cli"), "tools/cli is outside History's 7 days");
    await view("sessions");
    await page.waitForSelector("[data-testid=filter-repo] option[value='tools/cli']", { state: "attached" });
    await page.selectOption("[data-testid=filter-repo]", "acme/zero");
    await page.waitForFunction(() => [...document.querySelectorAll("[data-testid=sessions] tbody tr td:nth-child(2)")].every((td) => td.textContent === "acme/zero#1"));
    // The first cell holds the row's checkbox.
    const cells = await page.$$eval("[data-testid=sessions] tbody tr td", (tds) => tds.map((td) => td.textContent));
    assert.equal(cells[4], "0s");
    assert.match(cells[2], /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
  });

  it("beyond a page: the true count and the next page", async () => {
    // 105 sessions of a minute, 100 days ago: outside every stats range.
    for (let i = 0; i < 105; i++) track("bulk/many", 1 + (i % 3), dayAt(-100, 720 + 2 * i), dayAt(-100, 721 + 2 * i));
    const want = sessionsOf("--repo", "bulk/many", "--limit", "500");
    assert.equal(want.length, 105);
    await view("today");
    await view("sessions");
    await page.waitForSelector("[data-testid=filter-repo] option[value='bulk/many']", { state: "attached" });
    const all = sessionsOf("--limit", "100000").length;
    await page.waitForFunction((n) => document.querySelector("[data-testid=sessions-count]")?.dataset.total === String(n), all);
    assert.equal(await page.textContent("[data-testid=sessions-count]"), `1–100 of ${all.toLocaleString("en-US")} sessions`);

    await page.selectOption("[data-testid=filter-repo]", "bulk/many");
    await page.waitForSelector("[data-testid=sessions-count]:text('1–100 of 105 sessions')");
    const shown = () => page.$$eval("[data-testid=sessions] tbody tr", (trs) => trs.map((tr) => tr.dataset.id));
    assert.deepEqual(await shown(), want.slice(0, 100).map((s) => s.id));
    await page.click("[data-testid=page-next]");
    await page.waitForSelector("[data-testid=sessions-count]:text('101–105 of 105 sessions')");
    assert.deepEqual(await shown(), want.slice(100).map((s) => s.id));
    assert.equal(await page.locator("[data-testid=page-next]").isDisabled(), true);
    await page.click("[data-testid=page-prev]");
    await page.waitForSelector("[data-testid=sessions-count]:text('1–100 of 105 sessions')");
  });
});

describe("daemon not running", () => {
  it("shows the Start screen, and Start brings the numbers back", async () => {
    const pid = Number(need("DAEMON_PID"));
    const sock = join(HOME, "worktimed.sock");
    // The daemon removes its socket as it stops; watch for that.
    const gone = new Promise((resolve, reject) => {
      const w = watch(HOME, () => {
        if (!existsSync(sock)) {
          w.close();
          resolve();
        }
      });
      setTimeout(() => {
        w.close();
        reject(new Error("worktimed did not remove its socket within 20 s"));
      }, 20_000).unref();
    });
    process.kill(pid, "SIGTERM");
    await gone;
    await page.reload();
    await page.waitForSelector("[data-testid=daemon-down]");
    assert.match(await page.locator("[data-testid=daemon-down] h2").textContent(), /not running/);
    // An opened "Details" stays open, and Start stays where it was, across refreshes.
    await page.click("[data-testid=down-details] summary");
    const before = await page.locator("[data-testid=start-daemon]").boundingBox();
    await nextRefresh();
    assert.equal(await page.locator("[data-testid=down-details]").evaluate((d) => d.open), true);
    assert.deepEqual(await page.locator("[data-testid=start-daemon]").boundingBox(), before);
    await page.click("[data-testid=start-daemon]");
    await page.waitForSelector("[data-testid=today-total]", { timeout: 30_000 });
    assert.equal(Number(await page.locator("[data-testid=today-total]").getAttribute("data-seconds")), stats(7).today_seconds);
  });
});

describe("layout", () => {
  for (const scheme of ["light", "dark"]) {
    it(`every view fits 800×600 without sideways scrolling (${scheme})`, async () => {
      await page.emulateMedia({ colorScheme: scheme });
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      const [r, g, b] = bg.match(/\d+/g).map(Number);
      const lum = (r + g + b) / 3;
      assert.ok(scheme === "dark" ? lum < 80 : lum > 180, `${scheme} background is ${bg}`);
      for (const name of ["today", "history", "sessions", "sync", "settings"]) {
        await view(name);
        await page.waitForSelector("main .card");
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= 800, `${name} is ${width}px wide at 800×600`);
        if (process.env.ARTIFACTS) await page.screenshot({ path: join(process.env.ARTIFACTS, `dashboard-${name}-${scheme}.png`) });
      }
      await page.emulateMedia({ colorScheme: null });
    });
  }
});
