import { describe, expect, it } from 'vitest';
import { CODES } from '../../src/contract.js';
import { parseTimeZone } from '../../src/logs/clock.js';
import { logCodeInfo } from '../../src/logs/codes.js';
import { cleanLine, parseLine } from '../../src/logs/parse.js';
import { classifyLine, classifyRow } from '../../src/logs/signatures.js';
import type { Hit, LogRow } from '../../src/logs/types.js';

const RID = '20251117140000123AbCdEfGh';
const err = (msg: string) => `[ERR] 2025/11/17 - 14:00:00 | ${RID} | user 1 | ${msg}`;
const chanErr = (id: number, status: number, msg: string) => `[ERR] 2025/11/17 - 14:00:00 | ${RID} | channel error (channel #${id}, status code: ${status}): ${msg}`;
const sys = (msg: string) => `[SYS] 2025/11/17 - 14:00:00 | ${msg}`;
const gin = (status: number, latency: string, method: string, path: string) =>
  `[GIN] 2025/11/17 - 14:00:00 | ${RID} | ${status} | ${latency.padStart(13)} |     203.0.113.7 | ${method.padStart(7)} ${path}`;
const failReq = (goErr: string) => `[ERROR Bltcy] Request failed: method=POST, url=https://legacy.example/v1/videos, error=Post "https://legacy.example/v1/videos": ${goErr}`;

type Want = { code: string; status?: 'fail' | 'warn' | 'info' } & Partial<Pick<Hit, 'channel' | 'model' | 'group' | 'detail'>>;

