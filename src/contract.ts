import type { FindingStatus, StageId } from './types.js';

// The finding codes of ../shared/contract.md, with the stage and default status they carry.
// Codes may be added here; never renamed or removed (CI pipelines key on them).
export interface CodeInfo {
  stage: StageId;
  status: FindingStatus;
}

const c = (stage: StageId, status: FindingStatus): CodeInfo => ({ stage, status });

export const CODES = {
  DB_UNREACHABLE: c('environment', 'fail'),
  SCHEMA_UNRECOGNIZED: c('environment', 'fail'),
  OPTION_JSON_INVALID: c('environment', 'fail'),
  CACHE_FORCED_ON: c('environment', 'warn'),
  REDIS_UNREACHABLE: c('environment', 'fail'),
  SECRET_EPHEMERAL: c('environment', 'warn'),
  DSN_MISPARSED: c('environment', 'fail'),
  SCHEMA_BEHIND_CODE: c('environment', 'fail'),
  DB_SLOW: c('environment', 'warn'),
  ROUTE_UNKNOWN: c('route', 'fail'),
  ROUTE_TRAILING_SLASH: c('route', 'warn'),
  MODEL_UNRESOLVED: c('route', 'fail'),
  ROUTE_NOT_DEPLOYED: c('route', 'fail'),
  REQUEST_INVALID: c('route', 'info'),
  TOKEN_NOT_FOUND: c('token', 'fail'),
  TOKEN_KEY_MALFORMED: c('token', 'fail'),
  TOKEN_DISABLED: c('token', 'fail'),
  TOKEN_EXPIRED: c('token', 'fail'),
  TOKEN_EXHAUSTED: c('token', 'fail'),
  TOKEN_MODEL_FORBIDDEN: c('token', 'fail'),
  TOKEN_IP_RESTRICTED: c('token', 'warn'),
  USER_MISSING: c('token', 'fail'),
  USER_BANNED: c('token', 'fail'),
  GROUP_NOT_USABLE: c('token', 'fail'),
  GROUP_NOT_IN_RATIO: c('token', 'fail'),
  GROUP_FALLBACK_TO_USER: c('token', 'info'),
  NO_CHANNEL_FOR_MODEL: c('distribute', 'fail'),
  GROUP_HAS_NO_CHANNEL: c('distribute', 'fail'),
  CHANNELS_ALL_DISABLED: c('distribute', 'fail'),
  ABILITIES_OUT_OF_SYNC: c('distribute', 'fail'),
  ABILITY_GROUP_PANIC_RISK: c('distribute', 'fail'),
  ABILITY_DANGLING: c('distribute', 'warn'),
  LIST_ENTRY_WHITESPACE: c('distribute', 'warn'),
  WEIGHT_ZERO_STARVED: c('distribute', 'warn'),
  CACHE_STALE_CHANNELS: c('cache', 'fail'),
  CACHE_STALE_TOKEN: c('cache', 'fail'),
  CACHE_STALE_USER: c('cache', 'fail'),
  AUTH_VERSION_FENCE: c('cache', 'fail'),
  CACHE_WINDOW_OPEN: c('cache', 'info'),
  RELAY_UNREACHABLE: c('cache', 'fail'),
  RELAY_NODES_DISAGREE: c('cache', 'fail'),
  RELAY_CRASH_LOOP: c('cache', 'fail'),
  CACHE_STALE_OPTIONS: c('cache', 'fail'),
  RELAY_BUILD_OUTDATED: c('cache', 'warn'),
  RELAY_OVERLOADED: c('cache', 'fail'),
  CHANNEL_BASE_URL_MISSING: c('channel', 'fail'),
  CHANNEL_BASE_URL_MALFORMED: c('channel', 'warn'),
  CHANNEL_KEY_MISSING: c('channel', 'fail'),
  CHANNEL_MULTIKEY_UNFLAGGED: c('channel', 'warn'),
  CHANNEL_TYPE_MISMATCH: c('channel', 'warn'),
  CHANNEL_JSON_INVALID: c('channel', 'fail'),
  STATUS_CODE_MAPPED_TO_5XX: c('channel', 'warn'),
  MODEL_PRICE_MISSING: c('channel', 'warn'),
  CHANNEL_ROW_UNREADABLE: c('channel', 'fail'),
  CHANNEL_TYPE_OUT_OF_RANGE: c('channel', 'fail'),
  PASSTHROUGH_FORWARDS_CREDENTIALS: c('channel', 'warn'),
  UPSTREAM_DNS_FAILED: c('upstream', 'fail'),
  UPSTREAM_CONNECT_FAILED: c('upstream', 'fail'),
  UPSTREAM_CONNECTION_DROPPED: c('upstream', 'fail'),
  UPSTREAM_TLS_FAILED: c('upstream', 'fail'),
  UPSTREAM_TIMEOUT: c('upstream', 'fail'),
  UPSTREAM_SLOW: c('upstream', 'warn'),
  UPSTREAM_5XX: c('upstream', 'fail'),
  UPSTREAM_AUTH_REJECTED: c('upstream', 'fail'),
  UPSTREAM_HTML_RESPONSE: c('upstream', 'fail'),
  UPSTREAM_NO_CHANNEL: c('upstream', 'fail'),
  UPSTREAM_CORS_DUPLICATE: c('upstream', 'warn'),
  UPSTREAM_NOT_MODIFIED: c('upstream', 'warn'),
  UPSTREAM_REJECTED_REQUEST: c('upstream', 'warn'),
  // Additions (failure-modes.md proposals and our own). Added, never renamed.
  REQUEST_MEDIA_URL_PRIVATE: c('route', 'warn'),
  POLL_ROUTING_AMBIGUOUS: c('route', 'warn'),
  PASSTHROUGH_BILLS_FAILURES: c('channel', 'info'),
  UPSTREAM_REDIRECT: c('upstream', 'warn'),
  UPSTREAM_PROBE_SKIPPED: c('upstream', 'info'),
  UPSTREAM_PROTOCOL_ERROR: c('upstream', 'fail'),
  UPSTREAM_HEALTHY: c('upstream', 'info'),
  ABILITY_PRIORITY_NULL: c('distribute', 'warn'),
  CHECK_CRASHED: c('environment', 'fail'),
  CACHE_PROBE_MAY_HEAL: c('cache', 'info'),
  RUN_TIMEOUT: c('environment', 'fail'),
} as const satisfies Record<string, CodeInfo>;

export type Code = keyof typeof CODES;

export function codeInfo(code: string): CodeInfo | undefined {
  return (CODES as Record<string, CodeInfo>)[code];
}
