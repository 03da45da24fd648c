// The signed-in account: read it, set its time zone, delete all of its data.
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { limitBody } from "../middleware";
import { deleteUser, purgeChunk, setTimeZone } from "../queries";
import { forgetUserShard } from "../shards";
import { MAX_BODY_BYTES, meBody, validate } from "../schemas";
import { userJSON } from "./auth";

export const me = new Hono<AppEnv>();

// Authentication already read the whole users row.
me.get("/", (c) => {
  const u = c.var.user;
  return c.json({ user: userJSON({ id: u.id, login: u.login, email: u.email, avatar_url: u.avatarUrl, time_zone: u.timeZone }) });
});

// One row: stats are computed per request in the zone in force.
me.patch("/", limitBody(MAX_BODY_BYTES), validate("json", meBody), async (c) => {
  const row = await setTimeZone(c.env.DB, c.var.user.id, c.req.valid("json").time_zone);
  if (!row) throw new ApiError(401, "unauthorized", "user no longer exists");
  return c.json({ user: userJSON(row) });
});

// Deletes the user's identity at once (every token of the user stops working:
// the user no longer exists, and ids are never reused, so a new sign-in of the
// same GitHub account starts from nothing) and the first chunk of sessions,
// on the user's shard, then the user's row of the shard directory, if any; the
// Cron Trigger removes the rest of the sessions on every shard (src/purge.ts).
// A bounded number of queries whatever the history.
me.delete("/", async (c) => {
  const userId = c.var.user.id;
  const { githubUserId } = await deleteUser(c.env.DB, userId, Math.floor(Date.now() / 1000));
  await purgeChunk(c.env.DB, userId);
  if (githubUserId !== null) await forgetUserShard(c.env, c.var.directory, githubUserId);
  return c.body(null, 204);
});
