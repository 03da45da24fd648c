/** Which URL has the user's attention, from what the windows API reports. */

export interface FocusSnapshot {
  /** Whether a browser window has the system's focus. */
  windowFocused: boolean;
  /** URL of the active tab of the last focused window (undefined when there is none). */
  activeUrl: string | undefined;
  /** Whether the extension's own toolbar popup is open. */
  popupOpen: boolean;
}

/**
 * attentionUrl is the URL the tracker should see: the active tab of the
 * focused window, or null when no browser window has focus. The toolbar
 * popup is a window of its own on most platforms, so opening it takes focus
 * away from the browser window; the user is still looking at the page under
 * it, so an open popup counts as that window having focus.
 */
export function attentionUrl(f: FocusSnapshot): string | null {
  if (!f.windowFocused && !f.popupOpen) return null;
  return f.activeUrl || null;
}
