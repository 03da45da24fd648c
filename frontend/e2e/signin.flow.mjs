// The device-flow sign-in in the page, run by app/signin_ui_test.go (which
// starts the stack and approves the code on the GitHub fake); not part of
// `node --test e2e/` because it needs that stack. It prints the code it shows
// for the Go side to approve. Env: DASHBOARD_URL,
// VERIFICATION_URI, CHROMIUM.
import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { openDashboard } from "./browser.mjs";

const URL = process.env.DASHBOARD_URL;
const VERIFICATION_URI = process.env.VERIFICATION_URI;
let browser, page, pageErrors;

before(async () => {
  assert.ok(URL && VERIFICATION_URI, "DASHBOARD_URL and VERIFICATION_URI are set by app/signin_ui_test.go");
  ({ browser, page, pageErrors } = await openDashboard(URL));
});

after(async () => {
  await browser?.close();
  assert.deepEqual(pageErrors, []);
});

it("shows the code, signs in once it is approved, then syncs", async () => {
  await page.click("nav button[data-view=sync]");
  assert.equal(await page.locator("[data-testid=sync-user]").textContent(), "not signed in");
  assert.notEqual(await page.locator("[data-testid=sync-pending]").textContent(), "0");
  await page.click("[data-testid=sign-in]");
  const code = page.locator("[data-testid=user-code]");
  await code.waitFor();
  const shown = await code.textContent();
  assert.match(shown, /^[A-Z0-9]{4}-?[A-Z0-9]{4}$/);
  console.log(`WORKTIME_USER_CODE=${shown}`); // app/signin_ui_test.go approves it
  assert.equal(await page.locator(".signin button.link").textContent(), VERIFICATION_URI);
  // The page polls the daemon every 3 s; the GitHub fake approves at once.
  await page.waitForSelector("[data-testid=sync-user]:text('octocat')", { timeout: 30_000 });
  await page.waitForSelector("[data-testid=toast-info]:has-text('Signed in as octocat')");
  assert.equal(await page.locator("[data-testid=user-code]").count(), 0);

  await page.click("[data-testid=sync-now]");
  await page.waitForSelector("[data-testid=toast-info]:has-text('Synced')", { timeout: 30_000 });
  await page.waitForSelector("[data-testid=sync-pending]:text('0')");
  assert.notEqual(await page.locator("[data-testid=sync-last-success]").textContent(), "never");
  // What the last run did (the sessions may have gone with the sync that
  // followed the sign-in): at least one request.
  assert.match(await page.locator("[data-testid=sync-progress]").textContent(), /^\d+ sessions? pushed, \d+ pulled in [1-9]\d* requests?$/);
});
