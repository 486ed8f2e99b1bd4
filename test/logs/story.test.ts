import { describe, expect, it } from 'vitest';
import { analyzeLines, LogAnalyzer } from '../../src/logs/analyze.js';
import { bfCorpus, bfRid, newApiCorpus, RID } from './corpus.js';

const texts = (lines: { text: string }[]) => lines.map((l) => l.text);

describe('--request-id: one request story', () => {
  it('every line of the id plus the passthrough lines before its [GIN] line, in order', async () => {
    const a = await analyzeLines(bfCorpus().lines, { tz: 'utc', requestIds: [RID.soraCap] });
    expect(Object.keys(a.stories)).toEqual([RID.soraCap]);
    expect(texts(a.stories[RID.soraCap]!)).toEqual([
      '[SYS] 2025/11/17 - 14:01:11 | [Distributor] 请求渠道: group=default, model=sora-2, path=/v1/videos',
      '[SYS] 2025/11/17 - 14:01:11 | [Distributor] 渠道选择成功: channel_id=8, type=55, group=default, model=sora-2',
      '[DEBUG Bltcy] Using POST/PUT request timeout: 15m0s',
      '[DEBUG Bltcy] Method: POST, targetURL: https://legacy.example/v1/videos, bodyLen: 2048311',
      '[ERROR Bltcy] Request failed: method=POST, url=https://legacy.example/v1/videos, error=Post "https://legacy.example/v1/videos": net/http: timeout awaiting response headers',
      `[GIN] 2025/11/17 - 14:02:11 | ${RID.soraCap} | 500 |       1m0.19s |     203.0.113.7 |    POST /v1/videos`,
    ]);
    const lines = a.stories[RID.soraCap]!.map((l) => l.line);
    expect(lines).toEqual([...lines].sort((x, y) => x - y));
  });

  it('a prefix of the id is enough; converter lines (Kling) belong to the story', async () => {
    const a = await analyzeLines(bfCorpus().lines, { tz: 'utc', requestIds: [RID.klingTls.slice(0, 18)] });
    const story = texts(a.stories[RID.klingTls]!);
    expect(story[0]).toMatch(/^\[DEBUG Kling GET\] Path: \/kling\/v1\/videos\/image2video\/805898583081390085/);
    expect(story.some((t) => t.includes('TLS handshake timeout'))).toBe(true);
    expect(story.at(-1)).toMatch(/^\[GIN\].* 500 .*GET \/kling/);
    expect(story).toHaveLength(7);
  });

  it('interleaved requests are told apart by path', async () => {
    const A = bfRid('2025/11/17 - 15:00:00', 1, 'SoraAAAA');
    const B = bfRid('2025/11/17 - 15:00:01', 2, 'KlingBBB');
    const lines = [
      '[SYS] 2025/11/17 - 15:00:00 | [Distributor] 请求渠道: group=default, model=sora-2, path=/v1/videos',
      '[SYS] 2025/11/17 - 15:00:00 | [Distributor] 渠道选择成功: channel_id=8, type=55, group=default, model=sora-2',
      '[DEBUG Bltcy] Using POST/PUT request timeout: 15m0s',
      '[DEBUG Bltcy] Method: POST, targetURL: https://l.example/v1/videos, bodyLen: 10',
      '[SYS] 2025/11/17 - 15:00:01 | [Distributor] 请求渠道: group=vip, model=kling, path=/kling/v1/videos/image2video/77',
      '[SYS] 2025/11/17 - 15:00:01 | [Distributor] 渠道选择成功: channel_id=9, type=55, group=vip, model=kling',
      '[DEBUG Bltcy] Using GET request timeout: 2m0s',
      '[DEBUG Bltcy] Method: GET, targetURL: https://l.example/kling/v1/videos/image2video/77, bodyLen: 0',
      '[DEBUG Bltcy] Response received: status=200, method=GET, url=https://l.example/kling/v1/videos/image2video/77',
      `[GIN] 2025/11/17 - 15:00:02 | ${B} | 200 |    1.2s |  203.0.113.7 |     GET /kling/v1/videos/image2video/77`,
      '[ERROR Bltcy] Request failed: method=POST, url=https://l.example/v1/videos, error=Post "https://l.example/v1/videos": net/http: timeout awaiting response headers',
      `[GIN] 2025/11/17 - 15:01:00 | ${A} | 500 |  1m0.2s |  203.0.113.7 |    POST /v1/videos`,
    ];
    const a = await analyzeLines(lines, { tz: 'utc', requestIds: [A, B] });
    expect(texts(a.stories[A]!)).toEqual([lines[0], lines[1], lines[2], lines[3], lines[10], lines[11]]);
    expect(texts(a.stories[B]!)).toEqual(lines.slice(4, 10));
    // The timeout belongs to A: channel 8, group default, timed by A's [GIN] line, counted once.
    const t = a.clusters.filter((c) => c.code === 'UPSTREAM_TIMEOUT');
    expect(t).toHaveLength(1);
    expect(t[0]).toMatchObject({ count: 1, channels: [8], groups: ['default'], models: ['sora-2'], requestIds: [A], firstSeen: '2025-11-17T15:01:00.000Z' });
  });

  it('request-scoped new-api lines: the channel error, the final error and the access line', async () => {
    const { lines } = newApiCorpus();
    const rid = bfRid('2025/11/04 - 09:00:01', 42, 'Na091600');
    const a = await analyzeLines(lines, { tz: 'utc', requestIds: [rid] });
    // The prefix also matches rid+'x', rid+'y', …: each is its own story.
    expect(Object.keys(a.stories).sort()).toEqual([rid, `${rid}v`, `${rid}w`, `${rid}x`, `${rid}y`, `${rid}z`].sort());
    expect(texts(a.stories[rid]!).map((t) => t.split(' | ')[2]!.slice(0, 20))).toEqual([
      'channel error (chann',
      'relay error: do requ',
      'record error log: us',
      '500',
    ]);
  });

  it('without --request-id, the sample request ids of clusters keep short stories', async () => {
    const a = await analyzeLines(bfCorpus().lines, { tz: 'utc' });
    const story = a.stories[RID.noChannel]!;
    expect(texts(story).some((t) => t.includes('无可用渠道（distributor）'))).toBe(true);
    expect(texts(story).at(-1)).toMatch(/^\[GIN\].*503/);
  });
});

