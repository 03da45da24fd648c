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
import { existsSync, mkdtempSync, readFileSync, rmSync, watch } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
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

let browser, page, profile;
const pageErrors = [];

before(async () => {
  profile = mkdtempSync(join(tmpdir(), "wt-e2e-chromium-"));
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  page = await browser.newPage({ viewport: { width: 800, height: 600 } });
  page.on("pageerror", (e) => pageErrors.push(e.message));
  await page.goto(URL);
  await page.waitForSelector("[data-testid=today-total]", { timeout: 30_000 });
});

after(async () => {
  await browser?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  assert.deepEqual(pageErrors, [], "uncaught errors in the page");
});

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
    await page.waitForFunction(() => [...document.querySelectorAll("[data-testid=sessions] tbody tr td:first-child")].every((td) => td.textContent.startsWith("acme/web#")));
    assert.deepEqual(await shownIDs(), list("--repo", "acme/web").map((s) => s.id));

    await page.fill("[data-testid=filter-pr]", "7");
    await page.dispatchEvent("[data-testid=filter-pr]", "change");
    await page.waitForFunction(() => [...document.querySelectorAll("[data-testid=sessions] tbody tr td:first-child")].every((td) => td.textContent === "acme/web#7"));
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
