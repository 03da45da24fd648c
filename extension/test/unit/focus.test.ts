import { expect, it } from "vitest";
import { attentionUrl } from "../../src/lib/focus.js";

const PR = "https://github.com/octo/hello/pull/1";

it.each([
  ["focused window", { windowFocused: true, activeUrl: PR, popupOpen: false }, PR],
  ["focused window with the popup open", { windowFocused: true, activeUrl: PR, popupOpen: true }, PR],
  ["the popup took focus", { windowFocused: false, activeUrl: PR, popupOpen: true }, PR],
  ["browser not focused", { windowFocused: false, activeUrl: PR, popupOpen: false }, null],
  ["no active tab", { windowFocused: true, activeUrl: undefined, popupOpen: false }, null],
  ["empty URL", { windowFocused: true, activeUrl: "", popupOpen: false }, null],
])("attentionUrl: %s", (_n, snap, want) => {
  expect(attentionUrl(snap)).toBe(want);
});
