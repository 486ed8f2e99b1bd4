import type { FindingStatus } from '../types.js';
import type { LogCode } from './codes.js';
import { goNetError, upstreamStatus } from './goerr.js';
import { bodyFailure, distributeError, type Extra, fromClassified, hit, localRelayError, noChannel, num, panicValue, REQUEST_INVALID, TITLES, upstreamAnswer } from './hits.js';
import type { Hit, ParsedLine } from './types.js';

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
