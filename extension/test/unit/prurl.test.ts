import { describe, expect, it } from "vitest";
import { formatPullRequest, parsePullRequestURL, samePullRequest } from "../../src/lib/prurl.js";

describe("parsePullRequestURL", () => {
  const pr = (repoOwner: string, repoName: string, prNumber: number) => ({ repoOwner, repoName, prNumber });
  const cases: [string, string | null | undefined, ReturnType<typeof pr> | null][] = [
    ["conversation", "https://github.com/octo/hello/pull/42", pr("octo", "hello", 42)],
    ["trailing slash", "https://github.com/octo/hello/pull/42/", pr("octo", "hello", 42)],
    ["files", "https://github.com/octo/hello/pull/42/files", pr("octo", "hello", 42)],
    ["commits", "https://github.com/octo/hello/pull/42/commits", pr("octo", "hello", 42)],
    ["one commit", "https://github.com/octo/hello/pull/42/commits/0123abcd", pr("octo", "hello", 42)],
    ["checks", "https://github.com/octo/hello/pull/42/checks?check_run_id=7", pr("octo", "hello", 42)],
    ["query and hash", "https://github.com/octo/hello/pull/42?w=1#discussion_r1", pr("octo", "hello", 42)],
    ["dots, dashes, underscores", "https://github.com/my-org/my.repo_x-1/pull/7", pr("my-org", "my.repo_x-1", 7)],
    ["upper-case host", "https://GitHub.com/Octo/Hello/pull/1", pr("Octo", "Hello", 1)],
    ["largest number", "https://github.com/o/r/pull/2147483647", pr("o", "r", 2147483647)],
    ["number too large", "https://github.com/o/r/pull/2147483648", null],
    ["http", "http://github.com/octo/hello/pull/42", null],
    ["other host", "https://gitlab.com/octo/hello/pull/42", null],
    ["subdomain", "https://gist.github.com/octo/hello/pull/42", null],
    ["look-alike host", "https://github.com.evil.example/octo/hello/pull/42", null],
    ["explicit port", "https://github.com:8443/octo/hello/pull/42", null],
    ["credentials", "https://user:pw@github.com/octo/hello/pull/42", null],
    ["pulls list", "https://github.com/octo/hello/pulls", null],
    ["no number", "https://github.com/octo/hello/pull/", null],
    ["non-numeric", "https://github.com/octo/hello/pull/abc", null],
    ["leading zero", "https://github.com/octo/hello/pull/042", null],
    ["zero", "https://github.com/octo/hello/pull/0", null],
    ["negative", "https://github.com/octo/hello/pull/-1", null],
    ["issue", "https://github.com/octo/hello/issues/42", null],
    ["repo root", "https://github.com/octo/hello", null],
    ["owner starting with dash", "https://github.com/-octo/hello/pull/1", null],
    ["owner with double dash", "https://github.com/oc--to/hello/pull/1", null],
    ["owner too long", `https://github.com/${"a".repeat(40)}/hello/pull/1`, null],
    ["repo dot", "https://github.com/octo/./pull/1", null],
    ["repo with percent", "https://github.com/octo/hel%20lo/pull/1", null],
    ["empty owner", "https://github.com//hello/pull/1", null],
    ["not a URL", "github.com/octo/hello/pull/1", null],
    ["empty", "", null],
    ["null", null, null],
    ["undefined", undefined, null],
    ["chrome page", "chrome://newtab/", null],
    ["about:blank", "about:blank", null],
  ];
  it.each(cases)("%s", (_name, url, want) => {
    expect(parsePullRequestURL(url)).toEqual(want);
  });
});

describe("samePullRequest", () => {
  const a = { repoOwner: "Octo", repoName: "Hello", prNumber: 1 };
  it.each([
    ["same", a, { ...a }, true],
    ["case differs", a, { repoOwner: "octo", repoName: "hello", prNumber: 1 }, true],
    ["other number", a, { ...a, prNumber: 2 }, false],
    ["other repo", a, { ...a, repoName: "World" }, false],
    ["other owner", a, { ...a, repoOwner: "x" }, false],
    ["one null", a, null, false],
    ["both null", null, null, true],
  ] as const)("%s", (_n, x, y, want) => {
    expect(samePullRequest(x, y)).toBe(want);
    expect(samePullRequest(y, x)).toBe(want);
  });
});

it("formatPullRequest", () => {
  expect(formatPullRequest({ repoOwner: "octo", repoName: "hello", prNumber: 42 })).toBe("octo/hello#42");
});
