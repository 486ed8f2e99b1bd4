import { describe, expect, it } from 'vitest';
import { redact } from '../../src/logs/redact.js';

describe('redact: nothing secret leaves a log line', () => {
  it.each([
    ['sk- key', 'token sk-abcdefghijklmnopqrstuvwxyz123456 used', 'abcdefghijklmnopqrstuvwxyz123456', /sk-abcd…3456/],
    ['Bearer header', 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig', 'eyJhbGciOiJIUzI1NiJ9', /Authorization: Bearer \*\*\*/],
    ['Basic header', 'proxy said Basic dXNlcjpwYXNzd29yZA==', 'dXNlcjpwYXNzd29yZA', /Basic \*\*\*/],
    ['URL password', 'dial postgres://relay:hunter2@db.internal:5432/relay failed', 'hunter2', /postgres:\/\/relay:\*\*\*@db\.internal/],
    ['redis URL password', 'redis://default:s3cr3tPass@redis:6379/0', 's3cr3tPass', /redis:\/\/default:\*\*\*@redis/],
    ['go-mysql DSN', 'root:Pa55word@tcp(127.0.0.1:3306)/oneapi?parseTime=true', 'Pa55word', /root:\*\*\*@tcp\(/],
    ['key query parameter', 'GET /v1beta/models/gemini-pro:generateContent?key=AIzaSyA1234567890abcdefgh&alt=sse', 'AIzaSyA1234567890abcdefgh', /\?key=\*\*\*&alt=sse/],
    ['x-ptoken header', 'headers: x-ptoken: ptokSECRET123, Origin: https://app', 'ptokSECRET123', /x-ptoken: \*\*\*/],
    ['cookie', 'Cookie: session=abc123def456; theme=dark', 'abc123def456', /Cookie: \*\*\*/],
    ['password= pair', 'host=db user=relay password=hunter2 dbname=oneapi', 'hunter2', /password=\*\*\*/],
    ['raw 48-char relay key', 'key aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI3kM5oQ7sU9wY1aC3 rejected', 'aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI3kM5oQ7sU9wY1aC3', /aB3d…1aC3/],
  ])('%s', (_name, line, secret, shown) => {
    const r = redact(line);
    expect(r).not.toContain(secret);
    expect(r).toMatch(shown);
  });

  it('leaves request ids, paths, masked keys and ordinary text alone', () => {
    for (const line of [
      '[GIN] 2025/11/17 - 14:02:11 | 20251117140005987654321XyZxYzXy | 500 |       1m0.19s |     203.0.113.7 |    POST /v1/videos',
      '[ERR] 2025/11/17 - 14:06:03 | 2025111714060300TokExh00 | user 3 | [sk-abc***xyz] 该令牌额度已用尽',
      '[GIN] 2026/08/08 - 09:00:02 | relay | 20260808090002000000007deadbeefAbCdEfGh | 503 | 1.2ms | client_ip=10.0.0.5 | POST /v1/chat/completions',
      '[DEBUG Bltcy] Method: GET, targetURL: https://legacy.example/kling/v1/videos/image2video/805898583081390085, bodyLen: 0',
    ]) {
      expect(redact(line)).toBe(line);
    }
  });
});
