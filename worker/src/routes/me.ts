// The signed-in account: read it, set its time zone, delete all of its data.
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { limitBody, revokedKey } from "../middleware";
import { deleteUser, getUser } from "../queries";
import { MAX_BODY_BYTES, meBody, validate } from "../schemas";
import { changeTimeZone } from "../session-writes";
import { userJSON } from "./auth";

export const me = new Hono<AppEnv>();

me.get("/", async (c) => {
  const row = await getUser(c.env.DB, c.var.user.id);
  if (!row) throw new ApiError(404, "not_found", "no such user");
  return c.json({ user: userJSON(row) });
});

me.patch("/", limitBody(MAX_BODY_BYTES), validate("json", meBody), async (c) => {
  const { time_zone } = c.req.valid("json");
  if (time_zone !== c.var.user.timeZone) await changeTimeZone(c.env.DB, c.var.user.id, time_zone);
  const row = await getUser(c.env.DB, c.var.user.id);
  if (!row) throw new ApiError(404, "not_found", "no such user");
  return c.json({ user: userJSON(row) });
});

// Deletes every D1 row of the user and revokes the token used; other tokens
// of the user stop working because the user no longer exists.
me.delete("/", async (c) => {
  const user = c.var.user;
  await deleteUser(c.env.DB, user.id);
  const ttl = Math.max(60, user.exp - Math.floor(Date.now() / 1000) + 1);
  await c.env.KV.put(revokedKey(user.jti), "1", { expirationTtl: ttl });
  return c.body(null, 204);
});
