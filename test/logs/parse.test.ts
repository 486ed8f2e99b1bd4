import { describe, expect, it } from 'vitest';
import { parseGoDuration, parseSince, parseTimeZone, relayTime } from '../../src/logs/clock.js';
import { cleanLine, MAX_LINE, parseLine } from '../../src/logs/parse.js';
import type { ParsedLine } from '../../src/logs/types.js';

const UTC = parseTimeZone('utc');
const at = (y: number, mo: number, d: number, h: number, mi: number, s: number) => Date.UTC(y, mo - 1, d, h, mi, s);
const RID = '20251031103108123456789AbCdEfGh';
const MAIN_RID = '20260808090002000000007deadbeefAbCdEfGh';

const parse = (raw: string) => parseLine(cleanLine(raw).text, UTC);

// [raw line, expected subset of the parsed line]
const CASES: [string, string, Partial<Omit<ParsedLine, 'gin'>> & { gin?: Partial<NonNullable<ParsedLine['gin']>> }][] = [
  ['new-api INFO with request id, trailing space', `[INFO] 2025/10/31 - 10:31:08 | ${RID} | record consume log: userId=1 `, { kind: 'level', level: 'INFO', requestId: RID, message: 'record consume log: userId=1', time: at(2025, 10, 31, 10, 31, 8) }],
  ['new-api SYSTEM id', '[INFO] 2025/10/31 - 10:31:08 | SYSTEM | sync frequency: 60 seconds ', { kind: 'level', requestId: undefined, message: 'sync frequency: 60 seconds' }],
  ['middleware abort with user', `[ERR] 2025/10/31 - 10:31:08 | ${RID} | user 1 | 分组 default 下模型 runway 无可用渠道（distributor）`, { level: 'ERR', userId: 1, requestId: RID, message: '分组 default 下模型 runway 无可用渠道（distributor）' }],
  ['WARN and DEBUG levels', `[WARN] 2025/10/31 - 10:31:08 | ${RID} | slow`, { level: 'WARN', message: 'slow' }],
  ['DEBUG level', `[DEBUG] 2025/10/31 - 10:31:08 | ${RID} | detail`, { level: 'DEBUG', requestId: RID }],
  ['SYS with a bracket tag', '[SYS] 2025/10/31 - 10:31:08 | [Distributor] 请求渠道: group=default, model=runway, path=/runway/x', { level: 'SYS', tag: 'Distributor', requestId: undefined }],
  ['SYS plain', '[SYS] 2025/10/31 - 10:31:08 | channels synced from database', { level: 'SYS', tag: undefined, message: 'channels synced from database' }],
  ['FATAL', '[FATAL] 2025/10/31 - 10:31:08 | [failed to initialize database: dial tcp: connection refused]', { level: 'FATAL', message: 'failed to initialize database: dial tcp: connection refused' }],
  ['GIN NA-0.9.x/BF padded, µs latency', `[GIN] 2025/10/31 - 10:31:08 | ${RID} | 503 |     657.458µs |             ::1 |    POST /runway/v1/pro/video2video`, { kind: 'gin', requestId: RID, time: at(2025, 10, 31, 10, 31, 8), gin: { status: 503, latencyMs: 0.657458, ip: '::1', method: 'POST', path: '/runway/v1/pro/video2video' } }],
  ['GIN minute latency', `[GIN] 2025/11/17 - 14:02:11 | ${RID} | 500 |       1m0.19s |     203.0.113.7 |    POST /v1/videos`, { gin: { status: 500, latencyMs: 60_190, latencyText: '1m0.19s', method: 'POST', path: '/v1/videos' } }],
  ['GIN NA-main with scope and client_ip=', `[GIN] 2026/08/08 - 09:00:02 | relay | ${MAIN_RID} | 503 |      1.234ms |  client_ip=10.0.0.5 |    POST /v1/chat/completions`, { requestId: MAIN_RID, gin: { scope: 'relay', status: 503, latencyMs: 1.234, ip: '10.0.0.5' } }],
  ['GIN without request id', '[GIN] 2025/10/31 - 10:31:08 |  | 200 |      12.3µs |       127.0.0.1 |     GET /api/status', { requestId: undefined, gin: { status: 200, method: 'GET', path: '/api/status' } }],
  ['GIN gin-default layout', '[GIN] 2025/10/31 - 10:31:08 | 200 |     657.458µs |             ::1 | GET      "/api/status"', { requestId: undefined, gin: { status: 200, method: 'GET', path: '/api/status' } }],
  ['GIN with a query string', `[GIN] 2025/10/31 - 10:31:08 | ${RID} | 200 |   1.5s |  10.0.0.1 |     GET /v1beta/models/gemini:generate?alt=sse`, { gin: { path: '/v1beta/models/gemini:generate?alt=sse', latencyMs: 1500 } }],
  ['one-api without request id', '[INFO] 2025/02/21 - 10:00:00 | model/cache.go:178 [SyncChannelCache] syncing channels from database ', { kind: 'oneapi', source: 'model/cache.go:178', message: 'syncing channels from database', requestId: undefined }],
  ['one-api with request id', '[ERROR] 2025/02/21 - 10:00:05 | 2025022110000512345678 | relay/controller/text.go:93 [RelayTextHelper] do request failed: EOF ', { kind: 'oneapi', level: 'ERROR', requestId: '2025022110000512345678', source: 'relay/controller/text.go:93', message: 'do request failed: EOF' }],
  ['BF passthrough DEBUG', '[DEBUG Bltcy] Method: POST, targetURL: https://legacy.example/runwayml/v1/image_to_video, bodyLen: 123', { kind: 'tagged', tag: 'DEBUG Bltcy', time: undefined, requestId: undefined }],
  ['BF passthrough billing', '[DEBUG Bltcy Billing] Model: runway, Using base quota: 1000, GroupRatio: 1.00, ChannelRatio: 1.00, Final: 1000', { tag: 'DEBUG Bltcy Billing' }],
  ['BF passthrough billing check', '[DEBUG Bltcy Billing Check] Method: POST, Path: /x, isGetRequest: false', { tag: 'DEBUG Bltcy Billing Check' }],
  ['BF ERROR', '[ERROR Bltcy] DoResponse failed after 1 attempts: 处理响应失败: failed to read response body: context canceled', { tag: 'ERROR Bltcy', level: 'ERROR' }],
  ['BF WARN', '[WARN Bltcy] Upstream returned 5xx error: 502, body: x', { tag: 'WARN Bltcy' }],
  ['RelayTask', '[DEBUG RelayTask] Using Bltcy passthrough mode', { tag: 'DEBUG RelayTask', message: 'Using Bltcy passthrough mode' }],
  ['Kling converter', '[DEBUG KlingRequestConvert] START - Method: POST, Path: /kling/v1/videos/text2video', { tag: 'DEBUG KlingRequestConvert' }],
  ['bare Distributor', '[Distributor] 请求渠道: group=default, model=runway, path=/runway/x', { kind: 'tagged', tag: 'Distributor' }],
  ['bare CacheRetry', '[CacheRetry] 首次查询未找到渠道 group=default, model=runway, 准备重试', { tag: 'CacheRetry' }],
  ['gin debug', '[GIN-debug] GET    /api/status               --> main.status (5 handlers)', { kind: 'tagged', tag: 'GIN-debug' }],
  ['panic header', 'panic: assignment to entry in nil map', { kind: 'panic' }],
  ['runtime fatal error', 'fatal error: concurrent map writes', { kind: 'panic' }],
  ['Go std log / GORM', '2025/11/17 14:00:01 /app/model/main.go:142 SLOW SQL >= 200ms', { kind: 'golog', time: at(2025, 11, 17, 14, 0, 1), message: '/app/model/main.go:142 SLOW SQL >= 200ms' }],
  ['GORM SQL line', '[250.123ms] [rows:12] SELECT * FROM "options"', { kind: 'golog' }],
  ['ANSI colours', `\x1b[31m[ERR]\x1b[0m 2025/10/31 - 10:31:08 | ${RID} | user 1 | 无效的令牌`, { kind: 'level', level: 'ERR', message: '无效的令牌' }],
  ['CRLF', `[SYS] 2025/10/31 - 10:31:08 | memory cache enabled\r`, { message: 'memory cache enabled' }],
  ['docker logs -t prefix', '2025-11-17T14:00:00.123456789Z [DEBUG Bltcy] Using GET request timeout: 2m0s', { tag: 'DEBUG Bltcy' }],
  ['docker compose prefix with colours', `\x1b[36mnew-api-1  |\x1b[0m [SYS] 2025/10/31 - 10:31:08 | Redis is enabled`, { level: 'SYS', message: 'Redis is enabled' }],
  ['BOM', `\ufeff[SYS] 2025/10/31 - 10:31:08 | memory cache enabled`, { level: 'SYS' }],
  ['cut GIN line', '[GIN] 2025/11/17 - 14:06:40 | 2025111714064012', { kind: 'gin', partial: true, requestId: '2025111714064012' }],
  ['cut level prefix', '[ERR] 2025/11/17 - 14:0', { partial: true }],
  ['cut after the id', '[ERR] 2025/11/17 - 14:06:40 | 20251117140640998', { partial: true, requestId: '20251117140640998' }],
  ['unknown', 'Listening on :3000', { kind: 'unknown' }],
  ['unknown bracket', '[foo] bar', { kind: 'unknown' }],
  ['blank', '   ', { kind: 'blank' }],
];

