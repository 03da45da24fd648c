// The worker's own tokens: HS256 JWTs with sub, login, shard, iat, exp and jti.
import { sign, verify } from "hono/jwt";
import { ApiError } from "./errors";
import { MAX_SHARDS } from "./shards";

const ALG = "HS256" as const;

export interface TokenClaims {
  sub: string; // users.id, unique within the user's shard
  login: string;
  /** The user's shard (src/shards.ts); tokens issued before shards had none: 0. */
  shard: number;
  iat: number;
  exp: number;
  jti: string;
}

export async function issueToken(
  secret: string,
  user: { id: number; login: string; shard?: number },
  nowSeconds: number,
  ttlSeconds: number,
): Promise<{ jwt: string; claims: TokenClaims }> {
  requireSecret(secret);
  const claims: TokenClaims = {
    sub: String(user.id),
    login: user.login,
    shard: user.shard ?? 0,
    iat: nowSeconds,
    exp: nowSeconds + ttlSeconds,
    jti: crypto.randomUUID(),
  };
  const jwt = await sign({ ...claims }, secret, ALG);
  return { jwt, claims };
}

/** Verifies signature (HS256 only), exp and the claims' shape. */
export async function verifyToken(secret: string, token: string): Promise<TokenClaims> {
  requireSecret(secret);
  let payload: Record<string, unknown>;
  try {
    payload = (await verify(token, secret, { alg: ALG, exp: true, nbf: true, iat: true })) as Record<string, unknown>;
  } catch (err) {
    const name = (err as Error)?.name ?? "";
    const msg = name === "JwtTokenExpired" ? "token expired" : "invalid token";
    throw new ApiError(401, "unauthorized", msg);
  }
  const { sub, login, iat, exp, jti } = payload;
  const shard = payload.shard ?? 0;
  if (
    typeof sub !== "string" || !/^[1-9][0-9]{0,15}$/.test(sub) ||
    typeof login !== "string" ||
    typeof shard !== "number" || !Number.isInteger(shard) || shard < 0 || shard >= MAX_SHARDS ||
    typeof iat !== "number" ||
    typeof exp !== "number" ||
    typeof jti !== "string" || jti === ""
  ) {
    throw new ApiError(401, "unauthorized", "invalid token claims");
  }
  return { sub, login, shard, iat, exp, jti };
}

function requireSecret(secret: string) {
  if (!secret || secret.length < 16) {
    // A missing secret is a deployment error, not the client's.
    throw new Error("JWT_SECRET is not set or too short");
  }
}
