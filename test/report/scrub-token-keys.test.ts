import { describe, expect, it } from 'vitest';
import { scrub } from '../../src/report/scrub.js';

describe('scrub keeps HMAC token key names, masks raw keys', () => {
  const hmac = 'token:' + 'a3'.repeat(32);
  it('new-api token:<hmac hex> stays whole so redis-cli DEL works', () => {
    expect(scrub(`redis-cli -n 0 DEL ${hmac}`)).toBe(`redis-cli -n 0 DEL ${hmac}`);
  });
  it("one-api's token:<raw key> is masked", () => {
    const raw = 'AbCdEfGh12345678AbCdEfGh12345678AbCdEfGh12345678';
    expect(scrub(`DEL token:${raw}`)).not.toContain(raw);
  });
  it('a raw key next to a kept name is still masked', () => {
    const raw = 'Zx9Zx9Zx9Zx9Zx9Zx9Zx9Zx9Zx9Zx9Zx9Zx9Zx9Zx9Zx9Zx9';
    const out = scrub(`${hmac} ${raw}`);
    expect(out).toContain(hmac);
    expect(out).not.toContain(raw);
  });
});
