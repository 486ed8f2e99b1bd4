import type { Code } from '../contract.js';
import { goNetError } from '../logs/goerr.js';
import type { Build } from '../relay/product.js';
import { headerRequestIds, parseEnvelope, type Envelope, type Parsed } from './envelope.js';
import type { Answer } from './http.js';

// The relay's error catalogue (RB §6.3, §8.4–§8.6, §9, §10.8, §11.1, §16; the triage table of
// failure-modes.md) as one classifier. The zero-cost probe, --live and --seen-* all read answers
// through it, so an answer means the same thing wherever it was seen.

export type AnswerKind =
  | 'web-page' // 200 HTML: the relay's NoRoute page (or the upstream's page passed through)
  | 'invalid-url' // 404 Invalid URL: unknown /v1, /api, /assets path
  | 'redirect' // 301/307: trailing slash
  | 'proxy-error' // 502/503/504 from something in front of the relay
  | 'channel-selected' // probe: request validation failed after Distribute chose a channel
  | 'request-invalid' // the same validation failure for a real request: the client's body
  | 'no-channel' // 503 model_not_found "no available channel"
  | 'selector-error' // 503 model_not_found "failed to get available channel …: <err>"
  | 'model-unresolved' // 400: no routing model, or a body that is not JSON
  | 'token-refused' // 401 TokenAuth
  | 'access-refused' // 403 TokenAuth / Distribute
  | 'owner-lookup' // 500 TokenAuth could not load the owner (record not found, Database error)
  | 'rate-limited' // 429
  | 'overloaded' // 503 system_*_overloaded
  | 'redis-error' // rate limiter failing on Redis
  | 'panic' // 500 new_api_panic
  | 'passthrough-error' // BF passthrough's own TaskError
  | 'relay-error' // a local relay error of a normal route (price, mapping, retry, transport)
  | 'upstream' // the upstream's own answer, passed through
  | 'success'
  | 'unknown';

export type Origin = 'relay' | 'upstream' | 'proxy' | 'unknown';

export interface AnswerContext {
  /** The build the database says the relay runs. */
  build?: Build;
  /** The request's route reaches the Bltcy passthrough. */
  passthrough?: boolean;
  /** The answer is to relay-doctor's own zero-cost probe. */
  probe?: boolean;
  /** The profile knows the request's route (HTML/404 then means "not deployed"). */
  routeKnown?: boolean;
}

export interface Classification {
  status: number;
  kind: AnswerKind;
  /** The contract code this answer proves or points at (undefined when the database must decide). */
  code?: Code;
  /** Codes whose failure can produce exactly this answer. */
  consistent: Code[];
  meaning: string;
  origin: Origin;
  /** Why the origin was decided (upstream marks, envelope). */
  originWhy: string[];
  envelope: Envelope;
  errorType?: string;
  errorCode?: string;
  /** Message without the request id, at most 300 characters. */
  message?: string;
  requestIds: { headers: string[]; body?: string };
  /** For no-channel answers: the group and model the relay names. */
  group?: string;
  model?: string;
  /** A Go transport error found in the message. */
  goError?: string;
  /** failure-modes.md entries. */
  entries: string[];
}

const TRANSPORT: Code[] = ['UPSTREAM_DNS_FAILED', 'UPSTREAM_CONNECT_FAILED', 'UPSTREAM_TLS_FAILED', 'UPSTREAM_TIMEOUT', 'UPSTREAM_SLOW', 'UPSTREAM_CONNECTION_DROPPED', 'CHANNEL_BASE_URL_MALFORMED'];
export const ROUTING_CODES: Code[] = [
  'NO_CHANNEL_FOR_MODEL', 'GROUP_HAS_NO_CHANNEL', 'CHANNELS_ALL_DISABLED', 'ABILITIES_OUT_OF_SYNC', 'ABILITY_DANGLING', 'LIST_ENTRY_WHITESPACE',
  'ABILITY_GROUP_PANIC_RISK', 'CACHE_STALE_CHANNELS', 'RELAY_NODES_DISAGREE', 'CACHE_STALE_TOKEN', 'CACHE_STALE_USER', 'CHANNEL_ROW_UNREADABLE',
];
const DB_TROUBLE: Code[] = ['DB_SLOW', 'DB_UNREACHABLE'];

