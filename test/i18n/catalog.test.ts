import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CODES } from '../../src/contract.js';
import { buildContext } from '../../src/context/build.js';
import { diagnose } from '../../src/diagnose/diagnose.js';
import { ZH } from '../../src/i18n/catalog/index.js';
import { zhFinding } from '../../src/i18n/localize.js';
import { noteText, STRINGS } from '../../src/i18n/strings.js';
import { insertChannel, insertToken, setOption } from '../../src/sample/rows.js';
import { seedIncident, type SeedResult } from '../../src/sample/seed-incident.js';
import type { Finding } from '../../src/types.js';
import { freshDatabase, type FreshDatabase } from '../support/engines.js';

const CJK = /[\u4e00-\u9fff]/;

/** The finding codes of the contract's table (shared/contract.md beside the repository). */
function contractCodes(): string[] {
  const file = new URL('../../../shared/contract.md', import.meta.url);
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/^\| `([A-Z0-9_]+)` \| [a-z]+ \|/gm)].map((m) => m[1]!);
}

describe('zh catalogue', () => {
  it('has a Chinese entry (meaning and remedy) for every contract code and every code this build knows', () => {
    const codes = contractCodes();
    expect(codes.length).toBeGreaterThan(60);
    for (const code of new Set([...codes, ...Object.keys(CODES)])) {
      const e = ZH[code];
      expect(e, code).toBeDefined();
      expect(e!.title, code).toMatch(CJK);
      expect(e!.remedy, `${code} has no Chinese remedy`).toBeTypeOf('function');
    }
  });

  it('renders a generic sentence plus the English text when evidence is missing', () => {
    const f: Finding = { code: 'DB_SLOW', status: 'warn', stage: 'environment', message: 'the database is slow', remedy: { text: 'Move closer.' } };
    const z = zhFinding(f);
    expect(z.fallback).toBe(true);
    expect(z.message).toBe(`${ZH.DB_SLOW!.title}（英文原文：the database is slow）`);
    expect(z.remedy).toMatch(CJK);
    const unknown = zhFinding({ code: 'SOME_FUTURE_CODE', status: 'info', stage: 'route', message: 'new thing' });
    expect(unknown.message).toBe('发现问题 SOME_FUTURE_CODE（英文原文：new thing）');
    // An evidence shape a builder does not expect never throws.
    const odd = zhFinding({ code: 'CHANNELS_ALL_DISABLED', status: 'fail', stage: 'distribute', message: 'm', subject: { model: 'x', group: 'g' }, evidence: { channels: 'not-a-list' } });
    expect(odd.fallback).toBe(true);
  });

  it('translates the stage notes the pipeline writes, keeping data as it is', () => {
    for (const note of [
      'no --token, --token-id or --token-name: TokenAuth not evaluated',
      'no routing model: channel selection not evaluated',
      'upstream not probed (--offline)',
      'upstream not probed: no single request to follow (sweep)',
      'not run: the environment stage failed',
      'not selected (--only)',
    ]) {
      expect(noteText(note, 'zh'), note).toMatch(CJK);
      expect(noteText(note, 'zh'), note).not.toMatch(/not |no /);
      expect(noteText(note, 'en')).toBe(note);
    }
    expect(noteText('token #12 → using group "vip" (from user)', 'zh')).toBe('令牌 #12 → 生效分组 "vip"（来自 user）');
    expect(noteText('2 direct probe(s) of channel #8: 1 failed, 0 warned; slowest first byte 820 ms', 'zh')).toBe('直接探测渠道 #8 共 2 次：1 次失败，0 次警告；最慢的首字节 820 ms');
  });

  it('has every renderer string in both languages', () => {
    expect(Object.keys(STRINGS.zh).sort()).toEqual(Object.keys(STRINGS.en).sort());
    for (const [k, v] of Object.entries(STRINGS.zh)) expect(v.trim(), k).not.toBe('');
  });
});

