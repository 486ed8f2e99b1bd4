// Log corpora written from the documented line formats (RB §14.3, §8.4, §6.3, §10.8; failure-modes.md).
// Hosts are placeholders; request ids follow RB §1.3. Each corpus also returns what a reader
// must find in it, so the tests compare against facts written down here, not against the code.

const ESC = '\x1b';

/** BF / NA-0.9.x request id: local time, ns % 1e9 unpadded, 8 random characters. */
export function bfRid(time: string, ns: number, tail: string): string {
  return `${time.replace(/\D/g, '')}${ns}${tail}`;
}

/** NA-main request id: UTC time, 9-digit ns, 8 hex, 8 random. */
export function mainRid(time: string, ns: number, hex: string, tail: string): string {
  return `${time.replace(/\D/g, '')}${String(ns).padStart(9, '0')}${hex}${tail}`;
}

const gin = (time: string, rid: string, status: number, latency: string, ip: string, method: string, path: string) =>
  `[GIN] ${time} | ${rid} | ${String(status).padStart(3)} | ${latency.padStart(13)} | ${ip.padStart(15)} | ${method.padStart(7)} ${path}`;

export const RID = {
  noChannel: bfRid('2025/11/17 - 14:00:10', 123456789, 'AbCdEfGh'),
  klingTls: bfRid('2025/11/17 - 14:01:00', 5012, 'KlTlsQwe'),
  soraCap: bfRid('2025/11/17 - 14:02:11', 987654321, 'XyZxYzXy'),
  klingCapOld: bfRid('2025/11/17 - 14:03:00', 42, 'OldBuild'),
  multipartEof: bfRid('2025/11/17 - 14:04:06', 77, 'EofEofEo'),
  feedCanceled: bfRid('2025/11/17 - 14:04:30', 31337, 'FeedCncl'),
  upstream5xx: bfRid('2025/11/17 - 14:04:40', 100, 'Up5xx000'),
  uploadNoChannel: bfRid('2025/11/17 - 14:04:50', 9, 'RwFile00'),
  token: bfRid('2025/11/17 - 14:06:01', 1, 'TokBad00'),
  tokenExpired: bfRid('2025/11/17 - 14:06:02', 2, 'TokExp00'),
  tokenExhausted: bfRid('2025/11/17 - 14:06:03', 3, 'TokExh00'),
  userMissing: bfRid('2025/11/17 - 14:06:04', 4, 'UsrGone0'),
  okRunway: bfRid('2025/11/17 - 14:00:20', 555, 'RunwayOk'),
};

/**
 * A day of the passthrough fork (BF) in production: Runway/Kling/Sora traffic through channel 8,
 * with the incidents of failure-modes F20, F51–F56, F58, F9–F11, F18, F23, F45, F69 — plus noise,
 * ANSI colours, container prefixes, CRLF, cut lines and a goroutine dump.
 */
