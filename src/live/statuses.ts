import type { Code } from '../contract.js';

// Which HTTP statuses a failure can answer with (RB §16, §10.8). Used to tell which findings can
// explain an answer the user saw: a routing failure answers 503, so it cannot explain a 500.
// Codes missing here (environment, warnings) can produce anything and are never excluded.

const is = (...s: number[]) => (x: number) => s.includes(x);
const fiveXX = (x: number) => x >= 500 && x <= 599;

const CAN: Partial<Record<Code, (status: number) => boolean>> = {
  ROUTE_UNKNOWN: is(200, 404),
  ROUTE_NOT_DEPLOYED: is(200, 404),
  ROUTE_TRAILING_SLASH: is(301, 307),
  MODEL_UNRESOLVED: is(400),
  REQUEST_INVALID: is(400, 500),
  TOKEN_NOT_FOUND: is(401),
  TOKEN_KEY_MALFORMED: is(400, 401, 403),
  TOKEN_DISABLED: is(401),
  TOKEN_EXPIRED: is(401),
  TOKEN_EXHAUSTED: is(401, 403),
  TOKEN_MODEL_FORBIDDEN: is(403),
  TOKEN_IP_RESTRICTED: is(403),
  USER_MISSING: is(500),
  USER_BANNED: is(403),
  GROUP_NOT_USABLE: is(403, 503),
  GROUP_NOT_IN_RATIO: is(403),
  NO_CHANNEL_FOR_MODEL: is(503),
  GROUP_HAS_NO_CHANNEL: is(503),
  // 500 only on normal routes, as the retry's get_channel_failed (F38); 403 for a pinned channel.
  CHANNELS_ALL_DISABLED: is(403, 500, 503),
  ABILITIES_OUT_OF_SYNC: is(403, 503),
  ABILITY_DANGLING: is(503),
  LIST_ENTRY_WHITESPACE: is(503),
  ABILITY_GROUP_PANIC_RISK: is(500, 502, 503),
  // A stale routing view answers 503 (or 403 channel_disabled); its 500 needs the body's proof
  // (get_channel_failed … record not found), which the classifier gives explicitly.
  CACHE_STALE_CHANNELS: is(403, 503),
  CACHE_STALE_TOKEN: is(401, 403, 503),
  CACHE_STALE_USER: is(403, 503),
  AUTH_VERSION_FENCE: is(500),
  RELAY_NODES_DISAGREE: is(401, 403, 503),
  RELAY_OVERLOADED: is(503),
  RELAY_UNREACHABLE: is(502, 503, 504),
  CHANNEL_BASE_URL_MISSING: is(500),
  CHANNEL_KEY_MISSING: is(500),
  CHANNEL_ROW_UNREADABLE: is(500, 503),
  CHANNEL_TYPE_OUT_OF_RANGE: is(500),
  CHANNEL_JSON_INVALID: is(500),
  MODEL_PRICE_MISSING: is(400, 500),
  UPSTREAM_DNS_FAILED: is(500),
  UPSTREAM_CONNECT_FAILED: is(500),
  UPSTREAM_CONNECTION_DROPPED: is(500),
  UPSTREAM_TLS_FAILED: is(500),
  UPSTREAM_TIMEOUT: is(500, 504),
  UPSTREAM_5XX: (x) => fiveXX(x) || x === 202,
  UPSTREAM_AUTH_REJECTED: is(401, 403),
  UPSTREAM_HTML_RESPONSE: (x) => x === 200 || fiveXX(x),
  UPSTREAM_NO_CHANNEL: (x) => fiveXX(x),
  UPSTREAM_NOT_MODIFIED: is(304),
  UPSTREAM_REJECTED_REQUEST: (x) => x >= 400 && x <= 499,
};

/** true / false when known; undefined when the code can produce any answer. */
export function canAnswer(code: string, status: number): boolean | undefined {
  const f = (CAN as Record<string, (s: number) => boolean>)[code];
  return f ? f(status) : undefined;
}

export function codesWithStatusRule(): Code[] {
  return Object.keys(CAN) as Code[];
}