describe('constant memory', () => {
  it('per-request state stays bounded over many requests', () => {
    const a = new LogAnalyzer({ tz: 'utc' });
    for (let i = 0; i < 60_000; i++) {
      const rid = `20251117140000${i}Abcdefgh`;
      const s = String(i % 60).padStart(2, '0');
      a.pushLine(`[ERR] 2025/11/17 - 14:00:${s} | ${rid} | channel error (channel #${i % 300}, status code: 502): bad response status code 502`);
      a.pushLine(`[DEBUG Bltcy] Method: POST, targetURL: https://l.example/runway/${i}, bodyLen: 1`);
      a.pushLine(`[GIN] 2025/11/17 - 14:00:${s} | ${rid} | 502 |    1.0s |  203.0.113.7 |    POST /v1/chat/completions`);
    }
    const inner = a as unknown as { ringText: string[]; ridKeys: Map<string, unknown>; kept: Map<string, unknown>; sessions: { size: number } };
    expect(inner.ringText.length).toBe(8192);
    expect(inner.ridKeys.size).toBeLessThanOrEqual(2048);
    expect(inner.kept.size).toBeLessThanOrEqual(100);
    expect(inner.sessions.size).toBeLessThanOrEqual(256);
    const r = a.result();
    const c = r.clusters.find((x) => x.code === 'UPSTREAM_5XX')!;
    expect(c.count).toBe(60_000);
    expect(c.requestIds).toHaveLength(5);
    expect(c.channels).toHaveLength(50);
    expect(c.requests).toBe(2000);
  });
});
