// The dashboard in Debian's Chromium, headless, for the e2e tests (a helper,
// not a test file: `node --test e2e/` runs *.test.mjs only).
import { chromium } from "playwright-core";

/**
 * openDashboard opens the dashboard served at url in a fresh headless
 * Chromium (CHROMIUM, else /usr/bin/chromium) and waits until Today shows.
 * Uncaught errors in the page are collected in pageErrors.
 */
export async function openDashboard(url) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const page = await browser.newPage({ viewport: { width: 800, height: 600 } });
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  await page.goto(url);
  await page.waitForSelector("[data-testid=today-total]", { timeout: 30_000 });
  return { browser, page, pageErrors };
}