const NO_CHANNEL_ZH = /(?:当前)?分组 (.*?) 下(?:对于)?模型 (.*?) (?:无可用渠道|的可用渠道不存在)/;
const NO_CHANNEL_EN = /No available channel for model (.*?) under group (.*?) \(/;
const SELECTOR_ZH = /获取分组 (.*?) 下模型 (.*?) 的可用渠道失败/;
const SELECTOR_EN = /Failed to get available channel for model (.*?) under group (.*?) \(/;
const VALIDATION = /field (?:messages|prompt|input|model) is required|model is required|max_tokens is invalid|input is required/;

function cut(s: string | undefined, n = 300): string | undefined {
  if (s === undefined) return undefined;
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

interface Verdict {
  kind: AnswerKind;
  code?: Code;
  consistent?: Code[];
  meaning: string;
  entries?: string[];
  origin?: Origin;
  group?: string;
  model?: string;
  goError?: string;
}

/** Marks that an answer came from the upstream through the relay (RB §1.3, §10.7, §10.8). */
export function upstreamMarks(p: Parsed, headerIds: string[], ctx: AnswerContext): string[] {
  const marks: string[] = [];
  const distinct = [...new Set(headerIds)];
  if (distinct.length >= 2) marks.push(`${distinct.length} X-Oneapi-Request-Id values: the passthrough added the upstream's own to the relay's`);
  if (p.bodyRequestId?.startsWith('B')) marks.push(`the body's request id ${p.bodyRequestId} starts with B: the legacy gateway's id format`);
  else if (p.bodyRequestId && distinct.length && !distinct.includes(p.bodyRequestId)) marks.push(`the body's request id ${p.bodyRequestId} is not the relay's (${distinct.join(', ')})`);
  // A "no channel" text without "distributor" is not BF's or new-api 0.9's own wording (RB §8.4).
  if (ctx.passthrough && p.message && NO_CHANNEL_ZH.test(p.message) && !/distributor/.test(p.message) && ctx.build && ctx.build !== 'OA' && ctx.build !== 'NA-2504') {
    marks.push('a "no channel" message in a wording this build does not use (no "distributor"): another relay wrote it');
  }
  return marks;
}

function fromUpstream(status: number, p: Parsed, body: string): Verdict {
  const text = `${p.code ?? ''} ${p.message ?? ''} ${body.slice(0, 2000)}`;
  if (/无可用渠道|可用渠道不存在|No available channel|model_not_found/.test(text)) {
    return { kind: 'upstream', code: 'UPSTREAM_NO_CHANNEL', meaning: 'the upstream is itself a relay and has no channel for its model', entries: ['F58'] };
  }
  if (p.envelope === 'html') return { kind: 'upstream', code: 'UPSTREAM_HTML_RESPONSE', meaning: 'the upstream answered an HTML page, passed through as is', entries: ['F61'] };
  if (status === 304) return { kind: 'upstream', code: 'UPSTREAM_NOT_MODIFIED', meaning: 'the upstream answered 304 to forwarded conditional headers', entries: ['F63'] };
  if (status === 401 || status === 403) return { kind: 'upstream', code: 'UPSTREAM_AUTH_REJECTED', meaning: `the upstream refused the channel key (${status})`, entries: ['F57'] };
  if (status >= 500) return { kind: 'upstream', code: 'UPSTREAM_5XX', meaning: `the upstream's own ${status}, passed through verbatim: the fault is upstream, not in the relay`, entries: ['F56'] };
  if (status >= 400) return { kind: 'upstream', code: 'UPSTREAM_REJECTED_REQUEST', meaning: `the upstream rejected the request (${status})`, entries: ['F59'] };
  return { kind: 'success', meaning: `the upstream answered ${status}` };
}

function passthroughError(p: Parsed): Verdict | undefined {
  const msg = p.message ?? '';
  switch (p.code) {
    case 'get_channel_failed':
      if (/record not found/i.test(msg)) {
        return { kind: 'passthrough-error', code: 'CACHE_STALE_CHANNELS', meaning: 'the routing view handed the passthrough a channel id the database no longer has (获取渠道失败: record not found): a stale routing view', entries: ['F29'] };
      }
      if (/scan error|sql: /i.test(msg)) return { kind: 'passthrough-error', code: 'CHANNEL_ROW_UNREADABLE', meaning: "the passthrough could not read the selected channel's row (scan error)", entries: ['F47'] };
      return { kind: 'passthrough-error', code: 'DB_SLOW', consistent: DB_TROUBLE, meaning: "the passthrough's database re-read of the channel failed", entries: ['F72'] };
    case 'channel_disabled':
      return { kind: 'passthrough-error', code: 'CACHE_STALE_CHANNELS', consistent: ['CACHE_STALE_CHANNELS', 'CHANNELS_ALL_DISABLED', 'ABILITIES_OUT_OF_SYNC'], meaning: 'the routing view still held a channel the database has disabled (渠道已禁用)', entries: ['F26', 'F29'] };
    case 'no_available_key':
      return { kind: 'passthrough-error', code: 'CHANNEL_KEY_MISSING', meaning: 'the selected channel has no usable key (该渠道没有可用的密钥)', entries: ['F41', 'F42'] };
    case 'invalid_base_url':
      return { kind: 'passthrough-error', code: 'CHANNEL_BASE_URL_MISSING', meaning: 'the selected channel has no base_url (渠道 BaseURL 未配置)', entries: ['F39', 'F44'] };
    case 'request_failed': {
      if (/failed to read request body/.test(msg)) return { kind: 'passthrough-error', meaning: "the relay could not read the client's request body", entries: ['F53'] };
      if (/failed to create request/.test(msg)) return { kind: 'passthrough-error', code: 'CHANNEL_BASE_URL_MALFORMED', meaning: 'the target URL built from base_url is malformed', entries: ['F40'] };
      const go = goNetError(msg);
      const code = (go?.code ?? 'UPSTREAM_CONNECT_FAILED') as Code;
      return { kind: 'passthrough-error', code, consistent: [code], meaning: `the passthrough could not reach the upstream: ${go?.detail ?? 'transport failure'}`, entries: ['F51', 'F52', 'F53', 'F54', 'F40'], goError: go?.detail };
    }
    case 'response_processing_failed': {
      const go = goNetError(msg);
      const code = (go?.code === 'UPSTREAM_SLOW' || go?.code === 'UPSTREAM_TIMEOUT' ? go.code : 'UPSTREAM_CONNECTION_DROPPED') as Code;
      return { kind: 'passthrough-error', code, consistent: [code], meaning: `the upstream's body could not be read: ${go?.detail ?? 'read failed'}`, entries: ['F53', 'F55'], goError: go?.detail };
    }
    default:
      return undefined;
  }
}

/** Messages TokenAuth and Distribute write themselves (RB §6.3, §8.4, §8.5, §16.2, §16.3). */
function relayMessage(status: number, p: Parsed, ctx: AnswerContext): Verdict | undefined {
  const msg = p.message ?? '';
  const code = p.code ?? '';
  const type = p.type ?? '';
  const naMain = ctx.build === 'NA-main';
  if (/_panic$/.test(type) || /Panic detected/.test(msg)) {
    const c: Code | undefined = /index out of range/.test(msg) ? 'CHANNEL_TYPE_OUT_OF_RANGE' : /nil map/.test(msg) ? 'ABILITY_GROUP_PANIC_RISK' : undefined;
    return { kind: 'panic', code: c, consistent: c ? [c] : ['ABILITY_GROUP_PANIC_RISK', 'CHANNEL_TYPE_OUT_OF_RANGE'], meaning: 'the relay panicked while handling the request (recovered: 500 new_api_panic)', entries: ['F23', 'F48'] };
  }
  if (/^system_(cpu|memory|disk)_overloaded$/.test(code)) return { kind: 'overloaded', code: 'RELAY_OVERLOADED', meaning: `the relay's performance guard refused the request (${code})`, entries: ['F75'] };
  if (code === 'rate_limit_check_failed') return { kind: 'redis-error', code: 'REDIS_UNREACHABLE', meaning: 'the request rate limiter failed on Redis', entries: ['F74'] };
  if (status === 429) return { kind: 'rate-limited', meaning: 'a rate limit of the relay refused the request' };
  const retry = /（retry）|\(retry\)/.test(msg);
  let m = SELECTOR_ZH.exec(msg) ?? SELECTOR_EN.exec(msg);
  if (m) {
    const [g, mo] = SELECTOR_ZH.test(msg) ? [m[1], m[2]] : [m[2], m[1]];
    if (retry) return { kind: 'relay-error', code: 'CHANNELS_ALL_DISABLED', consistent: ['CHANNELS_ALL_DISABLED', ...TRANSPORT, 'UPSTREAM_5XX'], meaning: 'a retry found no channel: this hides the first attempt\'s upstream error', entries: ['F38'], group: g, model: mo };
    const err = /[:：]\s*(.*)$/.exec(msg)?.[1];
    return {
      kind: 'selector-error',
      consistent: ['ABILITY_DANGLING', 'ABILITIES_OUT_OF_SYNC', 'CACHE_STALE_CHANNELS', 'GROUP_NOT_USABLE', 'OPTION_JSON_INVALID', ...DB_TROUBLE],
      meaning: `channel selection failed with an error${err ? ` (${cut(err, 120)})` : ''}`,
      entries: ['F32', 'F19', 'F72'],
      group: g,
      model: mo,
    };
  }
  m = NO_CHANNEL_ZH.exec(msg) ?? NO_CHANNEL_EN.exec(msg);
  if (m || code === 'model_not_found') {
    const en = Boolean(m && !NO_CHANNEL_ZH.test(msg));
    const g = m ? (en ? m[2] : m[1]) : undefined;
    const mo = m ? (en ? m[1] : m[2]) : undefined;
    if (retry) return { kind: 'relay-error', code: 'CHANNELS_ALL_DISABLED', consistent: ['CHANNELS_ALL_DISABLED', ...TRANSPORT, 'UPSTREAM_5XX'], meaning: 'a retry found no channel: this hides the first attempt\'s upstream error', entries: ['F38'], group: g, model: mo };
    return { kind: 'no-channel', consistent: ROUTING_CODES, meaning: `this node's routing view had no enabled channel${m ? ` for model ${JSON.stringify(mo)} in group ${JSON.stringify(g)}` : ''}`, entries: ['F20', 'F15', 'F25', 'F27', 'F30', 'F31'], group: g, model: mo };
  }
  if (code === 'invalid_request' || code === 'invalid_text_request' || VALIDATION.test(msg)) {
    if (ctx.probe) return { kind: 'channel-selected', meaning: 'a channel was selected: request validation failed after Distribute, before any upstream call or billing' };
    return { kind: 'request-invalid', code: 'REQUEST_INVALID', meaning: "the relay rejected the request body itself (after choosing a channel): the client's request, not the relay", entries: ['F77'] };
  }
  if (code === 'model_price_error' || /倍率或价格未配置|model price not found/.test(msg)) return { kind: 'relay-error', code: 'MODEL_PRICE_MISSING', meaning: 'the model has no price or ratio (500 model_price_error)', entries: ['F70'] };
  if (/^channel:(model_mapped_error|param_override_invalid|header_override_invalid)$/.test(code) || /unmarshal_model_mapping_failed|model_mapping_contains_cycle/.test(msg)) {
    return { kind: 'relay-error', code: 'CHANNEL_JSON_INVALID', meaning: `a JSON field of the channel is invalid (${code || 'model_mapping'})`, entries: ['F45'] };
  }
  if (code === 'channel:no_available_key') return { kind: 'relay-error', code: 'CHANNEL_KEY_MISSING', meaning: 'the channel has no usable key', entries: ['F41'] };
  if (code === 'do_request_failed' || /do request failed/.test(msg)) {
    const go = goNetError(msg);
    return { kind: 'relay-error', code: (go?.code as Code) ?? 'UPSTREAM_CONNECT_FAILED', consistent: TRANSPORT, meaning: `the relay could not reach the upstream${go ? `: ${go.detail}` : ' (the console has the real error)'}`, entries: ['F54'], goError: go?.detail };
  }
  if (code === 'count_token_failed') return { kind: 'relay-error', meaning: 'the relay failed to download or count a media input of the request' };
  if (status === 401) {
    const stale: Code[] = ['CACHE_STALE_TOKEN'];
    if (/未提供令牌/.test(msg)) return { kind: 'token-refused', code: 'TOKEN_NOT_FOUND', meaning: 'no token reached the relay (the client sent none, or a proxy dropped Authorization)', entries: ['F9'] };
    if (/额度已用尽/.test(msg)) return { kind: 'token-refused', code: 'TOKEN_EXHAUSTED', consistent: ['TOKEN_EXHAUSTED', ...stale], meaning: "the token's quota is used up", entries: ['F10'] };
    if (/已过期/.test(msg)) return { kind: 'token-refused', code: 'TOKEN_EXPIRED', consistent: ['TOKEN_EXPIRED', ...stale], meaning: 'the token has expired', entries: ['F10'] };
    if (/状态不可用/.test(msg)) return { kind: 'token-refused', code: 'TOKEN_DISABLED', consistent: ['TOKEN_DISABLED', ...stale], meaning: 'the token is not enabled', entries: ['F10'] };
    if (/令牌验证失败/.test(msg)) return { kind: 'token-refused', code: 'DB_SLOW', consistent: DB_TROUBLE, meaning: "one-api's token lookup failed on the database", entries: ['F72'] };
    if (/无效的令牌|Invalid token/i.test(msg)) {
      const all: Code[] = naMain ? ['TOKEN_NOT_FOUND', 'TOKEN_DISABLED', 'TOKEN_EXPIRED', 'TOKEN_EXHAUSTED'] : ['TOKEN_NOT_FOUND'];
      return { kind: 'token-refused', code: 'TOKEN_NOT_FOUND', consistent: [...all, 'TOKEN_KEY_MALFORMED', ...stale, 'DSN_MISPARSED', ...DB_TROUBLE], meaning: naMain ? 'TokenAuth refused the token (NA-main answers "Invalid token" for every token problem)' : 'the relay found no live token row for this key (or its database lookup failed)', entries: ['F9', 'F76'] };
    }
    return undefined;
  }
  if (status === 403) {
    let g: RegExpExecArray | null;
    if (/用户已被封禁|User has been banned/.test(msg)) return { kind: 'access-refused', code: 'USER_BANNED', consistent: ['USER_BANNED', 'CACHE_STALE_USER'], meaning: "the token's owner is banned", entries: ['F12', 'F35'] };
    if ((g = /令牌分组 (.*?) 已被禁用|无权访问 (.*?) 分组/.exec(msg))) {
      return { kind: 'access-refused', code: 'GROUP_NOT_USABLE', consistent: ['GROUP_NOT_USABLE', 'CACHE_STALE_TOKEN', 'CACHE_STALE_USER', 'OPTION_JSON_INVALID', 'CACHE_STALE_OPTIONS'], meaning: `the token group ${JSON.stringify(g[1] ?? g[2])} is not usable by its owner`, entries: ['F13', 'F18', 'F19'], group: g[1] ?? g[2] };
    }
    if ((g = /分组 (.*?) 已被弃用/.exec(msg))) return { kind: 'access-refused', code: 'GROUP_NOT_IN_RATIO', consistent: ['GROUP_NOT_IN_RATIO', 'OPTION_JSON_INVALID', 'CACHE_STALE_OPTIONS', 'CACHE_STALE_TOKEN'], meaning: `the token group ${JSON.stringify(g[1])} is missing from GroupRatio`, entries: ['F14', 'F18'], group: g[1] };
    if (/该令牌无权访问模型|该令牌无权访问任何模型|has no access to (?:any )?model|该令牌无权使用模型/.test(msg)) return { kind: 'access-refused', code: 'TOKEN_MODEL_FORBIDDEN', consistent: ['TOKEN_MODEL_FORBIDDEN', 'CACHE_STALE_TOKEN'], meaning: "the token's model limits exclude the routing model", entries: ['F16'] };
    if (/IP 不在令牌允许|无法解析客户端 IP|只能在指定网段使用/.test(msg)) return { kind: 'access-refused', code: 'TOKEN_IP_RESTRICTED', consistent: ['TOKEN_IP_RESTRICTED', 'CACHE_STALE_TOKEN'], meaning: "the client IP is not in the token's allow list", entries: ['F17'] };
    if (/普通用户不支持指定渠道/.test(msg)) return { kind: 'access-refused', code: 'TOKEN_KEY_MALFORMED', meaning: 'the key carries a -<channel id> suffix and its owner is not an admin', entries: ['F9'] };
    if (/该渠道已被禁用|This channel has been disabled/.test(msg)) return { kind: 'access-refused', code: 'CHANNELS_ALL_DISABLED', meaning: 'the channel pinned by the key suffix is disabled', entries: ['F9'] };
    if (/无权访问该分组|No permission to access this group/.test(msg)) return { kind: 'access-refused', code: 'GROUP_NOT_USABLE', meaning: 'the playground group override is not allowed' };
    if (/insufficient_user_quota|pre_consume_token_quota_failed/.test(code)) return { kind: 'access-refused', code: 'TOKEN_EXHAUSTED', meaning: `quota check failed (${code})` };
    return undefined;
  }
  if (status === 400) {
    if (/无效的渠道 Id|Invalid channel ID/i.test(msg)) return { kind: 'model-unresolved', code: 'TOKEN_KEY_MALFORMED', meaning: 'the key pins a channel id that is not a number or does not exist', entries: ['F9'] };
    if (/未指定模型名称|Model name not specified/i.test(msg)) return { kind: 'model-unresolved', code: 'MODEL_UNRESOLVED', meaning: 'the relay found no routing model for this request', entries: ['F7'] };
    if (/Invalid request, 无效的请求|^Invalid request:|^无效的请求/.test(msg)) return { kind: 'model-unresolved', code: 'MODEL_UNRESOLVED', consistent: ['MODEL_UNRESOLVED', 'RELAY_BUILD_OUTDATED'], meaning: 'the relay read the body as JSON to find the model and could not parse it', entries: ['F5'] };
    return undefined;
  }
  if (status === 500 && (/record not found|Database error|数据库出错/i.test(msg)) && /_error$/.test(type || 'new_api_error')) {
    return {
      kind: 'owner-lookup',
      code: naMain ? undefined : 'USER_MISSING',
      consistent: ['USER_MISSING', 'AUTH_VERSION_FENCE', 'CACHE_STALE_USER', ...DB_TROUBLE],
      meaning: naMain ? 'TokenAuth failed on the database (token lookup, owner lookup or the auth-version fence)' : "TokenAuth could not load the token's owner (deleted user, database error, or auth fence)",
      entries: ['F11', 'F37', 'F72'],
    };
  }
  return undefined;
}

export function classifyAnswer(a: Answer, ctx: AnswerContext = {}): Classification {
  const p = parseEnvelope(a);
  const ids = headerRequestIds(a.headers);
  const base = { status: a.status, envelope: p.envelope, errorType: p.type, errorCode: p.code, message: cut(p.message), requestIds: { headers: ids, ...(p.bodyRequestId ? { body: p.bodyRequestId } : {}) } };
  const marks = upstreamMarks(p, ids, ctx);
  const done = (v: Verdict, origin: Origin, why: string[]): Classification => {
    const c: Classification = { ...base, kind: v.kind, meaning: v.meaning, origin: v.origin ?? origin, originWhy: why, consistent: v.consistent ?? (v.code ? [v.code] : []), entries: v.entries ?? [] };
    if (v.code) c.code = v.code;
    if (v.group !== undefined) c.group = v.group;
    if (v.model !== undefined) c.model = v.model;
    if (v.goError) c.goError = v.goError;
    return c;
  };
  const s = a.status;

  if (s === 301 || s === 302 || s === 307 || s === 308) {
    return done({ kind: 'redirect', code: 'ROUTE_TRAILING_SLASH', meaning: `a redirect (${s}${a.headers.location ? ` to ${a.headers.location[0]}` : ''}): a trailing slash, or a slave node's FRONTEND_BASE_URL`, entries: ['F4'] }, 'relay', []);
  }
  if (marks.length) return done(fromUpstream(s, p, a.body), 'upstream', marks);

  if (p.envelope === 'html') {
    if ([502, 503, 504].includes(s)) return done({ kind: 'proxy-error', code: 'RELAY_UNREACHABLE', meaning: `an HTML ${s} from a proxy in front of the relay: the relay process is down or restarting`, entries: ['F8'] }, 'proxy', [`HTML ${s}`]);
    if (s === 200) {
      const code: Code = ctx.routeKnown ? 'ROUTE_NOT_DEPLOYED' : 'ROUTE_UNKNOWN';
      const consistent: Code[] = ctx.passthrough ? [code, 'RELAY_BUILD_OUTDATED', 'UPSTREAM_HTML_RESPONSE'] : [code, 'RELAY_BUILD_OUTDATED'];
      return done({ kind: 'web-page', code, consistent, meaning: ctx.passthrough ? "the web page (HTML, 200): the relay's NoRoute page when the running build lacks the route, or the upstream's page passed through" : "the relay's web page (HTML, 200): the running relay has no route for this method and path", entries: ['F2', 'F3', 'F61'] }, 'relay', ['HTML with status 200']);
    }
    if (ctx.passthrough) return done(fromUpstream(s, p, a.body), 'upstream', [`an HTML ${s} on a passthrough route`]);
    return done({ kind: 'unknown', meaning: `an HTML page with status ${s}` }, 'unknown', []);
  }
  if (s === 404 && /^Invalid URL \(/.test(p.message ?? '')) {
    const code: Code = ctx.routeKnown ? 'ROUTE_NOT_DEPLOYED' : 'ROUTE_UNKNOWN';
    return done({ kind: 'invalid-url', code, consistent: [code, 'RELAY_BUILD_OUTDATED'], meaning: `the relay has no route for this path (${p.message})`, entries: ['F2', 'F3'] }, 'relay', ['404 Invalid URL from NoRoute']);
  }
  if (p.envelope === 'passthrough') {
    const v = passthroughError(p);
    if (v) return done(v, 'relay', ["the passthrough's own {code, message, data} envelope"]);
    if (ctx.passthrough) return done(fromUpstream(s, p, a.body), 'upstream', [`code ${JSON.stringify(p.code)} is not one the passthrough writes (RB §10.8)`]);
  }
  if (p.envelope === 'processing' && s === 202) {
    return done({ kind: 'upstream', code: 'UPSTREAM_5XX', consistent: ['UPSTREAM_5XX', 'RELAY_BUILD_OUTDATED'], meaning: 'a build of 2025-10-14…10-31 turned an upstream 5xx into 202 "任务处理中"', entries: ['F65'] }, 'upstream', ['the 202 processing body of the old GET retry']);
  }
  if (p.envelope === 'openai' || p.envelope === 'claude' || p.envelope === 'midjourney' || p.envelope === 'text' || p.envelope === 'json') {
    const v = relayMessage(s, p, ctx);
    if (v) return done(v, 'relay', [`a ${p.envelope === 'openai' ? (p.type || 'error') : p.envelope} envelope with a message the relay writes itself`]);
    // Local relay errors carry type new_api_error / one_api_error; anything else on an error
    // status was written by an upstream (the passthrough copies it; normal routes keep its type).
    const local = /^(new_api_error|one_api_error)$/.test(p.type ?? '');
    if (s >= 400 && (ctx.passthrough || (p.envelope === 'openai' && !local))) {
      const why = ctx.passthrough ? 'not an answer the relay writes on a passthrough route (RB §10.8: anything else is the upstream\'s)' : `error type ${JSON.stringify(p.type ?? '')} is not the relay's own`;
      return done(fromUpstream(s, p, a.body), 'upstream', [why]);
    }
  }
  if (p.envelope === 'empty' && s === 500) return done({ kind: 'redis-error', code: 'REDIS_UNREACHABLE', consistent: ['REDIS_UNREACHABLE'], meaning: 'an empty 500: on /api/* the global rate limiter failing on Redis', entries: ['F74'] }, 'relay', ['empty body']);
  if (s >= 200 && s < 300) return done({ kind: 'success', meaning: `success (${s})` }, ctx.passthrough ? 'upstream' : 'relay', []);
  if (s === 503 && p.envelope === 'empty') return done({ kind: 'proxy-error', code: 'RELAY_UNREACHABLE', meaning: 'an empty 503: something in front of the relay has no healthy backend' }, 'proxy', []);
  return done({ kind: 'unknown', meaning: `an answer relay-doctor does not recognise (status ${s}, ${p.envelope} body)` }, 'unknown', []);
}
