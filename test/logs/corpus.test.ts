import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeLines, LogAnalyzer } from '../../src/logs/analyze.js';
import { fileLines } from '../../src/logs/input.js';
import type { LogAnalysis } from '../../src/logs/types.js';
import { bfCorpus, newApiCorpus, oldBfCorpus, oneApiCorpus, RID } from './corpus.js';

function linesByCode(a: LogAnalysis): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of a.clusters) out[c.code] = (out[c.code] ?? 0) + c.count;
  return out;
}

function expectCorpus(a: LogAnalysis, expected: Record<string, number>, total: number) {
  const { unknown, partial, ...codes } = expected;
  expect(linesByCode(a)).toEqual(codes);
  expect(a.lines).toBe(total);
  if (unknown !== undefined) expect(a.unknownLines).toBe(unknown);
  if (partial !== undefined) expect(a.partialLines).toBe(partial);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'logs-corpus-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('corpora of every product', () => {
  it('BF production day: each documented incident lands in its code, noise is counted, nothing leaks', async () => {
    const { lines, expect: want } = bfCorpus();
    const a = await analyzeLines(lines, { tz: 'utc' });
    expectCorpus(a, want, lines.length);
    const json = JSON.stringify(a);
    for (const secret of ['sk-live1234567890abcdefLEAK9', 'hunter2', 'ptokSECRET123']) expect(json).not.toContain(secret);
  });

  it('new-api 0.9.x and NA-main: channel errors by Go error and status, one count per request', async () => {
    const { lines, expect: want } = newApiCorpus();
    const a = await analyzeLines(lines, { tz: 'utc' });
    expectCorpus(a, want, lines.length);
    const dns = a.clusters.find((c) => c.code === 'UPSTREAM_DNS_FAILED')!;
    expect(dns.channels).toEqual([3]);
    expect(dns.stage).toBe('upstream');
  });

  it('one-api: file:line [func] lines are parsed and classified', async () => {
    const { lines, expect: want } = oneApiCorpus();
    const a = await analyzeLines(lines, { tz: 'utc' });
    expectCorpus(a, want, lines.length);
    expect(a.clusters.find((c) => c.code === 'CHANNELS_ALL_DISABLED')!.channels).toEqual([5]);
  });

  it('old BF builds are recognised by their removed log lines', async () => {
    const a = await analyzeLines(oldBfCorpus());
    const old = a.clusters.find((c) => c.code === 'RELAY_BUILD_OUTDATED')!;
    expect(old.count).toBe(3);
    expect(old.status).toBe('warn');
    expect(a.clusters.find((c) => c.code === 'UPSTREAM_SLOW')!.details[0]!.text).toMatch(/^context canceled/);
  });

  it('mixed products in one stream keep their own counts', async () => {
    const mixed = [...newApiCorpus().lines, ...bfCorpus().lines, ...oneApiCorpus().lines];
    const a = await analyzeLines(mixed, { tz: 'utc' });
    const sum = (k: string) => [bfCorpus(), newApiCorpus(), oneApiCorpus()].reduce((n, c) => n + (c.expect[k] ?? 0), 0);
    const got = linesByCode(a);
    for (const code of Object.keys(got)) expect([code, got[code]]).toEqual([code, sum(code)]);
  });

  it('a .gz file and its plain twin give the same analysis; CRLF and a cut gzip tail are handled', async () => {
    const { lines } = bfCorpus();
    const text = lines.map((l) => l.replace(/\r$/, '')).join('\r\n') + '\r\n';
    const plain = path.join(tmp, 'oneapi-20251117140000.log.txt');
    const gz = path.join(tmp, 'oneapi-20251117140000.log.gz');
    fs.writeFileSync(plain, text);
    fs.writeFileSync(gz, zlib.gzipSync(text));
    const read = async (f: string) => {
      const an = new LogAnalyzer({ tz: 'utc' });
      for await (const l of fileLines(f)) an.pushLine(l, f);
      return an.result();
    };
    const [p, g] = await Promise.all([read(plain), read(gz)]);
    expect(linesByCode(g)).toEqual(linesByCode(p));
    expect(g.lines).toBe(lines.length);
    // A gzip cut in the middle: the lines before the cut arrive, then the error.
    const whole = zlib.gzipSync(text);
    const cut = path.join(tmp, 'cut.gz');
    fs.writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const got: string[] = [];
    await expect(async () => {
      for await (const l of fileLines(cut)) got.push(l);
    }).rejects.toThrow(/unexpected end of file/);
    expect(got.length).toBeGreaterThan(10);
    expect(got.length).toBeLessThan(lines.length);
  });
});

describe('clusters carry what the contract asks for', () => {
  it('first/last seen, channels, models, groups, request ids and a redacted example', async () => {
    const a = await analyzeLines(bfCorpus().lines, { tz: 'utc' });
    const tls = a.clusters.find((c) => c.code === 'UPSTREAM_TLS_FAILED')!;
    expect(tls).toMatchObject({ stage: 'upstream', status: 'fail', count: 1, channels: [8], models: ['kling'], groups: ['default'], requestIds: [RID.klingTls] });
    // The passthrough line has no time: it takes the time of the [GIN] line that completed its request.
    expect(tls.firstSeen).toBe('2025-11-17T14:01:02.000Z');
    const eof = a.clusters.find((c) => c.code === 'UPSTREAM_CONNECTION_DROPPED' && c.status === 'fail')!;
    expect([eof.firstSeen, eof.requestIds]).toEqual(['2025-11-17T14:04:06.000Z', [RID.multipartEof]]);
    expect(tls.example).toContain('TLS handshake timeout');
    const noCh = a.clusters.find((c) => c.code === 'GROUP_HAS_NO_CHANNEL')!;
    expect(noCh).toMatchObject({ groups: ['default'], models: ['runway'], requestIds: [RID.noChannel], firstSeen: '2025-11-17T14:00:10.000Z' });
    const cap = a.clusters.filter((c) => c.code === 'UPSTREAM_TIMEOUT');
    expect(cap.map((c) => c.signature).sort()).toEqual(['bltcy-request-failed', 'gin-header-cap']);
    expect(cap.find((c) => c.signature === 'bltcy-request-failed')!.requestIds).toEqual([RID.soraCap]);
    expect(cap.find((c) => c.signature === 'gin-header-cap')!.requestIds).toEqual([RID.klingCapOld]);
  });

  it('timeline per minute counts lines, failures and 5xx answers', async () => {
    const a = await analyzeLines(bfCorpus().lines, { tz: 'utc' });
    const m = Object.fromEntries(a.timeline.map((b) => [b.minute.slice(11, 16), b]));
    expect(m['14:02']).toMatchObject({ http5xx: 1 });
    expect(m['14:04']!.http5xx).toBe(4); // EOF, canceled, upstream 5xx, upstream no channel
    expect(m['14:05']!.fail).toBeGreaterThanOrEqual(5); // panic (2 codes), cache-init panic (2), option, setting
    const total = a.timeline.reduce((n, b) => n + b.lines, 0);
    expect(total).toBeLessThanOrEqual(a.lines);
    expect(a.statusCounts).toEqual({ '2xx': 2, '4xx': 1, '5xx': 9 });
  });
});
