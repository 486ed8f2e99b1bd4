import type { FindingStatus } from '../types.js';
import type { LogCode } from './codes.js';
import { goNetError, upstreamStatus, type Classified } from './goerr.js';
import type { Hit, LogRow, ParsedLine } from './types.js';

// Line signatures → contract codes. Each documented relay message (RB §6.3, §8.4, §10.8, §14.3,
// §16; failure-modes.md) maps to one code and stage; a line may yield several hits (a crash line
// is both a panic risk and a crash loop).

type Extra = Partial<Omit<Hit, 'signature' | 'code' | 'title'>>;

const hit = (signature: string, code: LogCode, title: string, extra: Extra = {}): Hit => {
  const h: Hit = { signature, code, title };
  // An empty group is meaningful (the using group was empty); other empty values are absent.
  for (const [k, v] of Object.entries(extra)) if (v !== undefined && (v !== '' || k === 'group')) (h as unknown as Record<string, unknown>)[k] = v;
  return h;
};

const fromClassified = (signature: string, c: Classified, title: string, extra: Extra = {}): Hit =>
  hit(signature, c.code, title, { ...extra, detail: extra.detail ?? c.detail });

const num = (s: string | undefined): number | undefined => {
  if (s === undefined || s === '') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
};

function urlPath(u: string): string | undefined {
  try {
    return new URL(u).pathname;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Upstream answers and local relay errors that wrap them

/** A channel error / relay error text: local failures first, then the Go error, then the status. */
function upstreamAnswer(sig: string, msg: string, status: number | undefined, extra: Extra): Hit[] {
  const local = localRelayError(sig, msg, extra);
  if (local) return local;
  const bad = /bad response status code (\d{3})/.exec(msg);
  const net = goNetError(msg);
  if (net && !bad) return [fromClassified(sig, net, TITLES[net.code] ?? 'upstream transport failure', extra)];
  const c = upstreamStatus(bad ? Number(bad[1]) : status, msg);
  if (c) return [fromClassified(sig, c, TITLES[c.code] ?? 'upstream answer', extra)];
  return [];
}

/** Errors the relay raises itself inside the relay loop (not the upstream's answer). */
function localRelayError(sig: string, msg: string, extra: Extra): Hit[] | undefined {
  let m = /(?:do request failed|请求上游地址失败)[:：]?\s*(.*)/s.exec(msg);
  if (m) {
    const c = goNetError(m[1]!) ?? { code: 'UPSTREAM_CONNECT_FAILED' as LogCode, detail: 'transport error' };
    return [fromClassified(sig, c, TITLES[c.code] ?? 'request to the upstream failed', extra)];
  }
  if (/倍率或价格未配置|model_price_error|model price not found/.test(msg)) {
    m = /模型 (\S+?) 倍率或价格未配置|model price not found: ?(\S+)/.exec(msg);
    return [hit(sig, 'MODEL_PRICE_MISSING', TITLES.MODEL_PRICE_MISSING!, { model: m?.[1] ?? m?.[2], ...extra })];
  }
  if (/unmarshal_model_mapping_failed|model_mapping_contains_cycle|model_mapped_error|param_override_invalid|header_override_invalid/.test(msg)) {
    return [hit(sig, 'CHANNEL_JSON_INVALID', TITLES.CHANNEL_JSON_INVALID!, { detail: /(\w*(?:model_mapp|override)\w*)/.exec(msg)?.[1], ...extra })];
  }
  if (/该渠道没有可用的密钥|no_available_key/.test(msg)) return [hit(sig, 'CHANNEL_KEY_MISSING', TITLES.CHANNEL_KEY_MISSING!, extra)];
  if (REQUEST_INVALID.test(msg)) return [hit(sig, 'REQUEST_INVALID', TITLES.REQUEST_INVALID!, { detail: REQUEST_INVALID.exec(msg)![0], ...extra })];
  return undefined;
}

const REQUEST_INVALID = /field (?:messages|prompt|input) is required|\bmodel is required|max_tokens is invalid|sensitive_words_detected|\binvalid_request\b(?!_error)/;

/** A Distribute selector error (`…的可用渠道失败（distributor）: <err>`). */
function distributeError(sig: string, group: string | undefined, model: string | undefined, err: string): Hit[] {
  const extra = { group, model, detail: err.trim().slice(0, 120) };
  // Seen in the logs it is no longer a risk but a 503 that happened: fail.
  if (/record not found/.test(err)) return [hit(sig, 'ABILITY_DANGLING', 'an abilities row names a channel that does not exist (DB path, 503)', { ...extra, status: 'fail' })];
  if (/数据库一致性错误，渠道# ?(\d+) 不存在/.test(err)) {
    return [hit(sig, 'CACHE_STALE_CHANNELS', 'the routing cache names a channel it does not hold', { ...extra, channel: num(/渠道# ?(\d+)/.exec(err)?.[1]) })];
  }
  if (/数据库一致性被破坏/.test(err)) return [hit(sig, 'ABILITIES_OUT_OF_SYNC', 'retry found no priority tier in abilities', extra)];
  if (/auto groups is not enabled/.test(err)) return [hit(sig, 'GROUP_HAS_NO_CHANNEL', 'group auto has no candidate groups (AutoGroups empty or invalid)', extra)];
  if (/Scan error/.test(err)) return [hit(sig, 'CHANNEL_ROW_UNREADABLE', 'the selected channel row cannot be read', extra)];
  return [hit(sig, 'GROUP_HAS_NO_CHANNEL', 'channel selection failed in Distribute (503)', extra)];
}

function noChannel(sig: string, group: string | undefined, model: string | undefined): Hit {
  if (group === undefined) return hit(sig, 'NO_CHANNEL_FOR_MODEL', 'no channel for the model (Distribute 503)', { model });
  const h = hit(sig, 'GROUP_HAS_NO_CHANNEL', 'no channel for the model in the using group (Distribute 503)', {
    model,
    detail: group === '' ? 'empty using group: the token group is empty and so is the user group' : undefined,
  });
  h.group = group; // '' is meaningful here: the using group was empty
  return h;
}

function panicValue(sig: string, value: string, uncaught: boolean): Hit[] {
  const detail = value.trim().slice(0, 160);
  const out: Hit[] = [];
  if (/assignment to entry in nil map/.test(value)) {
    out.push(hit(sig, 'ABILITY_GROUP_PANIC_RISK', 'channel-cache rebuild panicked: a channel group has no abilities row', { detail }));
  } else if (/index out of range \[\d+\] with length \d+/.test(value) && !uncaught) {
    out.push(hit(sig, 'CHANNEL_TYPE_OUT_OF_RANGE', 'request panicked: channel type beyond the build\'s table with empty base_url', { detail }));
  } else if (!uncaught) {
    out.push(hit(sig, 'RELAY_PANIC', 'a request panicked (500 new_api_panic)', { detail }));
  }
  if (uncaught) {
    out.push(hit(sig, 'RELAY_CRASH_LOOP', /conflicts with|wildcard/.test(value) ? 'the relay exited: route registration panic' : 'the relay process exited on a panic', { detail }));
  }
  return out;
}

export const TITLES: Partial<Record<LogCode, string>> = {
  UPSTREAM_TLS_FAILED: 'TLS to the upstream failed',
  UPSTREAM_TIMEOUT: 'the upstream sent no response headers in time',
  UPSTREAM_DNS_FAILED: 'the upstream host does not resolve',
  UPSTREAM_CONNECT_FAILED: 'TCP connect to the upstream failed',
  UPSTREAM_CONNECTION_DROPPED: 'the upstream connection dropped mid-exchange',
  UPSTREAM_SLOW: 'the upstream answer was too slow to read',
  UPSTREAM_5XX: 'the upstream answered 5xx',
  UPSTREAM_AUTH_REJECTED: 'the upstream rejected the channel key',
  UPSTREAM_NO_CHANNEL: 'the upstream relay has no channel for its model',
  UPSTREAM_HTML_RESPONSE: 'the upstream answered an HTML page',
  UPSTREAM_NOT_MODIFIED: 'the upstream answered 304 to a poll',
  UPSTREAM_REJECTED_REQUEST: 'the upstream rejected the request (4xx)',
  CHANNEL_BASE_URL_MALFORMED: 'the channel base_url is malformed',
  MODEL_PRICE_MISSING: 'no price for the model',
  CHANNEL_JSON_INVALID: 'a channel JSON field is invalid',
  CHANNEL_KEY_MISSING: 'the channel has no usable key',
  REQUEST_INVALID: 'the request body was rejected (client error)',
};

// ---------------------------------------------------------------------------------------------
// Generic message rules: first match wins. `needles` are literals the regex needs (a cheap pre-filter).

interface Rule {
  needles: string[];
  re: RegExp;
  run(m: RegExpExecArray, p: ParsedLine, msg: string): Hit[];
}

const R = (needles: string[], re: RegExp, run: Rule['run']): Rule => ({ needles, re, run });
const one = (sig: string, code: LogCode, title: string, f?: (m: RegExpExecArray) => Extra): Rule['run'] => (m) => [hit(sig, code, title, f ? f(m) : {})];

const RULES: Rule[] = [
  // Wrappers around an upstream answer: their text is the upstream's, not the relay's.
  R(['channel error (', 'relay error (channel #'], /(?:channel|relay) error \(channel #(\d+), status code: (\d+)\)[:：]? ?(.*)/s, (m) =>
    upstreamAnswer('channel-error', m[3]!, num(m[2]), { channel: num(m[1]) }),
  ),
  R(['relay error (channel id'], /relay error \(channel id (\d+), user id: (\d+)\)[:：]? ?(.*)/s, (m) =>
    upstreamAnswer('channel-error', m[3]!, undefined, { channel: num(m[1]) }),
  ),
  R(['record error log:'], /^record error log:/, () => []), // companion of a channel error line
  // Passthrough (BF §10.8) answers, when they reach a log line.
  R(['转发请求到旧网关失败'], /转发请求到旧网关失败[:：]\s*(.*)/s, (m) => {
    const inner = m[1]!;
    if (/failed to read request body/.test(inner)) return [hit('passthrough-request-failed', 'REQUEST_INVALID', 'the client body could not be read', { detail: 'failed to read request body' })];
    const c = goNetError(inner) ?? (/failed to create request/.test(inner) ? { code: 'CHANNEL_BASE_URL_MALFORMED' as LogCode, detail: 'failed to create request' } : { code: 'UPSTREAM_CONNECT_FAILED' as LogCode, detail: 'transport error' });
    return [fromClassified('passthrough-request-failed', c, TITLES[c.code] ?? 'request_failed')];
  }),
  R(['处理响应失败'], /处理响应失败[:：]\s*(.*)/s, (m) => [bodyFailure('passthrough-body-failed', m[1]!)]),
  R(['获取渠道失败'], /获取渠道失败[:：]\s*(.*)/s, (m) =>
    /record not found/.test(m[1]!)
      ? [hit('passthrough-get-channel', 'CACHE_STALE_CHANNELS', 'the routing view selected a channel the database no longer has (get_channel_failed)', { detail: 'record not found' })]
      : [hit('passthrough-get-channel', 'CHANNEL_ROW_UNREADABLE', 'the passthrough could not read the selected channel row (get_channel_failed)', { detail: m[1]!.slice(0, 120) })],
  ),
  R(['渠道已禁用', 'channel_disabled'], /渠道已禁用|"channel_disabled"/, one('passthrough-channel-disabled', 'CACHE_STALE_CHANNELS', 'the routing view selected a channel the database has disabled (403 channel_disabled)')),
  R(['该渠道已被禁用', 'This channel has been disabled'], /该渠道已被禁用|This channel has been disabled/, one('pinned-channel-disabled', 'CHANNELS_ALL_DISABLED', 'the pinned channel is disabled')),
  R(['无效的渠道 Id', 'Invalid channel ID'], /无效的渠道 Id|Invalid channel ID/, one('pinned-channel-invalid', 'TOKEN_KEY_MALFORMED', 'the key pins a channel id that does not exist')),
  R(['该渠道没有可用的密钥', 'no_available_key'], /该渠道没有可用的密钥|no_available_key/, one('no-key', 'CHANNEL_KEY_MISSING', TITLES.CHANNEL_KEY_MISSING!)),
  R(['渠道 BaseURL 未配置', 'invalid_base_url'], /渠道 BaseURL 未配置|invalid_base_url/, one('no-base-url', 'CHANNEL_BASE_URL_MISSING', 'the passthrough channel has no base_url')),
  // Distribute
  R(['（retry）', '获取重试渠道失败'], /(?:获取)?分组 (.*?) 下模型 (\S*) 的可用渠道(?:失败|不存在)（retry）|获取重试渠道失败/, (m) => [
    hit('retry-no-channel', 'CHANNELS_ALL_DISABLED', 'a retry found no channel left (500 get_channel_failed hides the first error)', { group: m[1], model: m[2] }),
  ]),
  R(['的可用渠道失败', 'Failed to get available channel'], /获取分组 (.*?) 下模型 (\S*) 的可用渠道失败（[^）]*distributor）[:：]\s*(.*)|Failed to get available channel for model (\S*) under group (.*?) \(distributor\)[:：]\s*(.*)/s, (m) =>
    m[3] !== undefined ? distributeError('distribute-error', m[1], m[2], m[3]) : distributeError('distribute-error', m[5], m[4], m[6] ?? ''),
  ),
  R(['无可用渠道', '可用渠道不存在', 'No available channel'], /(?:当前)?分组 (.*?) 下(?:对于)?模型 (\S*) (?:无可用渠道|的可用渠道不存在)|No available channel for model (\S*) under group (.*?) \(distributor\)/, (m) =>
    m[2] !== undefined ? [noChannel('no-channel', m[1], m[2])] : [noChannel('no-channel', m[4], m[3])],
  ),
  R(['数据库一致性已被破坏，请联系管理员'], /数据库一致性已被破坏，请联系管理员/, one('consistency-broken', 'ABILITY_DANGLING', 'a selected ability names a missing channel (one-api)')),
  R(['数据库一致性错误'], /数据库一致性错误，渠道# ?(\d+) 不存在/, (m) => [hit('cache-missing-channel', 'CACHE_STALE_CHANNELS', 'the routing cache names a channel it does not hold', { channel: num(m[1]) })]),
  R(['auto groups is not enabled'], /auto groups is not enabled/, one('auto-groups', 'GROUP_HAS_NO_CHANNEL', 'group auto has no candidate groups (AutoGroups empty or invalid)', () => ({ group: 'auto' }))),
  // TokenAuth (RB §6.3, §16.2)
  R(['未提供令牌'], /未提供令牌/, one('token-missing', 'TOKEN_NOT_FOUND', 'no key reached the relay', () => ({ detail: 'no key sent' }))),
  R(['无效的令牌', 'Invalid token', '令牌验证失败'], /无效的令牌|^Invalid token\b|令牌验证失败/, one('token-invalid', 'TOKEN_NOT_FOUND', 'the key matches no usable token (NA-main says "Invalid token" for every token failure)')),
  R(['该令牌已过期'], /该令牌已过期/, one('token-expired', 'TOKEN_EXPIRED', 'the token has expired')),
  R(['额度已用尽'], /额度已用尽/, one('token-exhausted', 'TOKEN_EXHAUSTED', 'the token quota is used up')),
  R(['该令牌状态不可用'], /该令牌状态不可用/, one('token-disabled', 'TOKEN_DISABLED', 'the token is disabled')),
  R(['普通用户不支持指定渠道'], /普通用户不支持指定渠道/, one('token-pin-forbidden', 'TOKEN_KEY_MALFORMED', 'the key pins a channel but its owner is not an admin')),
  R(['您的 IP 不在', '只能在指定网段使用', '无法解析客户端 IP'], /您的 IP 不在令牌允许访问的列表中|该令牌只能在指定网段使用|无法解析客户端 IP 地址/, one('token-ip', 'TOKEN_IP_RESTRICTED', 'the client IP is not on the token allow list')),
  R(['该令牌无权'], /该令牌无权(?:访问|使用)(?:模型[:：]? ?(\S*)|任何模型)/, (m) => [hit('token-model-forbidden', 'TOKEN_MODEL_FORBIDDEN', 'the token model limits exclude the model', { model: m[1] })]),
  R(['用户已被封禁', 'User has been banned'], /用户已被封禁|User has been banned/, one('user-banned', 'USER_BANNED', 'the token owner is banned')),
  R(['已被禁用', '无权访问', 'No permission to access this group'], /令牌分组 (.*?) 已被禁用|无权访问 (.*?) 分组|无权访问该分组|No permission to access this group/, (m) => [
    hit('group-not-usable', 'GROUP_NOT_USABLE', 'the token group is not usable by its owner (403)', { group: m[1] ?? m[2] }),
  ]),
  R(['已被弃用'], /分组 (.*?) 已被弃用/, (m) => [hit('group-deprecated', 'GROUP_NOT_IN_RATIO', 'the token group is missing from GroupRatio (403)', { group: m[1] })]),
  R(['authentication state update is pending'], /user authentication state update is pending/, one('auth-fence', 'AUTH_VERSION_FENCE', 'the Redis auth-version fence is above the database')),
  R(['TokenAuth GetUserCache error'], /TokenAuth GetUserCache error for user (\d+)[:：]?\s*(.*)/, (m) => [
    hit('tokenauth-user', 'USER_MISSING', 'the token owner cannot be loaded (500)', { detail: m[2]?.slice(0, 120) }),
  ]),
  R(['TokenAuth ValidateUserToken database error'], /TokenAuth ValidateUserToken database error/, one('tokenauth-db', 'DB_UNREACHABLE', "the relay's token lookup hit a database error (500)", () => ({ status: 'warn' as FindingStatus }))),
  // Route
  R(['未指定模型名称', 'Model name not specified'], /未指定模型名称|Model name not specified/, one('model-unresolved', 'MODEL_UNRESOLVED', 'the route found no model to select a channel by (400)')),
  R(['Invalid request', '无效的请求'], /Invalid request, 无效的请求,? ?(.*)|^Invalid request: (.*)|无效的请求，(.*)/, (m) => [
    hit('invalid-body', 'MODEL_UNRESOLVED', 'the body could not be read for the model (400; GET polls parsed as JSON are an old-build bug)', { detail: (m[1] ?? m[2] ?? m[3] ?? '').slice(0, 120) }),
  ]),
  // Relay lifecycle, cache and options
  R(['InitChannelCache panic'], /InitChannelCache panic[:：]?\s*(.*)/, (m) => [
    hit('cache-init-panic', 'ABILITY_GROUP_PANIC_RISK', 'the startup cache rebuild panicked: a channel group had no abilities row', { detail: m[1]?.slice(0, 120) }),
    hit('cache-init-panic', 'RELAY_CRASH_LOOP', 'the relay restarted after a cache-rebuild panic', { detail: m[1]?.slice(0, 120) }),
  ]),
  R(['InitChannelCache failed'], /InitChannelCache failed[:：]?\s*(.*)/, (m) => [hit('cache-init-failed', 'RELAY_CRASH_LOOP', 'the relay exited: the cache rebuild failed at startup', { detail: m[1]?.slice(0, 120) })]),
  R(['panic detected', 'Panic detected'], /[Pp]anic detected(?:, error)?[:：]\s*(.*)/, (m) => panicValue('request-panic', m[1]!, false)),
  R(['failed to update option map'], /failed to update option map[:：]?\s*(.*)/, (m) => [hit('option-json', 'OPTION_JSON_INVALID', 'an option the relay parses as JSON is invalid: that map is empty', { detail: m[1]?.slice(0, 120) })]),
  R(['failed to unmarshal setting'], /failed to unmarshal setting: channel_id=(\d+)/, (m) => [hit('channel-setting-json', 'CHANNEL_JSON_INVALID', 'a channel setting is invalid JSON (the relay nulls it)', { channel: num(m[1]) })]),
  R(['failed to unmarshal param override', 'failed to unmarshal header override', 'param_override_unmarshal_failed'], /failed to unmarshal (?:param|header) override|param_override_unmarshal_failed/, one('channel-override-json', 'CHANNEL_JSON_INVALID', 'a channel override is invalid JSON (ignored)', () => ({ status: 'warn' as FindingStatus }))),
  R(['model_mapp', 'override_invalid'], /unmarshal_model_mapping_failed|model_mapping_contains_cycle|model_mapped_error|param_override_invalid|header_override_invalid/, (m) => [hit('channel-json', 'CHANNEL_JSON_INVALID', TITLES.CHANNEL_JSON_INVALID!, { detail: m[0] })]),
  R(['Redis ping test failed'], /Redis ping test failed[:：]?\s*(.*)/, (m) => [hit('redis-ping', 'REDIS_UNREACHABLE', 'the relay cannot reach Redis (it exits at startup)', { detail: m[1]?.slice(0, 120) })]),
  R(['rate limit check failed', 'rate_limit_check_failed'], /rate limit check failed|rate_limit_check_failed/, one('redis-rate-limit', 'REDIS_UNREACHABLE', 'Redis errors in the rate limiter (500)')),
  R(['倍率或价格未配置', 'model price not found', 'model_price_error'], /模型 (\S+?) 倍率或价格未配置|model price not found: ?(\S*)|倍率或价格未配置|model_price_error/, (m) => [
    hit('price-missing', 'MODEL_PRICE_MISSING', TITLES.MODEL_PRICE_MISSING!, { model: m[1] ?? m[2] }),
  ]),
  R(['group ratio not found'], /group ratio not found: ?(\S*)/, (m) => [hit('group-ratio-missing', 'GROUP_NOT_IN_RATIO', 'the using group is missing from GroupRatio (billed at ratio 1)', { group: m[1], status: 'warn' })]),
  R(['通道「', 'has been disabled'], /通道「(.*?)」（#(\d+)）(?:发生错误，准备禁用，原因：(.*)|已被禁用)|channel #(\d+)(?: \(.*?\))? has been disabled(?:[:：] ?(.*))?/s, (m) => [
    hit('auto-disable', 'CHANNELS_ALL_DISABLED', 'the relay disabled a channel automatically', { channel: num(m[2] ?? m[4]), detail: (m[3] ?? m[5])?.slice(0, 120), status: 'warn' }),
  ]),
  R(['_overloaded'], /system_(cpu|memory|disk)_overloaded/, (m) => [hit('overloaded', 'RELAY_OVERLOADED', 'the relay refuses requests: system overloaded (503)', { detail: m[0] })]),
  R(['failed to initialize database'], /failed to initialize database[:：]?\s*(.*)/, (m) => [hit('relay-db-init', 'RELAY_CRASH_LOOP', 'the relay cannot open its database and exits', { detail: m[1]?.slice(0, 120) })]),
  R(['does not exist', 'Unknown column', 'no such column'], /column "?([\w."]+?)"? (?:of relation "\w+" )?does not exist|Unknown column '([^']+)'|no such column: (\S+)/, (m) => [
    hit('schema-behind', 'SCHEMA_BEHIND_CODE', 'the relay queries a column the schema lacks', { detail: m[1] ?? m[2] ?? m[3] }),
  ]),
  R(['is required', 'is invalid', 'sensitive_words_detected', 'invalid_request'], REQUEST_INVALID, (m) => [hit('request-invalid', 'REQUEST_INVALID', TITLES.REQUEST_INVALID!, { detail: m[0] })]),
  R(['do request failed', '请求上游地址失败'], /(?:do request failed|请求上游地址失败)/, (_m, _p, msg) => localRelayError('do-request-failed', msg, {}) ?? []),
];

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const PREFILTER = new RegExp([...new Set(RULES.flatMap((r) => r.needles))].map(escapeRe).join('|'));
const RID_IN_MESSAGE = /\(request id: ([^)\s]+)\)/;

/** The generic message rules; also used for logs-table contents. */
export function classifyMessage(msg: string, p?: ParsedLine): Hit[] {
  if (!PREFILTER.test(msg)) return [];
  // An error whose request id is not this line's own came from the upstream relay.
  const rid = p?.requestId ? RID_IN_MESSAGE.exec(msg)?.[1] : undefined;
  if (rid && rid !== p!.requestId) {
    const c = upstreamStatus(undefined, msg);
    if (c) return [fromClassified('upstream-answer', c, TITLES[c.code]!)];
  }
  for (const rule of RULES) {
    let found = false;
    for (const n of rule.needles) {
      if (msg.includes(n)) {
        found = true;
        break;
      }
    }
    if (!found) continue;
    const m = rule.re.exec(msg);
    if (m) return rule.run(m, p ?? { kind: 'unknown', message: msg }, msg);
  }
  return [];
}

// ---------------------------------------------------------------------------------------------
// BF passthrough lines (RB §14.3): printf lines with no time and no request id.

function bodyFailure(sig: string, text: string): Hit {
  if (/context canceled/.test(text)) {
    return hit(sig, 'UPSTREAM_SLOW', 'reading the upstream body was cancelled (slow body; builds before 2025-11-07 cancelled early)', { detail: 'context canceled' });
  }
  const c = goNetError(text) ?? { code: 'UPSTREAM_CONNECTION_DROPPED' as LogCode, detail: 'body read failed' };
  return fromClassified(sig, c, TITLES[c.code] ?? 'reading the upstream body failed');
}

const OLD_BUILD = 'a build older than BF 2025-11-07 (log lines of removed code)';

function bltcy(p: ParsedLine): Hit[] {
  const msg = p.message;
  const tag = p.tag!;
  let m: RegExpExecArray | null;
  if (tag === 'ERROR Bltcy') {
    if ((m = /^Request failed: method=(\w+), url=(\S+), error=(.*)$/s.exec(msg))) {
      const c = goNetError(m[3]!) ?? { code: 'UPSTREAM_CONNECT_FAILED' as LogCode, detail: 'transport error' };
      return [fromClassified('bltcy-request-failed', c, TITLES[c.code] ?? 'request to the legacy gateway failed', { path: urlPath(m[2]!) })];
    }
    if ((m = /^DoResponse failed after \d+ attempts?: (.*)$/s.exec(msg))) return [bodyFailure('bltcy-body-failed', m[1]!)];
    if ((m = /^DoResponse failed: (.*)$/s.exec(msg))) {
      return [hit('bltcy-old-build', 'RELAY_BUILD_OUTDATED', OLD_BUILD, { detail: 'DoResponse failed without attempt count' }), bodyFailure('bltcy-body-failed', m[1]!)];
    }
    if ((m = /^Status: (\d+), Response: (.*)$/s.exec(msg))) {
      const c = upstreamStatus(Number(m[1]), m[2]!);
      const out = [hit('bltcy-old-build', 'RELAY_BUILD_OUTDATED', OLD_BUILD, { detail: '[ERROR Bltcy] Status line' })];
      if (c) out.push(fromClassified('bltcy-upstream-status', c, TITLES[c.code]!));
      return out;
    }
    return classifyMessage(msg, p);
  }
  if (tag === 'WARN Bltcy') {
    if ((m = /^(?:POST\/PUT request returned 5xx error: status=|Upstream returned 5xx error: )(\d+),? ?(?:body[:=] ?)?(.*)$/s.exec(msg))) {
      const c = upstreamStatus(Number(m[1]), m[2]!) ?? { code: 'UPSTREAM_5XX' as LogCode, detail: `upstream ${m[1]}` };
      return [fromClassified('bltcy-upstream-5xx', c, TITLES[c.code]!)];
    }
    if (/^Response read timeout/.test(msg)) {
      return [hit('bltcy-read-timeout', 'UPSTREAM_SLOW', 'reading the upstream body timed out (GET retried)', { status: 'warn', detail: 'response read timeout' })];
    }
    return classifyMessage(msg, p);
  }
  if (tag === 'DEBUG Bltcy') {
    if ((m = /^Request failed \(attempt (\d+)\/(\d+)\), retrying in \d+s: (.*)$/s.exec(msg))) {
      const c = goNetError(m[3]!) ?? { code: 'UPSTREAM_CONNECT_FAILED' as LogCode, detail: 'transport error' };
      return [fromClassified('bltcy-retry', c, `${TITLES[c.code] ?? 'transport failure'} (GET retried)`, { status: 'warn' })];
    }
    if ((m = /^GET request returned (\d+) \(attempt/.exec(msg))) {
      return [hit('bltcy-get-retry', 'UPSTREAM_5XX', 'the upstream answered 5xx to a poll (GET retried)', { status: 'warn', detail: `upstream ${m[1]}` })];
    }
    if ((m = /^GET request failed \(attempt \d+\/\d+\), retrying in 1s: (.*)$/s.exec(msg))) {
      const out = [hit('bltcy-old-build', 'RELAY_BUILD_OUTDATED', OLD_BUILD, { detail: 'GET retry with 1 s sleep' })];
      const c = goNetError(m[1]!);
      if (c) out.push(fromClassified('bltcy-retry', c, `${TITLES[c.code]} (GET retried)`, { status: 'warn' }));
      return out;
    }
    if (/^Converting upstream 5xx error to 202 Accepted/.test(msg)) {
      return [
        hit('bltcy-old-build', 'RELAY_BUILD_OUTDATED', OLD_BUILD, { detail: 'upstream 5xx turned into 202' }),
        hit('bltcy-5xx-to-202', 'UPSTREAM_5XX', 'the upstream answered 5xx (hidden as 202 by this build)', { detail: 'converted to 202' }),
      ];
    }
    if (/^Detected multipart request, using special handler/.test(msg)) {
      return [hit('bltcy-old-build', 'RELAY_BUILD_OUTDATED', OLD_BUILD, { detail: 'multipart special handler' })];
    }
    if ((m = /^Response received: status=(\d+), method=(\w+), url=(\S+)/.exec(msg))) {
      const status = Number(m[1]);
      if (status >= 500 || status < 300) return [];
      const c = upstreamStatus(status, '');
      return c ? [fromClassified('bltcy-upstream-status', c, TITLES[c.code]!, { path: urlPath(m[3]!) })] : [];
    }
    if ((m = /^Method: (\w+), targetURL: (\S+), bodyLen: (\d+)/.exec(msg))) return targetUrl(m[1]!, m[2]!, Number(m[3]));
    return [];
  }
  if (tag === 'DEBUG Bltcy Billing') {
    if ((m = /^Model: (\S+?),? Using base quota: (\d+)/.exec(msg))) {
      return [hit('bltcy-base-quota', 'MODEL_PRICE_MISSING', 'no ModelPrice for the billing model: the passthrough charged its flat base quota', { model: m[1], status: 'warn' })];
    }
    return [];
  }
  return [];
}

function targetUrl(method: string, url: string, bodyLen: number): Hit[] {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return [hit('bltcy-target-url', 'CHANNEL_BASE_URL_MALFORMED', 'the passthrough target URL is not a valid URL', { status: 'warn' })];
  }
  const out: Hit[] = [];
  if (u.pathname.startsWith('//')) out.push(hit('bltcy-target-url', 'CHANNEL_BASE_URL_MALFORMED', 'base_url ends with a slash: the target path starts with //', { status: 'warn', path: u.pathname }));
  if (/^(localhost|127\.|0\.0\.0\.0|\[::1\])/.test(u.host)) out.push(hit('bltcy-target-url', 'CHANNEL_BASE_URL_MALFORMED', 'base_url points at localhost', { status: 'warn' }));
  if (method === 'GET' && /\/jimeng\//.test(u.pathname) && /CVSync2AsyncGetResult/.test(u.search) && bodyLen > 0) {
    out.push(hit('bltcy-jimeng-get', 'CHANNEL_TYPE_MISMATCH', 'Jimeng result query forwarded as a GET with a body', { status: 'warn' }));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

// Routes whose handler is the passthrough (or may switch to it for type 55), RB §8.3.
const PASSTHROUGH = /^\/(?:runway|runwayml|pika|minimax|suno|kling|tripo|jimeng)(?:\/|$)|^\/v1\/videos(?:\/|$)|^\/v1\/video\/generations|^\/v1\/audio\/generations|^\/generate(?:\/|$)|^\/feed\//;

export function isPassthroughPath(path: string): boolean {
  return PASSTHROUGH.test(path);
}

/** A 500 after the passthrough's 60-s response-header cap (GETs retry: 3 × 60 s + 2 × 2 s). */
function headerCap(p: ParsedLine): Hit[] {
  const g = p.gin!;
  if (g.status !== 500 || !isPassthroughPath(g.path)) return [];
  const s = g.latencyMs / 1000;
  const windows = g.method === 'GET' ? [60, 121, 122, 184] : [60];
  if (!windows.some((w) => s >= w && s <= w + 2.5)) return [];
  return [
    hit('gin-header-cap', 'UPSTREAM_TIMEOUT', "500 after the passthrough's 60 s response-header cap", { path: g.path.split('?')[0], detail: `${g.method} latency ${g.latencyText}` }),
  ];
}

function panicHeader(msg: string): Hit[] {
  if (msg.startsWith('goroutine ')) return [];
  const value = msg.replace(/^(?:panic|fatal error): /, '').replace(/ \[recovered\]$/, '');
  return panicValue(msg.startsWith('fatal error') ? 'process-fatal' : 'process-panic', value, true);
}

/** Every signature hit of one parsed line. */
export function classifyLine(p: ParsedLine): Hit[] {
  switch (p.kind) {
    case 'gin':
      return p.gin && !p.partial ? headerCap(p) : [];
    case 'panic':
      return panicHeader(p.message);
    case 'dump':
    case 'blank':
      return [];
    case 'tagged': {
      const tag = p.tag!;
      if (tag.includes('Bltcy')) return bltcy(p);
      if (tag === 'Recovery') return /panic recovered/.test(p.message) ? [hit('gin-recovery', 'RELAY_PANIC', 'a request panicked (gin recovery)')] : [];
      if (tag === 'CacheRetry' || tag === 'CacheFallback' || tag === 'Distributor') return cacheLine(tag, p.message);
      return classifyMessage(p.message, p);
    }
    default:
      if ((p.level === 'ERR' || p.level === 'ERROR') && p.message.replace(/\s*\(request id: [^)]*\)\s*$/, '').trim() === 'record not found') {
        // TokenAuth's owner lookup is the only middleware abort whose message is the bare ORM error (RB §6.3).
        return [hit('user-record-not-found', 'USER_MISSING', 'the token owner is missing or soft-deleted (500 record not found)')];
      }
      if (p.tag === 'CacheRetry' || p.tag === 'CacheFallback' || p.tag === 'Distributor') return cacheLine(p.tag, p.message.replace(/^\[[^\]]+\] ?/, ''));
      return classifyMessage(p.message, p);
  }
}

/** BF's [CacheRetry] lines (RB §5.3); [Distributor]/[CacheFallback] lines only feed request correlation. */
function cacheLine(tag: string, msg: string): Hit[] {
  if (tag !== 'CacheRetry') return [];
  const body = msg.replace(/^\[CacheRetry\] ?/, '');
  const ok = /^重试成功! ?找到渠道 channel_id=(\d+)/.exec(body);
  if (ok) {
    return [hit('cache-retry-healed', 'CACHE_STALE_CHANNELS', 'the routing cache lacked a channel the database has (healed by an inline rebuild)', { channel: num(ok[1]), status: 'warn' })];
  }
  if (/^重试失败!/.test(body)) return [hit('cache-retry-failed', 'NO_CHANNEL_FOR_MODEL', 'no channel for the model even after an inline cache rebuild')];
  return [];
}

// ---------------------------------------------------------------------------------------------
// Logs-table rows (RB §14.2)

const ERROR_CODES: Record<string, (r: LogRow, content: string) => Hit[]> = {
  do_request_failed: (_r, c) => localRelayError('error-row', c.includes('do request failed') ? c : `do request failed: ${c}`, {}) ?? [],
  get_channel_failed: () => [hit('error-row', 'CHANNELS_ALL_DISABLED', 'a retry found no channel left (get_channel_failed)')],
  model_price_error: () => [hit('error-row', 'MODEL_PRICE_MISSING', TITLES.MODEL_PRICE_MISSING!)],
  'channel:model_mapped_error': () => [hit('error-row', 'CHANNEL_JSON_INVALID', 'model_mapping is invalid')],
  'channel:param_override_invalid': () => [hit('error-row', 'CHANNEL_JSON_INVALID', 'param_override is invalid')],
  'channel:header_override_invalid': () => [hit('error-row', 'CHANNEL_JSON_INVALID', 'header_override is invalid')],
  'channel:no_available_key': () => [hit('error-row', 'CHANNEL_KEY_MISSING', TITLES.CHANNEL_KEY_MISSING!)],
  invalid_request: () => [hit('error-row', 'REQUEST_INVALID', TITLES.REQUEST_INVALID!)],
  sensitive_words_detected: () => [hit('error-row', 'REQUEST_INVALID', TITLES.REQUEST_INVALID!)],
  read_response_body_failed: (_r, c) => [bodyFailure('error-row', c)],
};

/** Hits of one logs-table row: error rows by error code, Go error and status; consume rows by billing anomalies. */
export function classifyRow(r: LogRow): Hit[] {
  const base: Extra = { channel: r.channelId, model: r.model, group: r.group, path: r.requestPath };
  let hits: Hit[] = [];
  if (r.type === 5) {
    let status = r.statusCode;
    const prefixed = /^status_code=(\d+),\s*/.exec(r.content);
    if (status === undefined && prefixed) status = Number(prefixed[1]);
    const content = prefixed ? r.content.slice(prefixed[0].length) : r.content;
    const byCode = r.errorCode ? ERROR_CODES[r.errorCode] : undefined;
    hits = byCode ? byCode(r, content) : [];
    if (hits.length === 0) hits = upstreamAnswer('error-row', content, status, {});
    if (hits.length === 0) hits = classifyMessage(content).map((h) => ({ ...h, signature: 'error-row' }));
  } else if (r.type === 2) {
    let m: RegExpExecArray | null;
    if ((m = /^Bltcy透传（([^/）]*)\/([^）]*)）.*来源: ?base/.exec(r.content))) {
      hits = [hit('consume-row', 'MODEL_PRICE_MISSING', 'no ModelPrice for the billing model: the passthrough charged its flat base quota', { status: 'warn', model: m[2] || m[1] })];
    } else if (/^Bltcy透传模式（[^）]*）[,，]\s*消费配额/.test(r.content)) {
      hits = [hit('consume-row', 'RELAY_BUILD_OUTDATED', 'consume rows of a build before BF 2025-10-13 (polls were billed)', { detail: 'old passthrough billing format' })];
    }
  }
  return hits.map((h) => {
    const out = { ...h };
    for (const [k, v] of Object.entries(base)) if (v !== undefined && v !== '' && (out as Record<string, unknown>)[k] === undefined) (out as Record<string, unknown>)[k] = v;
    return out;
  });
}
