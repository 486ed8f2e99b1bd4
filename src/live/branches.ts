import type { Code } from '../contract.js';
import type { Snapshot, TargetFacts } from '../diagnose/facts.js';
import type { Finding } from '../types.js';
import { ROUTING_CODES, type Classification } from './catalogue.js';

// Where a 500 can come from on the request's route (failure-modes.md F1's table for the
// passthrough; RB §16.4 for normal routes), and which branches the evidence proves or excludes.

export type BranchState = 'proven' | 'supported' | 'possible' | 'excluded';

export interface Branch {
  id: string;
  title: string;
  /** The answer this branch gives. */
  answer: string;
  codes: Code[];
  entries: string[];
  state: BranchState;
  why: string;
}

interface Def {
  id: string;
  title: string;
  answer: string;
  codes: Code[];
  entries: string[];
  /** The body proves this branch. */
  match(c: Classification): boolean;
  /** Database-side evidence when only the status is known. */
  db?(e: Evidence): { state: BranchState; why: string } | undefined;
}

interface Evidence {
  snap: Snapshot;
  target: TargetFacts;
  fails: Set<string>;
}

const TRANSPORT: Code[] = ['UPSTREAM_TLS_FAILED', 'UPSTREAM_TIMEOUT', 'UPSTREAM_CONNECT_FAILED', 'UPSTREAM_DNS_FAILED', 'UPSTREAM_CONNECTION_DROPPED', 'CHANNEL_BASE_URL_MALFORMED'];

const chans = (e: Evidence) => e.target.channels.map((c) => `#${c.id}`).join(', ');

function supportedBy(e: Evidence, codes: Code[]): { state: BranchState; why: string } | undefined {
  const hit = codes.filter((c) => e.fails.has(c));
  return hit.length ? { state: 'supported', why: `the database shows ${hit.join(', ')}` } : undefined;
}

const OWNER: Def = {
  id: 'tokenauth-owner',
  title: "TokenAuth could not load the token's owner",
  answer: '500 new_api_error "record not found" (NA-main: "Database error…")',
  codes: ['USER_MISSING', 'AUTH_VERSION_FENCE'],
  entries: ['F11', 'F37'],
  match: (c) => c.kind === 'owner-lookup',
  db(e) {
    const s = supportedBy(e, this.codes);
    if (s) return s;
    const u = e.target.token?.user;
    if (!u || u.deleted) return undefined;
    const fence = e.snap.product.build === 'NA-main' ? (e.snap.live?.redis?.ok ? 'and Redis holds no auth-version fence above it' : undefined) : 'and the auth-version fence exists only in new-api ≥ 2026-07-20';
    return fence ? { state: 'excluded', why: `users row #${u.id} exists and is not deleted, ${fence}` } : { state: 'possible', why: `users row #${u.id} exists; an auth-version fence in Redis is not ruled out (give --redis)` };
  },
};

const PANIC: Def = {
  id: 'panic',
  title: 'a panic in the relay',
  answer: '500 new_api_panic "Panic detected, error: …"',
  codes: ['ABILITY_GROUP_PANIC_RISK', 'CHANNEL_TYPE_OUT_OF_RANGE'],
  entries: ['F23', 'F48'],
  match: (c) => c.kind === 'panic',
  db(e) {
    return supportedBy(e, this.codes) ?? (e.target.channels.length ? { state: 'excluded', why: `no panic risk in the database: every channel group has abilities rows, and ${chans(e)} has a type within the build's table` } : undefined);
  },
};

const STALE_DELETED: Def = {
  id: 'stale-view-deleted',
  title: 'the routing view holds a channel the database no longer has',
  answer: '500 {"code":"get_channel_failed","message":"获取渠道失败: record not found"}',
  codes: ['CACHE_STALE_CHANNELS'],
  entries: ['F29'],
  match: (c) => c.errorCode === 'get_channel_failed' && c.code === 'CACHE_STALE_CHANNELS',
  db: (e) => ({ state: 'possible', why: `only while a node's routing view still holds a channel deleted or re-created since its last rebuild (the database's candidates ${chans(e) || '(none)'} exist); only the body can prove it, so the verdict never blames the cache for a 500 without it` }),
};

