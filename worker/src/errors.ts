// The one error shape of the API: {error:{code, message}}.
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

export type ErrorCode =
  | "bad_request"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "too_large"
  | "rate_limited"
  | "bad_gateway"
  | "internal";

/** An error whose code and message are safe to show to the client. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export function errorBody(code: ErrorCode, message: string) {
  return { error: { code, message } };
}

/** Seconds a rate-limited client is asked to wait (the limiters count per 60 s window). */
export const RETRY_AFTER_SECONDS = 10;

/** The error response; every 429 carries Retry-After. */
export function errorResponse(c: Context, status: ContentfulStatusCode, code: ErrorCode, message: string) {
  if (status === 429) c.header("Retry-After", String(RETRY_AFTER_SECONDS));
  return c.json(errorBody(code, message), status);
}

/** app.onError: known errors keep their code; anything else is a bare 500. */
export function handleError(err: Error, c: Context) {
  if (err instanceof ApiError) {
    return errorResponse(c, err.status, err.code, err.message);
  }
  // HTTPException from hono itself (e.g. a malformed JSON body): its
  // messages are fixed strings, safe to show.
  if (err instanceof HTTPException && err.status >= 400 && err.status < 500) {
    const code: ErrorCode = err.status === 413 ? "too_large" : err.status === 401 ? "unauthorized" : "bad_request";
    return errorResponse(c, err.status as ContentfulStatusCode, code, err.message || "bad request");
  }
  console.error("unhandled error", err);
  return errorResponse(c, 500, "internal", "internal error");
}