export function bfCorpus(): { lines: string[]; expect: Record<string, number> } {
  const L: string[] = [];
  // Startup (docker compose prefix, colours from gin's debug output)
  L.push(`${ESC}[36mnew-api  |${ESC}[0m [SYS] 2025/11/17 - 14:00:00 | Redis is enabled`);
  L.push('[SYS] 2025/11/17 - 14:00:00 | memory cache enabled');
  L.push('[SYS] 2025/11/17 - 14:00:00 | sync frequency: 60 seconds');
  L.push(`[GIN-debug] [WARNING] Running in "debug" mode. Switch to "release" mode in production.`);
  L.push(`[GIN-debug] ${ESC}[33mPOST${ESC}[0m   /runwayml/*path           --> one-api/controller.RelayBltcy (6 handlers)`);
  L.push('2025/11/17 14:00:01 /app/model/main.go:142 SLOW SQL >= 200ms');
  L.push('[250.123ms] [rows:12] SELECT * FROM "options"');
  L.push('');
  // F20: no channel for runway in group default (503)
  L.push('[SYS] 2025/11/17 - 14:00:10 | [Distributor] 请求渠道: group=default, model=runway, path=/runway/v1/pro/video2video');
  L.push('[SYS] 2025/11/17 - 14:00:10 | [Distributor] 无可用渠道! group=default, model=runway, path=/runway/v1/pro/video2video, memory_cache=true');
  L.push(`[ERR] 2025/11/17 - 14:00:10 | ${RID.noChannel} | user 1 | 分组 default 下模型 runway 无可用渠道（distributor）`);
  L.push(gin('2025/11/17 - 14:00:10', RID.noChannel, 503, '657.458µs', '::1', 'POST', '/runway/v1/pro/video2video'));
  // A healthy passthrough request (billing with base quota: F69)
  L.push('[SYS] 2025/11/17 - 14:00:20 | [Distributor] 请求渠道: group=default, model=runway, path=/runwayml/v1/image_to_video');
  L.push('[SYS] 2025/11/17 - 14:00:20 | [Distributor] 渠道选择成功: channel_id=8, type=55, group=default, model=runway');
  L.push('[DEBUG Bltcy] Using POST/PUT request timeout: 15m0s');
  L.push('[DEBUG Bltcy] Method: POST, targetURL: https://legacy.example/runwayml/v1/image_to_video, bodyLen: 123');
  L.push('[DEBUG Bltcy] Response received: status=200, method=POST, url=https://legacy.example/runwayml/v1/image_to_video');
  L.push('[DEBUG Bltcy] Response status: 200, isGetRequest: false, attempt: 1, maxRetries: 1');
  L.push('[DEBUG Bltcy] DoResponse success, body size: 456 bytes');
  L.push('[DEBUG Bltcy Billing Check] Method: POST, Path: /runwayml/v1/image_to_video, isGetRequest: false, contains /feed: false, isPollingRequest: false');
  L.push('[DEBUG Bltcy] serviceName: runway, billingModelName: ');
  L.push('[DEBUG Bltcy] billing_model_name is empty, fallback to serviceName: runway');
  L.push('[DEBUG Bltcy Billing] Model: runway, Using base quota: 1000, GroupRatio: 1.00, ChannelRatio: 1.00, Final: 1000');
  L.push(gin('2025/11/17 - 14:00:20', RID.okRunway, 200, '3.021s', '203.0.113.7', 'POST', '/runwayml/v1/image_to_video'));
  // F51: TLS handshake timeout on a Kling GET (converter line first, then Distributor)
  L.push('[DEBUG Kling GET] Path: /kling/v1/videos/image2video/805898583081390085, Query: ');
  L.push('[SYS] 2025/11/17 - 14:01:00 | [Distributor] 请求渠道: group=default, model=kling, path=/kling/v1/videos/image2video/805898583081390085');
  L.push('[SYS] 2025/11/17 - 14:01:00 | [Distributor] 渠道选择成功: channel_id=8, type=55, group=default, model=kling');
  L.push('[DEBUG Bltcy] Using GET request timeout: 2m0s');
  L.push('[DEBUG Bltcy] Method: GET, targetURL: https://legacy.example/kling/v1/videos/image2video/805898583081390085, bodyLen: 0');
  L.push('[ERROR Bltcy] Request failed: method=GET, url=https://legacy.example/kling/v1/videos/image2video/805898583081390085, error=Get "https://legacy.example/kling/v1/videos/image2video/805898583081390085": net/http: TLS handshake timeout');
  L.push(gin('2025/11/17 - 14:01:02', RID.klingTls, 500, '2.004511s', '203.0.113.7', 'GET', '/kling/v1/videos/image2video/805898583081390085'));
  // F52: Sora submit waits for headers 60 s (CRLF line endings from a Windows-side copy)
  L.push('[SYS] 2025/11/17 - 14:01:11 | [Distributor] 请求渠道: group=default, model=sora-2, path=/v1/videos\r');
  L.push('[SYS] 2025/11/17 - 14:01:11 | [Distributor] 渠道选择成功: channel_id=8, type=55, group=default, model=sora-2\r');
  L.push('[DEBUG Bltcy] Using POST/PUT request timeout: 15m0s\r');
  L.push('[DEBUG Bltcy] Method: POST, targetURL: https://legacy.example/v1/videos, bodyLen: 2048311\r');
  L.push('[ERROR Bltcy] Request failed: method=POST, url=https://legacy.example/v1/videos, error=Post "https://legacy.example/v1/videos": net/http: timeout awaiting response headers\r');
  L.push(gin('2025/11/17 - 14:02:11', RID.soraCap, 500, '1m0.19s', '203.0.113.7', 'POST', '/v1/videos') + '\r');
  // F52 on an older build that printed no error line: only the [GIN] line shows the cap
  L.push(gin('2025/11/17 - 14:03:00', RID.klingCapOld, 500, '1m0.005s', '203.0.113.7', 'POST', '/kling/v1/videos/image2video'));
  // F53: unexpected EOF after ~66 s on a large multipart upload
  L.push('[DEBUG Bltcy] Using POST/PUT request timeout: 15m0s');
  L.push('[DEBUG Bltcy] Method: POST, targetURL: https://legacy.example/v1/videos, bodyLen: 9831234');
  L.push('[ERROR Bltcy] Request failed: method=POST, url=https://legacy.example/v1/videos, error=Post "https://legacy.example/v1/videos": unexpected EOF');
  L.push(gin('2025/11/17 - 14:04:06', RID.multipartEof, 500, '1m6.012s', '203.0.113.7', 'POST', '/v1/videos'));
  // GET retry after a reset (recovered)
  L.push('[DEBUG Bltcy] Using GET request timeout: 2m0s');
  L.push('[DEBUG Bltcy] Method: GET, targetURL: https://legacy.example/suno/feed/abc123, bodyLen: 0');
  L.push('[DEBUG Bltcy] Request failed (attempt 1/3), retrying in 2s: Get "https://legacy.example/suno/feed/abc123": read tcp 10.0.0.2:51234->198.51.100.9:443: read: connection reset by peer');
  L.push('[DEBUG Bltcy] Response received: status=200, method=GET, url=https://legacy.example/suno/feed/abc123');
  L.push('[DEBUG Bltcy] GET request completed with status 200 (no billing)');
  L.push(gin('2025/11/17 - 14:04:20', bfRid('2025/11/17 - 14:04:20', 8, 'SunoFeed'), 200, '2.9s', '203.0.113.7', 'GET', '/suno/feed/abc123'));
  // F55: context canceled while reading the body
  L.push('[DEBUG Bltcy] Using POST/PUT request timeout: 15m0s');
  L.push('[DEBUG Bltcy] Method: POST, targetURL: https://legacy.example/runway/v1/feed, bodyLen: 40');
  L.push('[DEBUG Bltcy] Response received: status=200, method=POST, url=https://legacy.example/runway/v1/feed');
  L.push('[ERROR Bltcy] DoResponse failed after 1 attempts: 处理响应失败: failed to read response body: context canceled');
  L.push(gin('2025/11/17 - 14:04:30', RID.feedCanceled, 500, '12.5s', '203.0.113.7', 'POST', '/runway/v1/feed'));
  // F56: upstream 5xx passed through
  L.push('[DEBUG Bltcy] Using POST/PUT request timeout: 15m0s');
  L.push('[DEBUG Bltcy] Method: POST, targetURL: https://legacy.example/v1/videos, bodyLen: 512');
  L.push('[DEBUG Bltcy] Response received: status=500, method=POST, url=https://legacy.example/v1/videos');
  L.push('[WARN Bltcy] POST/PUT request returned 5xx error: status=500, body={"code":"fail_submit_task","message":"","data":null}');
  L.push(gin('2025/11/17 - 14:04:40', RID.upstream5xx, 500, '4.2s', '203.0.113.7', 'POST', '/v1/videos'));
  // F58: the upstream relay has no channel for runway_file (a no-channel text that is NOT ours)
  L.push('[DEBUG Bltcy] Using POST/PUT request timeout: 15m0s');
  L.push('[DEBUG Bltcy] Method: POST, targetURL: https://legacy.example/runway/uploads, bodyLen: 77');
  L.push('[WARN Bltcy] Upstream returned 5xx error: 503, body: {"error":{"message":"当前分组 default 下对于模型 runway_file 无可用渠道 (request id: B20251106101010123abc)","type":"new_api_error"}}');
  L.push(gin('2025/11/17 - 14:04:50', RID.uploadNoChannel, 503, '310.2ms', '203.0.113.7', 'POST', '/runway/uploads'));
  // F23: the sync loop panics, the process exits with a goroutine dump; then the restart recovers
  L.push('[SYS] 2025/11/17 - 14:05:00 | syncing channels from database');
  L.push('panic: assignment to entry in nil map');
  L.push('');
  L.push('goroutine 58 [running]:');
  L.push('one-api/model.InitChannelCache()');
  L.push('\t/build/model/channel_cache.go:52 +0x6b4');
  L.push('one-api/model.SyncChannelCache(0x3c)');
  L.push('\t/build/model/channel_cache.go:95 +0x45');
  L.push('created by main.main in goroutine 1');
  L.push('\t/build/main.go:98 +0x3a5');
  L.push('[SYS] 2025/11/17 - 14:05:03 | Redis is enabled');
  L.push('[SYS] 2025/11/17 - 14:05:03 | InitChannelCache panic: assignment to entry in nil map, retrying once');
  L.push('[SYS] 2025/11/17 - 14:05:03 | channels synced from database');
  // F18, F45
  L.push('[SYS] 2025/11/17 - 14:05:10 | failed to update option map: invalid character \'}\' looking for beginning of object key string');
  L.push('[SYS] 2025/11/17 - 14:05:11 | failed to unmarshal setting: channel_id=8, error=unexpected end of JSON input');
  // F9–F11: TokenAuth
  L.push(`[ERR] 2025/11/17 - 14:06:01 | ${RID.token} | user 0 | 无效的令牌`);
  L.push(gin('2025/11/17 - 14:06:01', RID.token, 401, '1.2ms', '198.51.100.23', 'POST', '/runwayml/v1/image_to_video'));
  L.push(`[ERR] 2025/11/17 - 14:06:02 | ${RID.tokenExpired} | user 3 | 该令牌已过期`);
  L.push(`[ERR] 2025/11/17 - 14:06:03 | ${RID.tokenExhausted} | user 3 | [sk-abc***xyz] 该令牌额度已用尽 !token.UnlimitedQuota && token.RemainQuota = -1000`);
  L.push(`[ERR] 2025/11/17 - 14:06:04 | ${RID.userMissing} | user 0 | record not found`);
  L.push(gin('2025/11/17 - 14:06:04', RID.userMissing, 500, '2.1ms', '198.51.100.23', 'POST', '/runwayml/v1/image_to_video'));
  // Noise, secrets, cut lines
  L.push('[DEBUG Bltcy] request headers: Authorization: Bearer sk-live1234567890abcdefLEAK9, x-ptoken: ptokSECRET123');
  L.push('2025/11/17 14:06:30 /app/model/main.go:88 failed to connect to postgres://relay:hunter2@db.internal:5432/relay?sslmode=disable: timeout');
  L.push('Listening on :3000');
  L.push('=== some tool banner ===');
  L.push('[GIN] 2025/11/17 - 14:06:40 | 2025111714064012');
  L.push('[ERR] 2025/11/17 - 14:0');
  L.push('[ERROR Bltcy] Request failed: method=POST, url=https://legacy.example/v1/vid');
  return {
    lines: L,
    expect: {
      GROUP_HAS_NO_CHANNEL: 1,
      UPSTREAM_TLS_FAILED: 1,
      UPSTREAM_TIMEOUT: 2, // Sora (error line; its [GIN] line is the same request) + the old-build [GIN] line
      UPSTREAM_CONNECTION_DROPPED: 2, // EOF (fail) + reset retried (warn)
      UPSTREAM_SLOW: 1,
      UPSTREAM_5XX: 1,
      UPSTREAM_NO_CHANNEL: 1,
      ABILITY_GROUP_PANIC_RISK: 2,
      RELAY_CRASH_LOOP: 2,
      OPTION_JSON_INVALID: 1,
      CHANNEL_JSON_INVALID: 1,
      TOKEN_NOT_FOUND: 1,
      TOKEN_EXPIRED: 1,
      TOKEN_EXHAUSTED: 1,
      USER_MISSING: 1,
      MODEL_PRICE_MISSING: 1,
      unknown: 2, // 'Listening on :3000', the banner
      partial: 2, // the cut [GIN] and [ERR] lines
    },
  };
}