const ROW: Def = {
  id: 'row-unreadable',
  title: "the passthrough cannot read the channel's row",
  answer: '500 {"code":"get_channel_failed","message":"获取渠道失败: sql: Scan error …"}',
  codes: ['CHANNEL_ROW_UNREADABLE'],
  entries: ['F47'],
  match: (c) => c.code === 'CHANNEL_ROW_UNREADABLE',
  db(e) {
    return supportedBy(e, this.codes) ?? (e.target.channels.length ? { state: 'excluded', why: `relay-doctor read the row of ${chans(e)} without a scan problem` } : undefined);
  },
};

const REREAD: Def = {
  id: 'db-reread',
  title: "the passthrough's database re-read failed",
  answer: '500 {"code":"get_channel_failed","message":"获取渠道失败: <database error>"}',
  codes: ['DB_SLOW', 'DB_UNREACHABLE'],
  entries: ['F72'],
  match: (c) => c.errorCode === 'get_channel_failed' && c.code === 'DB_SLOW',
  db: (e) => supportedBy(e, ['DB_SLOW', 'DB_UNREACHABLE']) ?? { state: 'possible', why: `relay-doctor's own connection answered in ${e.snap.db.pingMs} ms; the relay's pool may still time out` },
};

const NO_KEY: Def = {
  id: 'no-key',
  title: 'the channel has no usable key',
  answer: '500 {"code":"no_available_key",…}',
  codes: ['CHANNEL_KEY_MISSING'],
  entries: ['F41', 'F42'],
  match: (c) => c.code === 'CHANNEL_KEY_MISSING',
  db(e) {
    return supportedBy(e, this.codes) ?? (e.target.channels.length ? { state: 'excluded', why: `${chans(e)} has a key` } : undefined);
  },
};

const NO_BASE: Def = {
  id: 'no-base-url',
  title: 'the channel has no base_url',
  answer: '500 {"code":"invalid_base_url",…}',
  codes: ['CHANNEL_BASE_URL_MISSING'],
  entries: ['F39', 'F44'],
  match: (c) => c.code === 'CHANNEL_BASE_URL_MISSING',
  db(e) {
    return supportedBy(e, this.codes) ?? (e.target.channels.length ? { state: 'excluded', why: `${chans(e)} has a base_url` } : undefined);
  },
};

const TRANSPORT_DEF: Def = {
  id: 'transport',
  title: 'the passthrough could not reach the upstream (DNS, connect, TLS, 60 s header wait, reset)',
  answer: '500 {"code":"request_failed","message":"转发请求到旧网关失败: … <Go error>"}',
  codes: TRANSPORT,
  entries: ['F51', 'F52', 'F53', 'F54', 'F40'],
  match: (c) => c.errorCode === 'request_failed',
  db: (e) => supportedBy(e, TRANSPORT) ?? { state: 'possible', why: 'needs the body, --live, or a direct upstream probe' },
};

const BODY_READ: Def = {
  id: 'body-read',
  title: "the upstream's body could not be read",
  answer: '500 {"code":"response_processing_failed",…}',
  codes: ['UPSTREAM_CONNECTION_DROPPED', 'UPSTREAM_SLOW', 'UPSTREAM_TIMEOUT'],
  entries: ['F53', 'F55'],
  match: (c) => c.errorCode === 'response_processing_failed',
  db: () => ({ state: 'possible', why: 'needs the body or --live' }),
};

const UPSTREAM_OWN: Def = {
  id: 'upstream-own',
  title: "the upstream's own 500, passed through verbatim",
  answer: 'any other body; two X-Oneapi-Request-Id values; a request id starting with B',
  codes: ['UPSTREAM_5XX'],
  entries: ['F56'],
  match: (c) => c.origin === 'upstream',
  db: (e) => supportedBy(e, ['UPSTREAM_5XX']) ?? { state: 'possible', why: 'needs the body, the response headers, --live, or a direct upstream probe' },
};

const ROUTING: Def = {
  id: 'routing',
  title: 'no channel for (group, model) in the routing view: stale memory cache, groups, abilities',
  answer: '503 model_not_found (分组 … 下模型 … 无可用渠道) — never a 500',
  codes: ROUTING_CODES.filter((c) => c !== 'CHANNEL_ROW_UNREADABLE' && c !== 'ABILITY_GROUP_PANIC_RISK'),
  entries: ['F20', 'F27', 'F30', 'F31'],
  match: () => false,
  db: () => ({ state: 'excluded', why: 'routing failures answer 503 in this build, not 500' }),
};

