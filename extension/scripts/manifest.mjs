// The Firefox manifest, derived from the Chromium one (static/manifest.json)
// so that the two builds never drift apart.

/**
 * FIREFOX_ID is the add-on id the Firefox build carries. worktimed's host
 * manifest for Firefox allows exactly this id (allowed_extensions;
 * internal/install's DefaultFirefoxExtensionID), so it never changes.
 */
export const FIREFOX_ID = "worktime@worktime.dev";

/**
 * FIREFOX_MIN_VERSION is the oldest Firefox the build supports: 128 is the
 * ESR with Manifest V3 background scripts, chrome.* promises and
 * action.setBadgeTextColor.
 */
export const FIREFOX_MIN_VERSION = "128.0";

/**
 * firefoxManifest turns the Chromium manifest into Firefox's:
 * - no "key" or "minimum_chrome_version" (Chromium-only; the add-on id
 *   comes from browser_specific_settings.gecko.id instead);
 * - a background script (an event page) instead of a service worker, which
 *   Firefox does not run for extensions;
 * - browser_specific_settings.gecko with the fixed id and minimum version.
 */
export function firefoxManifest(chromium) {
  const m = structuredClone(chromium);
  delete m.key;
  delete m.minimum_chrome_version;
  if (!m.background?.service_worker) throw new Error("manifest: want a background service_worker to convert");
  m.background = { scripts: [m.background.service_worker] };
  m.browser_specific_settings = { gecko: { id: FIREFOX_ID, strict_min_version: FIREFOX_MIN_VERSION } };
  return m;
}
