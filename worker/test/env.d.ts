// Types of the test environment: the worker's bindings and its main module.
declare namespace Cloudflare {
  interface Env {
    DB: D1Database;
    KV: KVNamespace;
    RATE_LIMITER: RateLimit;
    SYNC_RATE_LIMITER?: RateLimit;
    JWT_SECRET: string;
    GITHUB_CLIENT_ID?: string;
    GITHUB_CLIENT_SECRET?: string;
    GITHUB_OAUTH_BASE?: string;
    GITHUB_API_BASE?: string;
    ALLOWED_ORIGINS?: string;
    JWT_TTL_SECONDS?: string;
    DEV_LOGIN?: string;
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
  }
  interface GlobalProps {
    mainModule: typeof import("../src/index");
  }
}