describe('zh messages of real findings (diagnose on a SQLite relay with planted faults)', () => {
  let fresh: FreshDatabase;
  let seed: SeedResult;
  const ids: Record<string, number> = {};
  const findings: Finding[] = [];

  beforeAll(async () => {
    fresh = await freshDatabase('sqlite');
    const db = fresh.db;
    seed = await seedIncident(db);
    const uid = seed.userId;
    const now = Math.floor(Date.now() / 1000);
    ids.disabled = (await insertToken(db, { userId: uid, name: 'off', status: 2, group: 'default' })).id;
    ids.expired = (await insertToken(db, { userId: uid, name: 'old', expiredTime: now - 86400, group: 'default' })).id;
    ids.exhausted = (await insertToken(db, { userId: uid, name: 'empty', remainQuota: 0, unlimitedQuota: false, group: 'default' })).id;
    ids.badGroup = (await insertToken(db, { userId: uid, name: 'gold', group: 'gold' })).id;
    ids.limited = (await insertToken(db, { userId: uid, name: 'limited', group: 'default', modelLimitsEnabled: true, modelLimits: 'gpt-4o, kling', allowIps: '10.0.0.1\n10.0.0.0/8' })).id;
    ids.fallback = (await insertToken(db, { userId: uid, name: 'nogroup', group: '' })).id;
    await insertChannel(db, { type: 55, name: 'pika2', models: 'pika', group: 'default', baseUrl: 'https://pika.example.com/v1/', key: 'k1\nk2', setting: '{not json', weight: 0, priority: 5 });
    await insertChannel(db, { type: 55, name: 'pika3', models: 'pika', group: 'default', baseUrl: 'https://pika3.example.com', weight: 10, priority: 5 });
    await insertChannel(db, { type: 1, name: 'padded', models: 'gpt-4o-mini, luma', group: ' vip', baseUrl: 'https://api.openai.com', status: 2 });
    await setOption(db, 'ModelPrice', '{"kling": 0.5,');

    const run = async (target: Record<string, string | undefined>) => {
      const ctx = buildContext({ common: { dsn: fresh.dsn }, target, processEnv: { REDIS_CONN_STRING: 'redis://127.0.0.1:1', MEMORY_CACHE_ENABLED: 'false' }, flags: {} });
      findings.push(...(await diagnose(ctx, { version: 'test' })).doc.findings);
    };
    for (const key of Object.keys(ids)) await run({ path: '/pika/v1/generate', tokenId: String(ids[key]) });
    await run({ path: '/runwayml/v1/image_to_video', tokenId: String(ids.limited) });
    await run({ path: '/v1/chat/completions/', tokenId: String(seed.tokenId) });
    await run({ path: '/nope/v1/x', tokenId: String(seed.tokenId) });
    await run({ path: '/v1/chat/completions', body: '{"messages":[]}', tokenId: String(seed.tokenId) });
    await run({ model: 'luma', group: 'vip' });
    await run({});
  }, 120_000);

  afterAll(async () => {
    await fresh?.drop();
  });

  it('the planted faults produce the findings they should', () => {
    const codes = new Set(findings.map((f) => f.code));
    if (process.env.SHOW_CODES) console.log([...codes].sort().join(' '));
    for (const c of ['TOKEN_DISABLED', 'TOKEN_EXPIRED', 'TOKEN_EXHAUSTED', 'TOKEN_MODEL_FORBIDDEN', 'TOKEN_IP_RESTRICTED', 'CHANNEL_BASE_URL_MALFORMED', 'CHANNEL_MULTIKEY_UNFLAGGED', 'CHANNEL_JSON_INVALID', 'OPTION_JSON_INVALID', 'ROUTE_UNKNOWN', 'ROUTE_TRAILING_SLASH', 'MODEL_UNRESOLVED', 'LIST_ENTRY_WHITESPACE', 'CACHE_FORCED_ON', 'SECRET_EPHEMERAL']) {
      expect(codes, c).toContain(c);
    }
  });

  it('every one of them renders a Chinese message from its own evidence (no fallback)', () => {
    const fallbacks = findings.filter((f) => zhFinding(f).fallback).map((f) => `${f.code}: ${f.message}`);
    expect(fallbacks).toEqual([]);
    for (const f of findings) {
      const z = zhFinding(f);
      expect(z.message, f.code).toMatch(CJK);
      if (f.remedy) expect(z.remedy, f.code).toMatch(CJK);
    }
  });
});
