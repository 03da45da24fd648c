// worktime's Cloudflare Worker: the extension's online API and the desktop
// daemon's batch sync, over D1 and KV. One Hono module per resource.
import { Hono } from "hono";
import { meterRequest } from "./cost";
import type { AppEnv } from "./env";
import { errorResponse, handleError } from "./errors";
import { corsForExtensions, privateNoStore, requireAuth } from "./middleware";
import { runScheduled } from "./purge";
import { auth } from "./routes/auth";
import { me } from "./routes/me";
import { sessions } from "./routes/sessions";
import { stats } from "./routes/stats";
import { sync } from "./routes/sync";

export type { Bindings } from "./env";

export function createApp() {
  const app = new Hono<AppEnv>();
  app.onError(handleError);
  app.notFound((c) => errorResponse(c, 404, "not_found", "not found"));

  app.use("*", meterRequest);
  app.use("*", corsForExtensions);

  app.get("/health", (c) => {
    c.header("Cache-Control", "no-store");
    return c.json({ status: "ok" });
  });

  app.route("/auth", auth);

  // Every /api route: private responses, a valid token and the per-user rate limit.
  app.use("/api/*", privateNoStore, requireAuth);
  app.route("/api/sessions", sessions);
  app.route("/api/stats", stats);
  app.route("/api/sync", sync);
  app.route("/api/me", me);
  return app;
}

const app = createApp();

export default {
  fetch: app.fetch,
  // The Cron Trigger: finishes account deletions in bounded chunks (src/purge.ts).
  scheduled(controller, env, ctx) {
    ctx.waitUntil(runScheduled(env, controller.cron));
  },
} satisfies ExportedHandler<AppEnv["Bindings"]>;
