// The answer catalogue, table-driven with the relays' real message texts per version (RB §6.3,
// §8.4–§8.6, §9, §10.8, §11.1, §16). One classifier serves the probe, --live and --seen-*.
import { describe, expect, it } from 'vitest';
import { classifyAnswer, type AnswerContext, type Classification } from '../../src/live/catalogue.js';

const RID = '20251028103000123456789AbCdEfGh';
const UP_RID = 'B20251028103001987654321ZyXwVuTs';
const err = (message: string, code = '', type = 'new_api_error') => JSON.stringify({ error: { message, type, param: '', code } });
const task = (code: string, message: string) => JSON.stringify({ code, message, data: null });
const json = { 'content-type': ['application/json; charset=utf-8'], 'x-oneapi-request-id': [RID] };

interface Case {
  name: string;
  status: number;
  body: string;
  headers?: Record<string, string[]>;
  ctx?: AnswerContext;
  want: Partial<Pick<Classification, 'kind' | 'code' | 'origin' | 'group' | 'model' | 'errorCode'>> & { consistentHas?: string[]; noCode?: boolean };
}

const BF: AnswerContext = { build: 'BF' };
const PT: AnswerContext = { build: 'BF', passthrough: true, routeKnown: true };

const cases: Case[] = [
  // The zero-cost probe (RB §11.1)
  { name: 'probe, BF/new-api ≥ 2025-08-14: 500 invalid_request means a channel was chosen', status: 500, body: err(`field messages is required (request id: ${RID})`, 'invalid_request'), ctx: { ...BF, probe: true }, want: { kind: 'channel-selected', origin: 'relay', noCode: true } },
  { name: 'probe, one-api / NA-2504: 400 invalid_text_request', status: 400, body: err('field messages is required', 'invalid_text_request', 'one_api_error'), ctx: { build: 'OA', probe: true }, want: { kind: 'channel-selected', errorCode: 'invalid_text_request' } },
  { name: 'a real request failing validation is the client body (F77)', status: 500, body: err(`field prompt is required (request id: ${RID})`, 'invalid_request'), ctx: BF, want: { kind: 'request-invalid', code: 'REQUEST_INVALID' } },
  // Distribute: no channel (RB §8.4)
  { name: 'BF no channel', status: 503, body: err(`分组 default 下模型 runway 无可用渠道（distributor） (request id: ${RID})`, 'model_not_found'), ctx: BF, want: { kind: 'no-channel', group: 'default', model: 'runway', noCode: true, consistentHas: ['CACHE_STALE_CHANNELS', 'GROUP_HAS_NO_CHANNEL', 'RELAY_NODES_DISAGREE'] } },
  { name: 'empty user group prints two spaces', status: 503, body: err(`分组  下模型 runway 无可用渠道（distributor） (request id: ${RID})`, 'model_not_found'), ctx: BF, want: { kind: 'no-channel', group: '', model: 'runway' } },
  { name: 'NA-main English puts the model first', status: 503, body: err(`No available channel for model gpt-4o under group vip (distributor) (request id: ${RID})`, 'model_not_found'), ctx: { build: 'NA-main' }, want: { kind: 'no-channel', group: 'vip', model: 'gpt-4o' } },
  { name: 'one-api no channel', status: 503, body: err(`当前分组 default 下对于模型 gpt-4 无可用渠道 (request id: ${RID})`, '', 'one_api_error'), ctx: { build: 'OA' }, want: { kind: 'no-channel', group: 'default', model: 'gpt-4' } },
  { name: 'NA-2504 no channel (consistency variant)', status: 503, body: err('当前分组 default 下对于模型 gpt-4 无可用渠道（数据库一致性已被破坏）'), ctx: { build: 'NA-2504' }, want: { kind: 'no-channel', model: 'gpt-4' } },
  { name: 'BF selector error: dangling ability', status: 503, body: err(`获取分组 default 下模型 dangling-model 的可用渠道失败（数据库一致性已被破坏，distributor）: record not found (request id: ${RID})`, 'model_not_found'), ctx: BF, want: { kind: 'selector-error', group: 'default', model: 'dangling-model', consistentHas: ['ABILITY_DANGLING'] } },
  { name: 'normal route retry found no channel (F38)', status: 500, body: err(`获取分组 default 下模型 gpt-4o 的可用渠道失败（retry）: record not found (request id: ${RID})`, 'get_channel_failed'), ctx: { build: 'NA-0.9.16' }, want: { kind: 'relay-error', code: 'CHANNELS_ALL_DISABLED' } },
  // The passthrough's own errors (RB §10.8)
  { name: 'get_channel_failed record not found: stale routing view (F29)', status: 500, body: task('get_channel_failed', '获取渠道失败: record not found'), headers: json, ctx: PT, want: { kind: 'passthrough-error', code: 'CACHE_STALE_CHANNELS', origin: 'relay' } },
  { name: 'get_channel_failed scan error: row unreadable (F47)', status: 500, body: task('get_channel_failed', '获取渠道失败: sql: Scan error on column index 24, name "channel_info": unsupported Scan, storing driver.Value type string into type *model.ChannelInfo'), ctx: PT, want: { code: 'CHANNEL_ROW_UNREADABLE' } },
  { name: 'get_channel_failed database error (F72)', status: 500, body: task('get_channel_failed', '获取渠道失败: context deadline exceeded'), ctx: PT, want: { code: 'DB_SLOW' } },
  { name: 'channel_disabled: the view still had it enabled', status: 403, body: task('channel_disabled', '渠道已禁用'), ctx: PT, want: { code: 'CACHE_STALE_CHANNELS', consistentHas: ['CHANNELS_ALL_DISABLED'] } },
  { name: 'no_available_key', status: 500, body: task('no_available_key', '该渠道没有可用的密钥'), ctx: PT, want: { code: 'CHANNEL_KEY_MISSING' } },
  { name: 'invalid_base_url', status: 500, body: task('invalid_base_url', '渠道 BaseURL 未配置，请在渠道设置中配置旧网关地址'), ctx: PT, want: { code: 'CHANNEL_BASE_URL_MISSING' } },
  { name: 'request_failed: the 60 s header cap', status: 500, body: task('request_failed', '转发请求到旧网关失败: failed to send request to legacy gateway: Post "https://api.bltcy.ai/runwayml/v1/image_to_video": net/http: timeout awaiting response headers'), ctx: PT, want: { code: 'UPSTREAM_TIMEOUT' } },
  { name: 'request_failed: TLS handshake timeout', status: 500, body: task('request_failed', '转发请求到旧网关失败: failed to send request to legacy gateway: Post "https://api.bltcy.ai/v1/videos": net/http: TLS handshake timeout'), ctx: PT, want: { code: 'UPSTREAM_TLS_FAILED' } },
  { name: 'request_failed: DNS', status: 500, body: task('request_failed', '转发请求到旧网关失败: failed to send request to legacy gateway: Post "https://gw.invalid/x": dial tcp: lookup gw.invalid on 127.0.0.11:53: no such host'), ctx: PT, want: { code: 'UPSTREAM_DNS_FAILED' } },
  { name: 'request_failed: refused', status: 500, body: task('request_failed', '转发请求到旧网关失败: failed to send request to legacy gateway: Post "http://10.0.0.9:3000/x": dial tcp 10.0.0.9:3000: connect: connection refused'), ctx: PT, want: { code: 'UPSTREAM_CONNECT_FAILED' } },
  { name: 'request_failed: base_url without scheme', status: 500, body: task('request_failed', '转发请求到旧网关失败: failed to send request to legacy gateway: Post "api.bltcy.ai/runway/x": unsupported protocol scheme ""'), ctx: PT, want: { code: 'CHANNEL_BASE_URL_MALFORMED' } },
  { name: 'response_processing_failed: unexpected EOF', status: 500, body: task('response_processing_failed', '处理响应失败: failed to read response body: unexpected EOF'), ctx: PT, want: { code: 'UPSTREAM_CONNECTION_DROPPED' } },
  { name: 'response_processing_failed: context canceled', status: 500, body: task('response_processing_failed', '处理响应失败: failed to read response body: context canceled'), ctx: PT, want: { code: 'UPSTREAM_SLOW' } },
  // The upstream's own answer, passed through (RB §1.3, §10.7)
  { name: 'two X-Oneapi-Request-Id values: the upstream answered', status: 500, body: err(`upstream error: do request failed (request id: ${UP_RID})`, 'do_request_failed'), headers: { 'x-oneapi-request-id': [RID, UP_RID] }, ctx: PT, want: { kind: 'upstream', code: 'UPSTREAM_5XX', origin: 'upstream' } },
  { name: 'merged header values count as two', status: 502, body: err('bad gateway'), headers: { 'x-oneapi-request-id': [`${RID}, ${UP_RID}`] }, ctx: PT, want: { code: 'UPSTREAM_5XX', origin: 'upstream' } },
  { name: 'a body request id starting with B, no headers', status: 500, body: err(`当前负载已饱和，请稍后再试 (request id: ${UP_RID})`), ctx: PT, want: { code: 'UPSTREAM_5XX', origin: 'upstream' } },
  { name: 'a code the passthrough never writes is the upstream\'s', status: 500, body: task('fail_submit_task', 'submit failed'), ctx: PT, want: { code: 'UPSTREAM_5XX', origin: 'upstream' } },
  { name: 'the legacy gateway\'s no-channel wording (F58)', status: 503, body: err('当前分组 default 下对于模型 runway 无可用渠道'), ctx: PT, want: { code: 'UPSTREAM_NO_CHANNEL', origin: 'upstream' } },
  { name: 'the upstream refuses the channel key (F57)', status: 401, body: err(`无效的令牌 (request id: ${UP_RID})`), ctx: PT, want: { code: 'UPSTREAM_AUTH_REJECTED', origin: 'upstream' } },
  { name: 'normal route: an upstream error type', status: 502, body: err('bad response status code 502', 'bad_response_status_code', 'upstream_error'), ctx: { build: 'NA-0.9.16' }, want: { code: 'UPSTREAM_5XX', origin: 'upstream' } },
  { name: '202 任务处理中 from builds of 2025-10-14…31 (F65)', status: 202, body: JSON.stringify({ message: '任务处理中，请稍后重试', status: 'processing' }), ctx: PT, want: { code: 'UPSTREAM_5XX', consistentHas: ['RELAY_BUILD_OUTDATED'] } },
  // Routes (RB §9)
  { name: 'web page on a known route: not deployed', status: 200, body: '<!doctype html><html><head><title>API Gateway</title></head><body></body></html>', headers: { 'content-type': ['text/html; charset=utf-8'] }, ctx: PT, want: { kind: 'web-page', code: 'ROUTE_NOT_DEPLOYED', consistentHas: ['UPSTREAM_HTML_RESPONSE'] } },
  { name: 'web page on an unknown route', status: 200, body: '<!DOCTYPE html><html></html>', ctx: { build: 'NA-0.9.16' }, want: { kind: 'web-page', code: 'ROUTE_UNKNOWN' } },
  { name: '404 Invalid URL', status: 404, body: JSON.stringify({ error: { message: 'Invalid URL (POST /v1/foo)', type: 'invalid_request_error', param: '', code: '' } }), ctx: { build: 'BF', routeKnown: true }, want: { kind: 'invalid-url', code: 'ROUTE_NOT_DEPLOYED' } },
  { name: 'trailing slash redirect', status: 307, body: '', headers: { location: ['/v1/chat/completions'] }, want: { kind: 'redirect', code: 'ROUTE_TRAILING_SLASH' } },
  { name: 'an HTML 502 from a proxy: the relay is down', status: 502, body: '<html><body>Bad Gateway</body></html>', want: { kind: 'proxy-error', code: 'RELAY_UNREACHABLE', origin: 'proxy' } },
  // TokenAuth (RB §6.3, §6.4)
  { name: '401 无效的令牌', status: 401, body: err(`无效的令牌 (request id: ${RID})`), headers: json, ctx: BF, want: { kind: 'token-refused', code: 'TOKEN_NOT_FOUND', consistentHas: ['CACHE_STALE_TOKEN', 'DSN_MISPARSED'] } },
  { name: '401 未提供令牌', status: 401, body: err('未提供令牌'), ctx: BF, want: { code: 'TOKEN_NOT_FOUND' } },
  { name: '401 disabled', status: 401, body: err('该令牌状态不可用'), ctx: BF, want: { code: 'TOKEN_DISABLED' } },
  { name: '401 expired', status: 401, body: err('该令牌已过期'), ctx: BF, want: { code: 'TOKEN_EXPIRED' } },
  { name: '401 exhausted with the masked key', status: 401, body: err('[sk-abc***xyz] 该令牌额度已用尽 !token.UnlimitedQuota && token.RemainQuota = -1000'), ctx: BF, want: { code: 'TOKEN_EXHAUSTED' } },
  { name: 'NA-main says Invalid token for every token problem', status: 401, body: err('Invalid token'), ctx: { build: 'NA-main' }, want: { code: 'TOKEN_NOT_FOUND', consistentHas: ['TOKEN_DISABLED', 'TOKEN_EXHAUSTED'] } },
  { name: "403 BF: 令牌分组 … 已被禁用", status: 403, body: err('令牌分组 vip 已被禁用'), ctx: BF, want: { code: 'GROUP_NOT_USABLE', group: 'vip' } },
  { name: '403 newer: 无权访问 … 分组', status: 403, body: err('无权访问 svip 分组'), ctx: { build: 'NA-main' }, want: { code: 'GROUP_NOT_USABLE', group: 'svip' } },
  { name: '403 deprecated group', status: 403, body: err('分组 svip 已被弃用'), ctx: BF, want: { code: 'GROUP_NOT_IN_RATIO', group: 'svip' } },
  { name: '403 banned', status: 403, body: err('用户已被封禁'), ctx: BF, want: { code: 'USER_BANNED', consistentHas: ['CACHE_STALE_USER'] } },
  { name: '403 model limits', status: 403, body: err('该令牌无权访问模型 runway'), ctx: BF, want: { code: 'TOKEN_MODEL_FORBIDDEN' } },
  { name: '403 IP allow list', status: 403, body: err('您的 IP 不在令牌允许访问的列表中'), ctx: BF, want: { code: 'TOKEN_IP_RESTRICTED' } },
  { name: '403 pinned channel by a common user', status: 403, body: err('普通用户不支持指定渠道'), ctx: BF, want: { code: 'TOKEN_KEY_MALFORMED' } },
  { name: '500 record not found: the owner is gone (F11)', status: 500, body: err(`record not found (request id: ${RID})`), headers: json, ctx: BF, want: { kind: 'owner-lookup', code: 'USER_MISSING', origin: 'relay', consistentHas: ['AUTH_VERSION_FENCE'] } },
  { name: 'NA-main Database error: owner, token lookup or fence', status: 500, body: err('Database error, please contact the administrator'), ctx: { build: 'NA-main' }, want: { kind: 'owner-lookup', noCode: true, consistentHas: ['USER_MISSING', 'AUTH_VERSION_FENCE'] } },
  // Distribute's other answers, the relay's own failures
  { name: '400 no routing model (F7)', status: 400, body: err('未指定模型名称，模型名称不能为空'), ctx: BF, want: { code: 'MODEL_UNRESOLVED' } },
  { name: '400 a GET parsed as JSON (F5)', status: 400, body: err('Invalid request, 无效的请求, unexpected end of JSON input'), ctx: BF, want: { code: 'MODEL_UNRESOLVED', consistentHas: ['RELAY_BUILD_OUTDATED'] } },
  { name: '503 performance guard', status: 503, body: err('system cpu overloaded', 'system_cpu_overloaded'), ctx: { build: 'NA-main' }, want: { kind: 'overloaded', code: 'RELAY_OVERLOADED' } },
  { name: 'panic: type out of range (F48)', status: 500, body: JSON.stringify({ error: { message: 'Panic detected, error: runtime error: index out of range [57] with length 57. Please submit a issue here: https://github.com/Calcium-Ion/new-api', type: 'new_api_panic' } }), ctx: BF, want: { kind: 'panic', code: 'CHANNEL_TYPE_OUT_OF_RANGE' } },
  { name: 'model_price_error (F70)', status: 500, body: err('模型 gpt-x 倍率或价格未配置，请联系管理员设置或开始自用模式', 'model_price_error'), ctx: { build: 'NA-0.9.16' }, want: { code: 'MODEL_PRICE_MISSING' } },
  { name: 'rate limiter on Redis', status: 500, body: err('rate limit check failed', 'rate_limit_check_failed'), ctx: BF, want: { code: 'REDIS_UNREACHABLE' } },
  { name: 'an empty 500', status: 500, body: '', want: { code: 'REDIS_UNREACHABLE' } },
  { name: '429', status: 429, body: err('您已达到请求数限制：1分钟内最多请求60次'), ctx: BF, want: { kind: 'rate-limited', noCode: true } },
  { name: 'a success passed through', status: 200, body: JSON.stringify({ id: 'task-1', status: 'PENDING' }), ctx: PT, want: { kind: 'success', noCode: true } },
];

