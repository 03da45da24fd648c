import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { githubFake } from "./test/github-fake.mjs";

// Tests run inside workerd with in-memory D1/KV; GitHub is answered by the
// outbound fetch handler below (no network).
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
          GITHUB_CLIENT_ID: "Iv1.testclient",
          GITHUB_CLIENT_SECRET: "test-client-secret",
          GITHUB_OAUTH_BASE: "http://github.test",
          GITHUB_API_BASE: "http://api.github.test",
          ALLOWED_ORIGINS: "chrome-extension://abcdefghijklmnopabcdefghijklmnop",
        },
        outboundService: githubFake,
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
