/**
 * What the popup says of a repository the user's rules keep out of
 * tracking, and how to undo it; and the labels of its "don't track"
 * actions. Pure functions, unit-tested without a browser.
 */

import type { RuleScope } from "./protocol.js";
import type { PullRequest } from "./prurl.js";

/** excludedNote explains that pr's repository is excluded, why, and how to track it again. */
export function excludedNote(pr: PullRequest, ex: { reason: string; match: string }): { title: string; why: string; undo: string } {
  const repo = `${pr.repoOwner}/${pr.repoName}`;
  return {
    title: `${repo} is not tracked`,
    why: `Your rules keep ${repo} out of tracking: nothing is recorded or sent.${ex.reason === "" ? "" : ` (${ex.reason})`}`,
    undo:
      ex.match !== ""
        ? `To track it again: worktimed rules remove ${ex.match}, or remove the rule in the dashboard's Settings.`
        : `To track it again: worktimed rules add ${repo} --action track, or change the rules in the dashboard's Settings.`,
  };
}

/** dontTrackLabel is the popup's button for a "don't track" rule of the given scope on pr. */
export function dontTrackLabel(pr: PullRequest, scope: RuleScope): string {
  return scope === "org"
    ? `Don't track any repository of ${pr.repoOwner}`
    : `Don't track ${pr.repoOwner}/${pr.repoName}`;
}