describe('live/catalogue: classifyAnswer', () => {
  for (const c of cases) {
    it(c.name, () => {
      const got = classifyAnswer({ status: c.status, headers: c.headers ?? {}, body: c.body }, c.ctx ?? {});
      const { consistentHas, noCode, ...want } = c.want;
      expect(got).toMatchObject(want);
      if (noCode) expect(got.code).toBeUndefined();
      for (const code of consistentHas ?? []) expect(got.consistent).toContain(code);
      if (got.code) expect(got.consistent).toContain(got.code);
      expect(got.meaning.length).toBeGreaterThan(8);
    });
  }

  it('strips the request id from the message and keeps both ids', () => {
    const got = classifyAnswer({ status: 500, headers: { 'x-oneapi-request-id': [RID, UP_RID] }, body: err(`upstream error (request id: ${UP_RID})`) }, PT);
    expect(got.message).toBe('upstream error');
    expect(got.requestIds).toEqual({ headers: [RID, UP_RID], body: UP_RID });
    expect(got.originWhy.join(' ')).toMatch(/2 X-Oneapi-Request-Id values/);
  });

  it('the same relay body is the relay\'s own on a passthrough route when its id is the relay\'s', () => {
    const got = classifyAnswer({ status: 401, headers: json, body: err(`无效的令牌 (request id: ${RID})`) }, PT);
    expect(got.origin).toBe('relay');
    expect(got.code).toBe('TOKEN_NOT_FOUND');
  });

  it("a body whose request id is not the relay's came from upstream", () => {
    const got = classifyAnswer({ status: 401, headers: json, body: err('无效的令牌 (request id: 20251028103000999999999QqQqQqQq)') }, PT);
    expect(got.origin).toBe('upstream');
    expect(got.code).toBe('UPSTREAM_AUTH_REJECTED');
  });
});