// [what, line, expected hits in order]; [] means: known line, no finding.
const CASES: [string, string, Want[]][] = [
  // Distribute: no channel (RB §8.4, every version's wording)
  ['BF/NA-0.9 no channel, group named', err('分组 default 下模型 runway 无可用渠道（distributor）'), [{ code: 'GROUP_HAS_NO_CHANNEL', group: 'default', model: 'runway' }]],
  ['empty using group (two spaces)', err('分组  下模型 runway 无可用渠道（distributor）'), [{ code: 'GROUP_HAS_NO_CHANNEL', group: '', model: 'runway' }]],
  ['NA-main English, model first', err('No available channel for model gpt-5 under group vip (distributor)'), [{ code: 'GROUP_HAS_NO_CHANNEL', group: 'vip', model: 'gpt-5' }]],
  ['one-api and NA-2504', err('当前分组 default 下对于模型 gpt-4 无可用渠道'), [{ code: 'GROUP_HAS_NO_CHANNEL', group: 'default', model: 'gpt-4' }]],
  ['NA ≤ 2025-07-23 consistency variant', err('当前分组 default 下对于模型 gpt-4 无可用渠道（数据库一致性已被破坏）'), [{ code: 'GROUP_HAS_NO_CHANNEL', group: 'default' }]],
  ['2025-07-23…26 variant', err('分组 default 下模型 x 的可用渠道不存在（数据库一致性已被破坏，distributor）'), [{ code: 'GROUP_HAS_NO_CHANNEL', model: 'x' }]],
  ['auto group', err('分组 auto(vip) 下模型 m1 无可用渠道（distributor）'), [{ code: 'GROUP_HAS_NO_CHANNEL', group: 'auto(vip)' }]],
  ['selector error: dangling ability', err('获取分组 vip 下模型 gpt-4o 的可用渠道失败（distributor）: record not found'), [{ code: 'ABILITY_DANGLING', status: 'fail', group: 'vip', model: 'gpt-4o' }]],
  ['BF selector error wording', err('获取分组 default 下模型 runway 的可用渠道失败（数据库一致性已被破坏，distributor）: record not found'), [{ code: 'ABILITY_DANGLING', status: 'fail' }]],
  ['NA-main English selector error', err('Failed to get available channel for model gpt-5 under group vip (distributor): record not found'), [{ code: 'ABILITY_DANGLING', status: 'fail', group: 'vip', model: 'gpt-5' }]],
  ['auto groups not enabled', err('获取分组 auto 下模型 m 的可用渠道失败（distributor）: auto groups is not enabled'), [{ code: 'GROUP_HAS_NO_CHANNEL', group: 'auto' }]],
  ['cache lacks a channel object', err('获取分组 default 下模型 m 的可用渠道失败（distributor）: 数据库一致性错误，渠道# 12 不存在，请联系管理员修复'), [{ code: 'CACHE_STALE_CHANNELS', channel: 12 }]],
  ['retry > 0 with no priorities', err('获取分组 default 下模型 m 的可用渠道失败（distributor）: 数据库一致性被破坏'), [{ code: 'ABILITIES_OUT_OF_SYNC' }]],
  ['BF CacheRetry failure', sys('[CacheRetry] 重试失败! 第二次查询仍未找到可用渠道'), [{ code: 'NO_CHANNEL_FOR_MODEL' }]],
  ['BF CacheRetry healed', sys('[CacheRetry] 重试成功! 找到渠道 channel_id=8'), [{ code: 'CACHE_STALE_CHANNELS', status: 'warn', channel: 8 }]],
  ['CacheRetry first miss is not a finding', sys('[CacheRetry] 首次查询未找到渠道 group=default, model=runway, 准备重试'), []],
  ['Distributor lines only correlate', sys('[Distributor] 无可用渠道! group=default, model=runway, path=/runway/x, memory_cache=true'), []],
  // get_channel_failed on retry (F38)
  ['retry found no channel', err('获取分组 default 下模型 gpt-4o 的可用渠道失败（retry）: channel not found'), [{ code: 'CHANNELS_ALL_DISABLED', status: 'fail', group: 'default', model: 'gpt-4o' }]],
  ['retry: no channel variant', err('分组 default 下模型 gpt-4o 的可用渠道不存在（retry）'), [{ code: 'CHANNELS_ALL_DISABLED' }]],
  ['NA-2504 retry', err('获取重试渠道失败: channel not found'), [{ code: 'CHANNELS_ALL_DISABLED' }]],
  // Token stage (RB §6.3)
  ['no key', err('未提供令牌'), [{ code: 'TOKEN_NOT_FOUND', detail: 'no key sent' }]],
  ['invalid token', err('无效的令牌'), [{ code: 'TOKEN_NOT_FOUND' }]],
  ['NA-main invalid token', err('Invalid token'), [{ code: 'TOKEN_NOT_FOUND' }]],
  ['expired', err('该令牌已过期'), [{ code: 'TOKEN_EXPIRED' }]],
  ['exhausted (status 4)', err('该令牌额度已用尽 TokenStatusExhausted[sk-abc***xyz]'), [{ code: 'TOKEN_EXHAUSTED' }]],
  ['exhausted (one-api)', err('令牌 t1（#3）额度已用尽'), [{ code: 'TOKEN_EXHAUSTED' }]],
  ['disabled', err('该令牌状态不可用'), [{ code: 'TOKEN_DISABLED' }]],
  ['channel pin by non-admin', err('普通用户不支持指定渠道'), [{ code: 'TOKEN_KEY_MALFORMED' }]],
  ['pinned channel id invalid', err('无效的渠道 Id'), [{ code: 'TOKEN_KEY_MALFORMED' }]],
  ['pinned channel disabled', err('该渠道已被禁用'), [{ code: 'CHANNELS_ALL_DISABLED' }]],
  ['IP allow list', err('您的 IP 不在令牌允许访问的列表中'), [{ code: 'TOKEN_IP_RESTRICTED', status: 'warn' }]],
  ['model limits', err('该令牌无权访问模型 runway'), [{ code: 'TOKEN_MODEL_FORBIDDEN', model: 'runway' }]],
  ['model limits: none', err('该令牌无权访问任何模型'), [{ code: 'TOKEN_MODEL_FORBIDDEN' }]],
  ['banned', err('用户已被封禁'), [{ code: 'USER_BANNED' }]],
  ['group not usable (BF)', err('令牌分组 vip 已被禁用'), [{ code: 'GROUP_NOT_USABLE', group: 'vip' }]],
  ['group not usable (newer)', err('无权访问 vip 分组'), [{ code: 'GROUP_NOT_USABLE', group: 'vip' }]],
  ['group deprecated', err('分组 vip 已被弃用'), [{ code: 'GROUP_NOT_IN_RATIO', group: 'vip' }]],
  ['owner missing: bare record not found 500', err('record not found'), [{ code: 'USER_MISSING' }]],
  ['owner missing with request id suffix', err(`record not found (request id: ${RID})`), [{ code: 'USER_MISSING' }]],
  ['NA-main owner lookup', `[ERR] 2026/08/08 - 09:00:03 | ${RID} | TokenAuth GetUserCache error for user 12: record not found`, [{ code: 'USER_MISSING' }]],
  ['NA-main auth fence', `[ERR] 2026/08/08 - 09:00:03 | ${RID} | TokenAuth GetUserCache error for user 12: user authentication state update is pending`, [{ code: 'AUTH_VERSION_FENCE' }]],
  ['GORM record not found is noise', '2025/11/17 14:00:01 /app/model/token.go:77 record not found', []],
  // Route
  ['no routing model', err('未指定模型名称，模型名称不能为空'), [{ code: 'MODEL_UNRESOLVED' }]],
  ['GET poll parsed as JSON (F5)', err('Invalid request, 无效的请求, unexpected end of JSON input'), [{ code: 'MODEL_UNRESOLVED', detail: 'unexpected end of JSON input' }]],
  ['invalid_request is the client', err('field messages is required'), [{ code: 'REQUEST_INVALID', status: 'info' }]],
  // Channel errors on normal routes: Go error, then status
  ['do request failed: DNS', chanErr(3, 500, 'do request failed: Post "https://api.example.com/v1/x": dial tcp: lookup api.example.com on 127.0.0.11:53: no such host'), [{ code: 'UPSTREAM_DNS_FAILED', channel: 3 }]],
  ['do request failed: x509', chanErr(3, 500, 'do request failed: Post "https://a/x": tls: failed to verify certificate: x509: certificate has expired or is not yet valid'), [{ code: 'UPSTREAM_TLS_FAILED' }]],
  ['do request failed: client timeout', chanErr(3, 500, 'do request failed: Post "https://a/x": context deadline exceeded (Client.Timeout exceeded while awaiting headers)'), [{ code: 'UPSTREAM_TIMEOUT' }]],
  ['do request failed: dial timeout', chanErr(3, 500, 'do request failed: Post "https://a/x": dial tcp 203.0.113.9:443: i/o timeout'), [{ code: 'UPSTREAM_CONNECT_FAILED' }]],
  ['upstream 401', chanErr(4, 401, 'Incorrect API key provided'), [{ code: 'UPSTREAM_AUTH_REJECTED', channel: 4 }]],
  ['upstream 429', chanErr(4, 429, 'Rate limit reached'), [{ code: 'UPSTREAM_REJECTED_REQUEST', status: 'warn', detail: 'upstream 429 (rate limited)' }]],
  ['upstream 503 HTML error page', chanErr(5, 502, 'bad response status code 502, body: <html>Bad gateway</html>'), [{ code: 'UPSTREAM_5XX', detail: 'upstream 502' }]],
  ['HTML decoded as JSON', chanErr(6, 500, "invalid character '<' looking for beginning of value"), [{ code: 'UPSTREAM_HTML_RESPONSE' }]],
  ['upstream relay has no channel', chanErr(8, 503, '当前分组 default 下对于模型 runway_file 无可用渠道 (request id: B20251106101010123abc)'), [{ code: 'UPSTREAM_NO_CHANNEL' }]],
  ['price error inside the relay loop', chanErr(3, 500, '模型 gpt-x 倍率或价格未配置，请联系管理员设置或开始自用模式'), [{ code: 'MODEL_PRICE_MISSING', model: 'gpt-x' }]],
  ['model_mapping invalid', chanErr(3, 500, 'unmarshal_model_mapping_failed'), [{ code: 'CHANNEL_JSON_INVALID' }]],
  ['NA-2504 wording', '[ERR] 2025/04/11 - 10:00:00 | x1y2z3a4 | relay error (channel #7, status code: 503): upstream overloaded', [{ code: 'UPSTREAM_5XX', channel: 7 }]],
  ['one-api relay error', '[ERROR] 2025/02/21 - 10:00:05 | 2025022110000512345678 | controller/relay.go:87 [Relay] relay error (channel id 5, user id: 1): do request failed: EOF', [{ code: 'UPSTREAM_CONNECTION_DROPPED', channel: 5 }]],
  ['error-log companion is not counted', `[INFO] 2025/11/17 - 14:00:00 | ${RID} | record error log: userId=1, channelId=3, modelName=m, tokenName=t, content=分组 default 下模型 m 无可用渠道`, []],
  // Passthrough answers (RB §10.8)
  ['stale view: channel gone', err('获取渠道失败: record not found'), [{ code: 'CACHE_STALE_CHANNELS' }]],
  ['channel row unreadable (F47)', err('获取渠道失败: sql: Scan error on column index 25, name "channel_info": unexpected end of JSON input'), [{ code: 'CHANNEL_ROW_UNREADABLE' }]],
  ['channel disabled behind the view', err('渠道已禁用'), [{ code: 'CACHE_STALE_CHANNELS' }]],
  ['no channel key', err('该渠道没有可用的密钥'), [{ code: 'CHANNEL_KEY_MISSING' }]],
  ['no base_url', err('渠道 BaseURL 未配置，请在渠道设置中配置旧网关地址'), [{ code: 'CHANNEL_BASE_URL_MISSING' }]],
  ['request_failed: scheme missing', err('转发请求到旧网关失败: failed to send request to legacy gateway: Post "legacy.example/v1/videos": unsupported protocol scheme ""'), [{ code: 'CHANNEL_BASE_URL_MALFORMED' }]],
  ['request_failed: refused', err('转发请求到旧网关失败: failed to send request to legacy gateway: Post "https://l/x": dial tcp 10.0.0.9:443: connect: connection refused'), [{ code: 'UPSTREAM_CONNECT_FAILED' }]],
  ['response_processing_failed: EOF', err('处理响应失败: failed to read response body: unexpected EOF'), [{ code: 'UPSTREAM_CONNECTION_DROPPED' }]],
  // BF passthrough lines with their Go errors
  ['TLS handshake timeout', failReq('net/http: TLS handshake timeout'), [{ code: 'UPSTREAM_TLS_FAILED' }]],
  ['x509', failReq('tls: failed to verify certificate: x509: certificate signed by unknown authority'), [{ code: 'UPSTREAM_TLS_FAILED' }]],
  ['60-s header cap', failReq('net/http: timeout awaiting response headers'), [{ code: 'UPSTREAM_TIMEOUT' }]],
  ['overall deadline', failReq('context deadline exceeded'), [{ code: 'UPSTREAM_TIMEOUT' }]],
  ['refused', failReq('dial tcp 198.51.100.9:443: connect: connection refused'), [{ code: 'UPSTREAM_CONNECT_FAILED' }]],
  ['no such host', failReq('dial tcp: lookup legacy.example on 127.0.0.11:53: no such host'), [{ code: 'UPSTREAM_DNS_FAILED' }]],
  ['reset', failReq('read tcp 10.0.0.2:51234->198.51.100.9:443: read: connection reset by peer'), [{ code: 'UPSTREAM_CONNECTION_DROPPED' }]],
  ['unexpected EOF', failReq('unexpected EOF'), [{ code: 'UPSTREAM_CONNECTION_DROPPED' }]],
  ['client went away while waiting', failReq('context canceled'), [{ code: 'UPSTREAM_SLOW' }]],
  ['body read cancelled (F55)', '[ERROR Bltcy] DoResponse failed after 1 attempts: 处理响应失败: failed to read response body: context canceled', [{ code: 'UPSTREAM_SLOW', status: 'warn' }]],
  ['body read timeout, GET retried', '[WARN Bltcy] Response read timeout (attempt 1/3), retrying in 2s: context deadline exceeded', [{ code: 'UPSTREAM_SLOW', status: 'warn' }]],
  ['GET retry after reset is a warning', '[DEBUG Bltcy] Request failed (attempt 1/3), retrying in 2s: Get "https://l/x": read: connection reset by peer', [{ code: 'UPSTREAM_CONNECTION_DROPPED', status: 'warn' }]],
  ['GET retry on 5xx', '[DEBUG Bltcy] GET request returned 502 (attempt 1/3), retrying in 2s', [{ code: 'UPSTREAM_5XX', status: 'warn' }]],
  ['POST 5xx passed through', '[WARN Bltcy] POST/PUT request returned 5xx error: status=500, body={"code":"fail_submit_task","message":"","data":null}', [{ code: 'UPSTREAM_5XX', status: 'fail' }]],
  ['upstream 5xx: no channel upstream', '[WARN Bltcy] Upstream returned 5xx error: 503, body: {"error":{"message":"No available channel for model runway_file under group default (distributor)"}}', [{ code: 'UPSTREAM_NO_CHANNEL' }]],
  ['upstream 401', '[DEBUG Bltcy] Response received: status=401, method=POST, url=https://l/runway/x', [{ code: 'UPSTREAM_AUTH_REJECTED' }]],
  ['upstream 304 (F63)', '[DEBUG Bltcy] Response received: status=304, method=GET, url=https://l/runwayml/v1/tasks/1', [{ code: 'UPSTREAM_NOT_MODIFIED', status: 'warn' }]],
  ['upstream 406 (F59)', '[DEBUG Bltcy] Response received: status=406, method=POST, url=https://l/minimax/v1/video_generation', [{ code: 'UPSTREAM_REJECTED_REQUEST' }]],
  ['upstream 200 is fine', '[DEBUG Bltcy] Response received: status=200, method=POST, url=https://l/x', []],
  ['base_url with trailing slash', '[DEBUG Bltcy] Method: POST, targetURL: https://legacy.example//runwayml/v1/image_to_video, bodyLen: 12', [{ code: 'CHANNEL_BASE_URL_MALFORMED', status: 'warn' }]],
  ['Jimeng result as GET with body (F49)', '[DEBUG Bltcy] Method: GET, targetURL: https://l/jimeng/?Action=CVSync2AsyncGetResult&Version=2022-08-31, bodyLen: 80', [{ code: 'CHANNEL_TYPE_MISMATCH' }]],
  ['no price: base quota (F69)', '[DEBUG Bltcy Billing] Model: runway, Using base quota: 1000, GroupRatio: 2.00, ChannelRatio: 1.00, Final: 2000', [{ code: 'MODEL_PRICE_MISSING', status: 'warn', model: 'runway' }]],
  ['priced billing is fine', '[DEBUG Bltcy Billing] Model: sora-2, Price: $0.1000, GroupRatio: 1.00, ChannelRatio: 1.00, Quota: 50000', []],
  // Old BF builds
  ['202 conversion (F65)', '[DEBUG Bltcy] Converting upstream 5xx error to 202 Accepted', [{ code: 'RELAY_BUILD_OUTDATED' }, { code: 'UPSTREAM_5XX' }]],
  ['old DoResponse line', '[ERROR Bltcy] DoResponse failed: 处理响应失败: failed to read response body: context canceled', [{ code: 'RELAY_BUILD_OUTDATED' }, { code: 'UPSTREAM_SLOW' }]],
  ['old status line', '[ERROR Bltcy] Status: 500, Response: {"code":"fail"}', [{ code: 'RELAY_BUILD_OUTDATED' }, { code: 'UPSTREAM_5XX' }]],
  ['old GET retry', '[DEBUG Bltcy] GET request failed (attempt 1/2), retrying in 1s: read: connection reset by peer', [{ code: 'RELAY_BUILD_OUTDATED' }, { code: 'UPSTREAM_CONNECTION_DROPPED', status: 'warn' }]],
  // The 60-s header cap seen only in the access log (F52)
  ['POST 500 at 60 s on a passthrough path', gin(500, '1m0.19s', 'POST', '/v1/videos'), [{ code: 'UPSTREAM_TIMEOUT' }]],
  ['GET 500 after three 60-s attempts', gin(500, '3m4.1s', 'GET', '/suno/feed/abc'), [{ code: 'UPSTREAM_TIMEOUT' }]],
  ['GET 500 after two attempts', gin(500, '2m2.4s', 'GET', '/kling/v1/videos/image2video/1'), [{ code: 'UPSTREAM_TIMEOUT' }]],
  ['60 s on a normal route is not the cap', gin(500, '1m0.19s', 'POST', '/v1/chat/completions'), []],
  ['59.9 s is not the cap', gin(500, '59.9s', 'POST', '/v1/videos'), []],
  ['66 s is not the cap', gin(500, '1m6.012s', 'POST', '/v1/videos'), []],
  ['502 at 60 s is not the passthrough', gin(502, '1m0.2s', 'POST', '/runway/v1/x'), []],
  // Channel auto-disable (warn)
  ['auto-disable (new-api)', sys('通道「openai-1」（#3）发生错误，准备禁用，原因：status code 401'), [{ code: 'CHANNELS_ALL_DISABLED', status: 'warn', channel: 3, detail: 'status code 401' }]],
  ['disabled notification', sys('通道「openai-1」（#3）已被禁用'), [{ code: 'CHANNELS_ALL_DISABLED', status: 'warn', channel: 3 }]],
  ['auto-disable off', sys('通道「openai-1」（#3）发生错误，未启用自动禁用功能，跳过禁用操作'), []],
  ['one-api disable', '[ERROR] 2025/02/21 - 10:00:05 | monitor/manage.go:40 [DisableChannel] channel #5 has been disabled: Incorrect API key', [{ code: 'CHANNELS_ALL_DISABLED', status: 'warn', channel: 5 }]],
  // Cache, panics, options, Redis, schema
  ['sync-loop panic exits the process', 'panic: assignment to entry in nil map', [{ code: 'ABILITY_GROUP_PANIC_RISK' }, { code: 'RELAY_CRASH_LOOP' }]],
  ['startup recovery', sys('InitChannelCache panic: assignment to entry in nil map, retrying once'), [{ code: 'ABILITY_GROUP_PANIC_RISK' }, { code: 'RELAY_CRASH_LOOP' }]],
  ['startup rebuild failed', sys('InitChannelCache failed: record not found'), [{ code: 'RELAY_CRASH_LOOP' }]],
  ['request panic in the inline rebuild', sys('panic detected: assignment to entry in nil map'), [{ code: 'ABILITY_GROUP_PANIC_RISK' }]],
  ['type out of range (F48)', sys('panic detected: runtime error: index out of range [56] with length 56'), [{ code: 'CHANNEL_TYPE_OUT_OF_RANGE' }]],
  ['other recovered panic', sys('panic detected: runtime error: invalid memory address or nil pointer dereference'), [{ code: 'RELAY_PANIC' }]],
  ['route registration panic (F8)', "panic: wildcard route ':id' conflicts with existing children in path '/v1/videos/:id'", [{ code: 'RELAY_CRASH_LOOP' }]],
  ['goroutine line alone is a dump line', 'goroutine 1 [running]:', []],
  ['option JSON', sys("failed to update option map: json: cannot unmarshal string into Go value of type float64"), [{ code: 'OPTION_JSON_INVALID' }]],
  ['channel setting JSON', sys('failed to unmarshal setting: channel_id=8, error=unexpected end of JSON input'), [{ code: 'CHANNEL_JSON_INVALID', channel: 8 }]],
  ['Redis at startup', sys('Redis ping test failed: dial tcp 127.0.0.1:6379: connect: connection refused'), [{ code: 'REDIS_UNREACHABLE' }]],
  ['Redis in the rate limiter', err('rate limit check failed (mark=GA): dial tcp 127.0.0.1:6379: i/o timeout'), [{ code: 'REDIS_UNREACHABLE' }]],
  ['price gap', sys('model price not found: foo-model'), [{ code: 'MODEL_PRICE_MISSING', model: 'foo-model' }]],
  ['group ratio gap', sys('group ratio not found: partner'), [{ code: 'GROUP_NOT_IN_RATIO', status: 'warn', group: 'partner' }]],
  ['overloaded', err('system_cpu_overloaded'), [{ code: 'RELAY_OVERLOADED' }]],
  ['slave ahead of the schema (F73)', '2025/11/17 14:00:01 /app/model/user.go:300 ERROR: column "auth_version" does not exist (SQLSTATE 42703)', [{ code: 'SCHEMA_BEHIND_CODE', detail: 'auth_version' }]],
  ['relay cannot open its database', '[FATAL] 2025/02/21 - 10:00:00 | [failed to initialize database: dial tcp 127.0.0.1:3306: connect: connection refused]', [{ code: 'RELAY_CRASH_LOOP' }]],
  // Noise
  ['cache lifecycle', sys('channels synced from database'), []],
  ['Redis enabled', sys('Redis is enabled'), []],
  ['healthy access line', gin(200, '3.021s', 'POST', '/runwayml/v1/image_to_video'), []],
];

