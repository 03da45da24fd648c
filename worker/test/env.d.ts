// Types of the test environment: the worker's bindings and its main module.
type WorkerBindings = import("../src/env").Bindings;

declare namespace Cloudflare {
  interface Env extends WorkerBindings {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    UPGRADE_DB: D1Database;
    SHARD_1: D1Database;
    SHARD_2: D1Database;
    SHARD_3: D1Database;
  }
  interface GlobalProps {
    mainModule: typeof import("../src/index");
  }
}