describe('parseLine: every documented line format', () => {
  it.each(CASES)('%s', (_name, raw, want) => {
    const p = parse(raw);
    const { gin, ...rest } = want;
    const present = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
    expect(p).toMatchObject(present);
    for (const [k, v] of Object.entries(rest)) if (v === undefined) expect(p[k as keyof ParsedLine]).toBeUndefined();
    if (gin) expect(p.gin).toMatchObject(gin);
  });

  it('docker -t timestamps are returned for lines that have none', () => {
    expect(cleanLine('2025-11-17T14:00:00.5Z [DEBUG Bltcy] x').dockerTime).toBe(Date.parse('2025-11-17T14:00:00.5Z'));
  });

  it('over-long lines are cut and marked partial', () => {
    const p = parse(`[SYS] 2025/10/31 - 10:31:08 | ${'x'.repeat(MAX_LINE + 100)}`);
    expect(p.partial).toBe(true);
    expect(p.message.length).toBeLessThan(MAX_LINE);
  });

  it('timestamps follow the chosen zone', () => {
    const s = '2025/10/31 - 10:31:08';
    expect(relayTime(s, 0, 3, parseTimeZone('+08:00'))).toBe(at(2025, 10, 31, 2, 31, 8));
    expect(relayTime(s, 0, 3, parseTimeZone('-05:30'))).toBe(at(2025, 10, 31, 16, 1, 8));
    expect(relayTime(s, 0, 3, parseTimeZone('local'))).toBe(new Date(2025, 9, 31, 10, 31, 8).getTime());
    expect(relayTime('2025/13/31 - 10:31:08', 0, 3, UTC)).toBeUndefined();
    expect(() => parseTimeZone('Mars/Olympus')).toThrow(/--tz/);
  });
});

describe('Go durations and --since', () => {
  it.each([
    ['657.458µs', 0.657458],
    ['657.458μs', 0.657458],
    ['1m0.19s', 60_190],
    ['1m6.012s', 66_012],
    ['2h3m4.5s', 7_384_500],
    ['12.5ms', 12.5],
    ['300ns', 0.0003],
    ['2.000001s', 2000.001],
    ['0s', 0],
  ])('%s → %d ms', (text, ms) => expect(parseGoDuration(text)).toBeCloseTo(ms, 6));

  it.each(['', 'abc', '1x', '5 s', '1m0.19'])('rejects %j', (text) => expect(parseGoDuration(text)).toBeUndefined());

  it('since accepts durations and ISO dates', () => {
    const now = Date.UTC(2025, 10, 17, 15, 0, 0);
    expect(parseSince('30m', now)).toBe(now - 30 * 60_000);
    expect(parseSince('1h', now)).toBe(now - 3_600_000);
    expect(parseSince('2d', now)).toBe(now - 2 * 86_400_000);
    expect(parseSince('2025-11-17T14:00:00Z', now)).toBe(Date.UTC(2025, 10, 17, 14, 0, 0));
    expect(() => parseSince('yesterday', now)).toThrow(/duration/);
  });
});
