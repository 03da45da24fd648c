export declare function startGitHub(opts: { clientId: string; clientSecret: string; callbackUrl: string }): Promise<string>;
export declare function githubOutbound(base: string): (request: Request) => Promise<Response>;
