/** How to read the relay's zone-less timestamps: the machine's zone, UTC, or a fixed offset. */
export type TimeZoneSpec = { kind: 'local' } | { kind: 'offset'; minutes: number };

export function parseTimeZone(spec: string | undefined): TimeZoneSpec {
  if (spec === undefined || spec === '' || spec === 'local') return { kind: 'local' };
  if (spec === 'utc' || spec === 'UTC' || spec === 'Z') return { kind: 'offset', minutes: 0 };
  const m = /^([+-])(\d{1,2}):?(\d{2})?$/.exec(spec);
  if (!m) throw new Error(`--tz expects local, utc or an offset such as +08:00, got "${spec}"`);
  const minutes = (Number(m[2]) * 60 + Number(m[3] ?? 0)) * (m[1] === '-' ? -1 : 1);
  if (Math.abs(minutes) > 14 * 60) throw new Error(`--tz offset out of range: ${spec}`);
  return { kind: 'offset', minutes };
}

const d2 = (s: string, i: number) => (s.charCodeAt(i) - 48) * 10 + (s.charCodeAt(i + 1) - 48);

/**
 * Epoch ms of `2006/01/02 - 15:04:05` (gap " - ") or `2006/01/02 15:04:05` (gap " ") starting at `at`.
 * Returns undefined for anything that is not such a timestamp.
 */
export function relayTime(s: string, at: number, gapLen: 1 | 3, tz: TimeZoneSpec): number | undefined {
  // Neighbouring lines share their second: remember the last answer (Date construction is the cost).
  const key = s.substr(at, gapLen === 3 ? 21 : 19);
  if (key === cache.key && tz === cache.tz) return cache.value;
  const value = computeTime(s, at, gapLen, tz);
  cache.key = key;
  cache.tz = tz;
  cache.value = value;
  return value;
}

const cache: { key: string; tz: TimeZoneSpec | undefined; value: number | undefined } = { key: '', tz: undefined, value: undefined };

function computeTime(s: string, at: number, gapLen: 1 | 3, tz: TimeZoneSpec): number | undefined {
  const y = d2(s, at) * 100 + d2(s, at + 2);
  const mo = d2(s, at + 5);
  const d = d2(s, at + 8);
  const t = at + 10 + gapLen;
  const h = d2(s, t);
  const mi = d2(s, t + 3);
  const se = d2(s, t + 6);
  if (!(y > 1970 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && se <= 60)) return undefined;
  if (tz.kind === 'local') return new Date(y, mo - 1, d, h, mi, se).getTime();
  return Date.UTC(y, mo - 1, d, h, mi, se) - tz.minutes * 60_000;
}

/** `YYYY-MM-DD HH:MM:SS` in the zone the user reads logs in. */
export function formatClock(ms: number, tz: TimeZoneSpec): string {
  const d = tz.kind === 'local' ? new Date(ms) : new Date(ms + tz.minutes * 60_000);
  const get = tz.kind === 'local'
    ? [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()]
    : [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${get[0]}-${p(get[1]!)}-${p(get[2]!)} ${p(get[3]!)}:${p(get[4]!)}:${p(get[5]!)}`;
}

/** Go's time.Duration text (`657.458µs`, `1m0.19s`, `2h3m4.5s`) in ms; undefined when malformed. */
export function parseGoDuration(text: string): number | undefined {
  // Hand-rolled: this runs on every access-log line.
  const s = text.trim();
  const len = s.length;
  if (len === 0) return undefined;
  if (s === '0') return 0;
  let total = 0;
  let i = 0;
  while (i < len) {
    const start = i;
    let c = s.charCodeAt(i);
    while ((c >= 48 && c <= 57) || c === 46) c = s.charCodeAt(++i);
    if (i === start) return undefined;
    const num = Number(s.slice(start, i));
    if (Number.isNaN(num)) return undefined;
    let unit: number;
    if (c === 104) (unit = 3_600_000), i++; // h
    else if (c === 109) {
      if (s.charCodeAt(i + 1) === 115) (unit = 1), (i += 2); // ms
      else (unit = 60_000), i++; // m
    } else if (c === 115) (unit = 1000), i++; // s
    else if ((c === 117 || c === 0xb5 || c === 0x3bc) && s.charCodeAt(i + 1) === 115) (unit = 1e-3), (i += 2); // us, µs, μs
    else if (c === 110 && s.charCodeAt(i + 1) === 115) (unit = 1e-6), (i += 2); // ns
    else return undefined;
    total += num * unit;
  }
  return total;
}

/** `1h`, `30m`, `2d`, `45s`, `1w` ago, or an ISO date: epoch ms. */
export function parseSince(spec: string, now: number): number {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/.exec(spec.trim());
  if (m) {
    const mult = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2] as 's'];
    return now - Number(m[1]) * mult;
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(spec.trim())) {
    const t = Date.parse(spec.trim());
    if (!Number.isNaN(t)) return t;
  }
  throw new Error(`expected a duration such as 30m, 1h, 2d or an ISO date, got "${spec}"`);
}