const REQUEST: Def = { id: 'request-invalid', title: "request validation after channel selection (the client's body)", answer: '500 invalid_request "field … is required"', codes: ['REQUEST_INVALID'], entries: ['F77'], match: (c) => c.kind === 'request-invalid', db: () => ({ state: 'possible', why: 'depends on the body the client sent' }) };
const PRICE: Def = { id: 'model-price', title: 'no price or ratio for the model', answer: '500 model_price_error', codes: ['MODEL_PRICE_MISSING'], entries: ['F70'], match: (c) => c.code === 'MODEL_PRICE_MISSING', db(e) { return supportedBy(e, this.codes) ?? { state: 'excluded', why: 'the database prices the model' }; } };
const JSON_FIELDS: Def = { id: 'channel-json', title: 'a channel JSON field is invalid', answer: '500 channel:model_mapped_error / param_override_invalid', codes: ['CHANNEL_JSON_INVALID'], entries: ['F45'], match: (c) => c.code === 'CHANNEL_JSON_INVALID', db(e) { return supportedBy(e, this.codes) ?? (e.target.channels.length ? { state: 'excluded', why: `the JSON fields of ${chans(e)} parse` } : undefined); } };
const RETRY: Def = { id: 'retry-no-channel', title: "a retry found no channel (hides the first attempt's upstream error)", answer: '500 get_channel_failed "…（retry）"', codes: ['CHANNELS_ALL_DISABLED'], entries: ['F38'], match: (c) => c.kind === 'relay-error' && c.code === 'CHANNELS_ALL_DISABLED', db: (e) => supportedBy(e, ['CHANNELS_ALL_DISABLED']) ?? { state: 'possible', why: 'only when the first attempt failed and auto-disabled the channel' } };
const DO_REQUEST: Def = { ...TRANSPORT_DEF, answer: '500 do_request_failed "upstream error: do request failed"', entries: ['F54'], match: (c) => c.kind === 'relay-error' && TRANSPORT.includes(c.code as Code) };
const REDIS: Def = { id: 'redis', title: 'the rate limiter failed on Redis', answer: '500 rate_limit_check_failed', codes: ['REDIS_UNREACHABLE'], entries: ['F74'], match: (c) => c.code === 'REDIS_UNREACHABLE', db: (e) => supportedBy(e, ['REDIS_UNREACHABLE']) ?? (e.snap.redis?.ok ? { state: 'excluded', why: 'Redis answered relay-doctor' } : { state: 'possible', why: 'Redis was not checked' }) };

const PASSTHROUGH_500: Def[] = [OWNER, PANIC, STALE_DELETED, ROW, REREAD, NO_KEY, NO_BASE, TRANSPORT_DEF, BODY_READ, UPSTREAM_OWN, ROUTING];
const NORMAL_500: Def[] = [OWNER, PANIC, REDIS, REQUEST, PRICE, JSON_FIELDS, NO_KEY, RETRY, DO_REQUEST, UPSTREAM_OWN, ROUTING];

/** The branches a 500 can come from, marked by the body (when known) and by the database. */
export function branches500(snap: Snapshot, target: TargetFacts, findings: Finding[], passthrough: boolean, c: Classification | undefined): Branch[] {
  const defs = passthrough ? PASSTHROUGH_500 : NORMAL_500;
  const e: Evidence = { snap, target, fails: new Set(findings.filter((f) => f.status === 'fail').map((f) => f.code)) };
  const proven = c ? defs.find((d) => d.match(c)) : undefined;
  return defs.map((d) => {
    const base = { id: d.id, title: d.title, answer: d.answer, codes: d.codes, entries: d.entries };
    if (proven) {
      if (d === proven) return { ...base, state: 'proven' as const, why: c!.originWhy.length ? c!.originWhy.join('; ') : c!.meaning };
      const got = c!.origin === 'upstream' ? "the answer is the upstream's own, not one the relay writes" : `the body is ${c!.errorCode ? `code ${c!.errorCode}` : `a ${c!.envelope} answer`}, not this branch's answer`;
      return { ...base, state: 'excluded' as const, why: d === ROUTING ? 'routing failures answer 503 in this build, not 500' : got };
    }
    const m = d.db?.(e);
    return { ...base, state: m?.state ?? 'possible', why: m?.why ?? 'no evidence either way' };
  });
}
