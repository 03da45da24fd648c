import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { githubOutbound, startGitHub } from "./test/github-process.mjs";

/** The OAuth app the tests' worker is: its id, secret and callback URL. */
const APP = { clientId: "Iv1.testclient", clientSecret: "test-client-secret", callbackUrl: "http://worker.test/auth/github/callback" };

// Tests run inside workerd with in-memory D1/KV; GitHub is the project's Go
// fake (internal/fakes/github) run as a process on 127.0.0.1, reached
// through the outbound fetch handler (test/github-process.mjs says why).
export default defineConfig(async () => ({
  plugins: [
    cloudflareTest({
      main: "./src/index.ts",
      wrangler: { configPath: "./wrangler.jsonc" },
      miniflare: {
        bindings: {
          TEST_MIGRATIONS: await readD1Migrations("./migrations"),
          JWT_SECRET: "test-secret-0123456789abcdef0123456789",
          DEV_LOGIN: "1",
          COST_HEADER: "1",
          GITHUB_CLIENT_ID: APP.clientId,
          GITHUB_CLIENT_SECRET: APP.clientSecret,
          GITHUB_OAUTH_BASE: "http://github.test",
          GITHUB_API_BASE: "http://api.github.test",
          ALLOWED_ORIGINS: "chrome-extension://abcdefghijklmnopabcdefghijklmnop",
        },
        outboundService: githubOutbound(await startGitHub(APP)),
        // A second database for the upgrade test (test/migration.test.ts) and
        // three more that test/shards.test.ts binds as DB_1..DB_3 (under other
        // names here, so every other test runs with the default one shard).
        d1Databases: ["UPGRADE_DB", "SHARD_1", "SHARD_2", "SHARD_3"],
      },
    }),
  ],
  test: {
    setupFiles: ["./test/setup.ts"],
    include: ["test/**/*.test.ts"],
    // The machine is shared; generous limits keep slow runs from flaking.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
}));
