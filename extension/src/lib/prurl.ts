/**
 * Recognises GitHub pull request pages: https://github.com/OWNER/REPO/pull/N
 * and every page under it (files, commits, checks, a single commit, …).
 */

/** A pull request as the companion knows it. */
export interface PullRequest {
  repoOwner: string;
  repoName: string;
  prNumber: number;
}

// GitHub's own rules: an owner is 1–39 alphanumerics or single hyphens, not
// starting with a hyphen; a repository name is 1–100 of [A-Za-z0-9._-] and
// not "." or "..".
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const REPO = /^[A-Za-z0-9._-]{1,100}$/;
const NUMBER = /^[1-9][0-9]{0,9}$/;
const MAX_PR = 2_147_483_647;

/**
 * parsePullRequestURL returns the pull request a URL shows, or null when the
 * URL is not a pull request page on github.com over HTTPS.
 */
export function parsePullRequestURL(raw: string | undefined | null): PullRequest | null {
  if (!raw) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== "https:") return null;
  if (url.hostname.toLowerCase() !== "github.com") return null;
  if (url.port !== "" || url.username !== "" || url.password !== "") return null;
  const parts = url.pathname.split("/");
  // ["", owner, repo, "pull", number, ...rest]
  if (parts.length < 5) return null;
  const [, owner, repo, pull, num] = parts;
  if (owner === undefined || repo === undefined || pull === undefined || num === undefined) return null;
  if (pull !== "pull") return null;
  if (!OWNER.test(owner)) return null;
  if (!REPO.test(repo) || repo === "." || repo === "..") return null;
  if (!NUMBER.test(num)) return null;
  const prNumber = Number(num);
  if (prNumber > MAX_PR) return null;
  return { repoOwner: owner, repoName: repo, prNumber };
}

/** samePullRequest compares two pull requests; GitHub names ignore case. */
export function samePullRequest(a: PullRequest | null, b: PullRequest | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    a.prNumber === b.prNumber &&
    a.repoOwner.toLowerCase() === b.repoOwner.toLowerCase() &&
    a.repoName.toLowerCase() === b.repoName.toLowerCase()
  );
}

/** formatPullRequest renders "owner/repo#N". */
export function formatPullRequest(pr: PullRequest): string {
  return `${pr.repoOwner}/${pr.repoName}#${pr.prNumber}`;
}
