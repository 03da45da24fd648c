export declare function githubFake(request: Request): Promise<Response>;
