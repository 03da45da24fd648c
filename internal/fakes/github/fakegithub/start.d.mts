/** A running GitHub fake: its base URL (GitHub's OAuth pages, its REST API and the /_fake/ controls) and how to end it. */
export interface FakeGitHubProcess {
  url: string;
  stop(): Promise<void>;
}

/**
 * startFakeGitHub builds internal/fakes/github/fakegithub and runs it for
 * one OAuth app (callbackUrl: its authorization callback URL, or later
 * through POST /_fake/callback-url).
 */
export declare function startFakeGitHub(opts: { clientId: string; clientSecret: string; callbackUrl?: string }): Promise<FakeGitHubProcess>;
