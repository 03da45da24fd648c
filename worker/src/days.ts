// Splitting sessions into calendar days of the user's IANA time zone.
//
// The rule (docs/architecture.md, "Days"): a session [start, end) is split at
// every local midnight inside it, that is at every instant where the local
// calendar date changes; each date gets the seconds of its parts.
// session_count counts a session on every date where it has at least one
// second; a zero-length session counts on the date of its start.

/** One day's share of a session. */
export interface DayPart {
  date: string; // YYYY-MM-DD
  seconds: number;
  counted: 0 | 1;
}

const DAY = 86400;
const HALF_DAY = DAY / 2;

/**
 * The runtime's canonical name of an IANA zone ("europe/berlin" →
 * "Europe/Berlin"), or null if the runtime does not know it. Zones are stored
 * canonical, so spellings of one zone compare equal.
 */
export function canonicalTimeZone(tz: string): string | null {
  if (tz === "" || tz.length > 64) return null;
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** Returns whether tz is an IANA zone name the runtime knows. */
export function isValidTimeZone(tz: string): boolean {
  return canonicalTimeZone(tz) !== null;
}

/**
 * Local calendar arithmetic for one zone. Formatting is the expensive part:
 * the UTC offset is sampled at the edges of 12-hour buckets (a transition
 * inside a bucket is found by bisection, once), so splitting many sessions
 * costs a handful of formatter calls per half day they touch, not per
 * session. This assumes at most one offset change per 12 hours, which holds
 * for every zone in the tz database since 1970.
 */
export class ZoneCalendar {
  private readonly fmt: Intl.DateTimeFormat;
  private readonly sampled = new Map<number, number>();
  private readonly buckets = new Map<number, { at: number; before: number; after: number }>();

  constructor(readonly timeZone: string) {
    this.fmt = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
  }

  /** The zone's UTC offset (seconds) at unix second t, from the formatter. */
  private formatOffset(t: number): number {
    const hit = this.sampled.get(t);
    if (hit !== undefined) return hit;
    let y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    for (const p of this.fmt.formatToParts(new Date(t * 1000))) {
      switch (p.type) {
        case "year": y = Number(p.value); break;
        case "month": mo = Number(p.value); break;
        case "day": d = Number(p.value); break;
        case "hour": h = Number(p.value); break;
        case "minute": mi = Number(p.value); break;
        case "second": s = Number(p.value); break;
      }
    }
    const offset = Date.UTC(y, mo - 1, d, h, mi, s) / 1000 - t;
    if (this.sampled.size > 8192) this.sampled.clear();
    this.sampled.set(t, offset);
    return offset;
  }

  /** The UTC offset (seconds) at unix second t. */
  offsetAt(t: number): number {
    const b = Math.floor(t / HALF_DAY);
    let seg = this.buckets.get(b);
    if (seg === undefined) {
      const s0 = b * HALF_DAY;
      const s1 = s0 + HALF_DAY;
      const o0 = this.formatOffset(s0);
      const o1 = this.formatOffset(s1);
      if (o0 === o1) {
        seg = { at: Infinity, before: o0, after: o0 };
      } else {
        let lo = s0; // offset o0
        let hi = s1; // offset o1
        while (hi - lo > 1) {
          const mid = Math.floor((lo + hi) / 2);
          if (this.formatOffset(mid) === o0) lo = mid;
          else hi = mid;
        }
        seg = { at: hi, before: o0, after: o1 };
      }
      if (this.buckets.size > 8192) this.buckets.clear();
      this.buckets.set(b, seg);
    }
    return t < seg.at ? seg.before : seg.after;
  }

  /** Local date and UTC offset (seconds) at unix second t. */
  local(t: number): { date: string; offset: number } {
    const offset = this.offsetAt(t);
    return { date: new Date((t + offset) * 1000).toISOString().slice(0, 10), offset };
  }

  dateOf(t: number): string {
    return this.local(t).date;
  }

  /** The first instant after t whose local date differs from t's. */
  nextDayStart(t: number): number {
    const { date, offset } = this.local(t);
    const midnightAsUTC = Date.parse(date + "T00:00:00Z") / 1000 + DAY;
    // Try the offsets around the boundary; keep the earliest valid one.
    const candidates = new Set<number>();
    let x = midnightAsUTC - offset;
    candidates.add(x);
    for (let i = 0; i < 3; i++) {
      x = midnightAsUTC - this.local(x).offset;
      candidates.add(x);
    }
    let best = Infinity;
    for (const c of candidates) {
      if (c > t && c < best && this.isBoundary(c, date)) best = c;
    }
    if (best !== Infinity) return best;
    return this.searchBoundary(t, date);
  }

  private isBoundary(x: number, date: string): boolean {
    return this.dateOf(x) !== date && this.dateOf(x - 1) === date;
  }

  // Fallback for zones whose day does not start at a computable midnight:
  // binary search for a date change in (t, t + 3 days].
  private searchBoundary(t: number, date: string): number {
    let lo = t; // dateOf(lo) === date
    let hi = t + 3 * DAY;
    while (this.dateOf(hi) === date) hi += DAY;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.dateOf(mid) === date) lo = mid;
      else hi = mid;
    }
    return hi;
  }

  /** Splits [start, end) into per-date parts, in date order of appearance. */
  split(start: number, end: number): DayPart[] {
    if (end <= start) {
      return [{ date: this.dateOf(start), seconds: 0, counted: 1 }];
    }
    // Fast path: same local date and offset at both ends of a span shorter
    // than a day means no midnight and no offset change lies inside it.
    if (end - start < DAY) {
      const a = this.local(start);
      const b = this.local(end - 1);
      if (a.date === b.date && a.offset === b.offset) {
        return [{ date: a.date, seconds: end - start, counted: 1 }];
      }
    }
    const byDate = new Map<string, number>();
    let t = start;
    while (t < end) {
      const date = this.dateOf(t);
      const next = Math.min(this.nextDayStart(t), end);
      byDate.set(date, (byDate.get(date) ?? 0) + (next - t));
      t = next;
    }
    const parts: DayPart[] = [];
    for (const [date, seconds] of byDate) {
      parts.push({ date, seconds, counted: seconds >= 1 ? 1 : 0 });
    }
    return parts;
  }

  /** The local date n days before the date of t (n = 0 is t's date). */
  dateDaysBefore(t: number, n: number): string {
    const d = new Date(Date.parse(this.dateOf(t) + "T00:00:00Z") - n * DAY * 1000);
    return d.toISOString().slice(0, 10);
  }
}


