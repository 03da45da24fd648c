import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { addGitHubFixtures } from "./github";

// Runs before each test file: every file starts from the migrated schema,
// and GitHub knows the accounts and tokens the tests use.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
await addGitHubFixtures();