/** new-api (NA-0.9.16 and NA-main) normal relay routes. */
export function newApiCorpus(): { lines: string[]; expect: Record<string, number> } {
  const L: string[] = [];
  const r1 = bfRid('2025/11/04 - 09:00:01', 42, 'Na091600');
  const r2 = mainRid('2026/08/08 - 09:00:02', 7, 'deadbeef', 'AbCdEfGh');
  const r3 = mainRid('2026/08/08 - 09:00:03', 8, 'cafebabe', 'ZzYyXxWw');
  L.push('[SYS] 2025/11/04 - 09:00:00 | REDIS_CONN_STRING not set, Redis is not enabled');
  L.push('[INFO] 2025/11/04 - 09:00:00 | SYSTEM | sync frequency: 60 seconds ');
  L.push(`[ERR] 2025/11/04 - 09:00:01 | ${r1} | channel error (channel #3, status code: 500): do request failed: Post "https://api.example.com/v1/chat/completions": dial tcp: lookup api.example.com on 127.0.0.11:53: no such host `);
  L.push(`[ERR] 2025/11/04 - 09:00:01 | ${r1} | relay error: do request failed: Post "https://api.example.com/v1/chat/completions": dial tcp: lookup api.example.com on 127.0.0.11:53: no such host `);
  L.push(`[INFO] 2025/11/04 - 09:00:01 | ${r1} | record error log: userId=1, channelId=3, modelName=gpt-4o, tokenName=t1, content=do request failed `);
  L.push(`[GIN] 2025/11/04 - 09:00:01 | ${r1} | 500 |   11.052ms |       10.0.0.5 |    POST /v1/chat/completions`);
  L.push(`[ERR] 2025/11/04 - 09:00:05 | ${r1}x | channel error (channel #4, status code: 401): Incorrect API key provided `);
  L.push(`[ERR] 2025/11/04 - 09:00:06 | ${r1}y | channel error (channel #5, status code: 502): bad response status code 502, body: <html><body>Bad gateway</body></html> `);
  L.push(`[ERR] 2025/11/04 - 09:00:06 | ${r1}v | channel error (channel #6, status code: 500): invalid character '<' looking for beginning of value `);
  L.push('[SYS] 2025/11/04 - 09:00:06 | 通道「openai-backup」（#5）发生错误，准备禁用，原因：bad response status code 502');
  L.push(`[ERR] 2025/11/04 - 09:00:06 | ${r1}y | 获取分组 default 下模型 gpt-4o 的可用渠道失败（retry）: channel not found `);
  L.push(`[ERR] 2025/11/04 - 09:00:07 | ${r1}z | 获取分组 vip 下模型 gpt-4o 的可用渠道失败（distributor）: record not found `);
  L.push(`[ERR] 2025/11/04 - 09:00:08 | ${r1}w | user 9 | 分组  下模型 runway 无可用渠道（distributor） `);
  L.push(`[GIN] 2026/08/08 - 09:00:02 | relay | ${r2} | 503 |      1.234ms |  client_ip=10.0.0.5 |    POST /v1/chat/completions`);
  L.push(`[ERR] 2026/08/08 - 09:00:02 | ${r2} | user 12 | No available channel for model gpt-5 under group vip (distributor) `);
  L.push(`[ERR] 2026/08/08 - 09:00:03 | ${r3} | TokenAuth GetUserCache error for user 12: record not found `);
  L.push(`[ERR] 2026/08/08 - 09:00:03 | ${r3} | user 12 | Database error, please contact the administrator `);
  L.push('[SYS] 2026/08/08 - 09:00:04 | model price not found: foo-model');
  L.push('[SYS] 2026/08/08 - 09:00:05 | Redis ping test failed: dial tcp 127.0.0.1:6379: connect: connection refused');
  L.push('[SYS] 2026/08/08 - 09:00:06 | panic detected: runtime error: index out of range [61] with length 56');
  L.push('[SYS] 2026/08/08 - 09:00:06 | stacktrace from panic: goroutine 77 [running]:');
  L.push('runtime/debug.Stack()');
  L.push('\t/usr/local/go/src/runtime/debug/stack.go:26 +0x5e');
  L.push('[SYS] 2026/08/08 - 09:00:07 | group ratio not found: partner');
  return {
    lines: L,
    expect: {
      UPSTREAM_DNS_FAILED: 1, // channel error + relay error + record error log of one request
      UPSTREAM_AUTH_REJECTED: 1,
      UPSTREAM_5XX: 1, // a proxy's HTML error page with 502 is a 5xx
      UPSTREAM_HTML_RESPONSE: 1, // an HTML page the relay tried to decode as JSON
      CHANNELS_ALL_DISABLED: 2, // auto-disable (warn) + retry (fail)
      ABILITY_DANGLING: 1,
      GROUP_HAS_NO_CHANNEL: 2,
      USER_MISSING: 1,
      MODEL_PRICE_MISSING: 1,
      REDIS_UNREACHABLE: 1,
      CHANNEL_TYPE_OUT_OF_RANGE: 1,
      GROUP_NOT_IN_RATIO: 1,
      unknown: 0,
    },
  };
}