/** The first instant (unix seconds) of local date `date` (YYYY-MM-DD) in cal's zone. */
export function startOfDate(cal: ZoneCalendar, date: string): number {
  const prevNoon = Date.parse(date + "T00:00:00Z") / 1000 - DAY / 2;
  const approx = prevNoon - cal.local(prevNoon).offset;
  return cal.nextDayStart(approx);
}

/** A local date as days since 1970-01-01 (the form stats aggregate on). */
export function dayNumber(date: string): number {
  return Date.parse(date + "T00:00:00Z") / (DAY * 1000);
}

export function dateOfDayNumber(n: number): string {
  return new Date(n * DAY * 1000).toISOString().slice(0, 10);
}

/** One local day's share of a session, by day number. */
export interface DayNumberPart {
  day: number;
  seconds: number;
  counted: 0 | 1;
}

/**
 * split() by day number, with a fast path that formats nothing for a session
 * inside one local day at one offset (nearly all of them): stats split every
 * session they read on each request, so this path is what their CPU is.
 */
export function splitDays(cal: ZoneCalendar, start: number, end: number): DayNumberPart[] {
  const off = cal.offsetAt(start);
  const day = Math.floor((start + off) / DAY);
  if (end <= start) return [{ day, seconds: 0, counted: 1 }];
  if (end - start < DAY && cal.offsetAt(end - 1) === off && Math.floor((end - 1 + off) / DAY) === day) {
    return [{ day, seconds: end - start, counted: 1 }];
  }
  return cal.split(start, end).map((p) => ({ day: dayNumber(p.date), seconds: p.seconds, counted: p.counted }));
}