describe('signatures → contract codes', () => {
  it.each(CASES)('%s', (_name, line, want) => {
    const hits = classifyLine(parseLine(cleanLine(line).text, parseTimeZone('utc')));
    expect(hits.map((h) => h.code)).toEqual(want.map((w) => w.code));
    want.forEach((w, i) => {
      const h = hits[i]!;
      const { status, ...fields } = w;
      expect(h).toMatchObject(fields);
      expect(h.status ?? logCodeInfo(h.code).status).toBe(status ?? logCodeInfo(h.code).status);
    });
  });

  it('every code a signature names exists, with the stage of the contract', () => {
    for (const [, line] of CASES) {
      for (const h of classifyLine(parseLine(cleanLine(line).text, parseTimeZone('utc')))) {
        const info = logCodeInfo(h.code);
        if (h.code in CODES) expect(info).toEqual(CODES[h.code as keyof typeof CODES]);
        else expect(h.code).toBe('RELAY_PANIC');
      }
    }
  });
});

describe('logs-table rows', () => {
  const row = (r: Partial<LogRow>): LogRow => ({ id: 1, createdAt: 1_763_388_000, type: 5, content: '', ...r });
  it.each<[string, LogRow, Want[]]>([
    ['do_request_failed with the Go error', row({ errorCode: 'do_request_failed', statusCode: 500, content: 'Post "https://a/x": dial tcp: lookup a: no such host', channelId: 3 }), [{ code: 'UPSTREAM_DNS_FAILED', channel: 3 }]],
    ['bad status code by status', row({ errorCode: 'bad_response_status_code', statusCode: 502, content: 'bad response status code 502', channelId: 4, model: 'gpt-4o', group: 'vip' }), [{ code: 'UPSTREAM_5XX', channel: 4, model: 'gpt-4o', group: 'vip' }]],
    ['NA-main content prefix', row({ content: 'status_code=401, Incorrect API key provided' }), [{ code: 'UPSTREAM_AUTH_REJECTED' }]],
    ['get_channel_failed', row({ errorCode: 'get_channel_failed', content: '获取分组 default 下模型 m 的可用渠道失败（retry）: x' }), [{ code: 'CHANNELS_ALL_DISABLED' }]],
    ['model_price_error', row({ errorCode: 'model_price_error', content: '模型 x 倍率或价格未配置', model: 'x' }), [{ code: 'MODEL_PRICE_MISSING', model: 'x' }]],
    ['mapping error', row({ errorCode: 'channel:model_mapped_error', content: 'unmarshal_model_mapping_failed' }), [{ code: 'CHANNEL_JSON_INVALID' }]],
    ['unexplained error row', row({ errorCode: 'something_new', content: 'who knows' }), []],
    ['passthrough consume row priced at base', row({ type: 2, content: 'Bltcy透传（runway/runway），价格: $0.0000, 配额: 1000, 来源: base', model: 'runway' }), [{ code: 'MODEL_PRICE_MISSING', model: 'runway', status: 'warn' }]],
    ['passthrough consume row priced', row({ type: 2, content: 'Bltcy透传（sora-2/sora-2-pro），价格: $0.5000, 配额: 250000, 来源: price' }), []],
    ['old passthrough billing format (F66)', row({ type: 2, content: 'Bltcy透传模式（kling），消费配额: 1000', model: 'kling_passthrough' }), [{ code: 'RELAY_BUILD_OUTDATED' }]],
    ['ordinary consume row', row({ type: 2, content: '模型倍率 1.00，分组倍率 1.00' }), []],
  ])('%s', (_name, r, want) => {
    const hits = classifyRow(r);
    expect(hits.map((h) => h.code)).toEqual(want.map((w) => w.code));
    want.forEach((w, i) => {
      const { status, ...fields } = w;
      expect(hits[i]).toMatchObject(fields);
      if (status) expect(hits[i]!.status ?? logCodeInfo(hits[i]!.code).status).toBe(status);
    });
  });
});