/** one-api: file:line [func] lines, its own no-channel and disable texts. */
export function oneApiCorpus(): { lines: string[]; expect: Record<string, number> } {
  const rid = '2025022110000512345678';
  const L = [
    '[INFO] 2025/02/21 - 10:00:00 | model/cache.go:178 [SyncChannelCache] syncing channels from database ',
    `[ERROR] 2025/02/21 - 10:00:05 | ${rid} | relay/adaptor/common.go:31 [DoRequestHelper] do request failed: Post "https://api.example.com/v1/chat/completions": dial tcp 203.0.113.50:443: connect: connection refused `,
    `[ERROR] 2025/02/21 - 10:00:05 | ${rid} | controller/relay.go:87 [Relay] relay error (channel id 5, user id: 1): do request failed `,
    '[ERROR] 2025/02/21 - 10:00:05 | monitor/manage.go:40 [DisableChannel] channel #5 has been disabled: do request failed ',
    `[ERROR] 2025/02/21 - 10:00:09 | ${rid}9 | middleware/utils.go:14 [abortWithMessage] 当前分组 default 下对于模型 gpt-4 无可用渠道 `,
    `[GIN] 2025/02/21 - 10:00:09 | ${rid}9 | 503 |     812.4µs |       127.0.0.1 |    POST /v1/chat/completions`,
    `[ERROR] 2025/02/21 - 10:00:10 | ${rid}8 | middleware/utils.go:14 [abortWithMessage] record not found `,
  ];
  return { lines: L, expect: { UPSTREAM_CONNECT_FAILED: 1, CHANNELS_ALL_DISABLED: 1, GROUP_HAS_NO_CHANNEL: 1, USER_MISSING: 1, unknown: 0 } };
}

/** Old BF builds (F55/F65/F66): lines that identify them. */
export function oldBfCorpus(): string[] {
  return [
    '[DEBUG Bltcy] Using GET request timeout: 2m0s',
    '[DEBUG Bltcy] Method: GET, targetURL: https://legacy.example/runway/v1/tasks/abc, bodyLen: 0',
    '[DEBUG Bltcy] Converting upstream 5xx error to 202 Accepted',
    '[ERROR Bltcy] DoResponse failed: 处理响应失败: failed to read response body: context canceled',
    '[DEBUG Bltcy] Detected multipart request, using special handler',
  ];
}
