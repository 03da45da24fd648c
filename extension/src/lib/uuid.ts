/** Session ids: UUIDv7 (RFC 9562), minted in the extension so a retried start is idempotent. */

/**
 * uuidv7 builds a UUIDv7 from a time in ms and 10 random bytes (taken from
 * `random`, which must return at least 10 bytes). Pure, so it can be tested.
 */
export function uuidv7(nowMs: number, random: Uint8Array): string {
  if (!Number.isInteger(nowMs) || nowMs < 0 || nowMs >= 2 ** 48) {
    throw new RangeError(`uuidv7: time ${nowMs} is not a 48-bit ms timestamp`);
  }
  if (random.length < 10) throw new RangeError(`uuidv7: need 10 random bytes, got ${random.length}`);
  const b = new Uint8Array(16);
  let t = nowMs;
  for (let i = 5; i >= 0; i--) {
    b[i] = t % 256;
    t = Math.floor(t / 256);
  }
  b.set(random.subarray(0, 10), 6);
  b[6] = 0x70 | (b[6]! & 0x0f); // version 7
  b[8] = 0x80 | (b[8]! & 0x3f); // variant 10
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** newSessionId mints a UUIDv7 with the platform's clock and CSPRNG. */
export function newSessionId(): string {
  return uuidv7(Date.now(), crypto.getRandomValues(new Uint8Array(10)));
}
