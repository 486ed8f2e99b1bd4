// In-memory snapshots for table-driven check tests (ESLint RuleTester style).
import { expect, it } from 'vitest';
import type { Check } from '../../src/checks/types.js';
import type { Product } from '../../src/context/dsn.js';
import { buildContext } from '../../src/context/build.js';
import type { TargetOptions } from '../../src/context/types.js';
import { Secret } from '../../src/context/secret.js';
import type { AbilityFacts } from '../../src/data/load.js';
import type { Schema } from '../../src/data/schema.js';
import type { Snapshot, TargetFacts, TokenFacts } from '../../src/diagnose/facts.js';
import { resolveTarget, sweepCell } from '../../src/diagnose/target.js';
import { buildAbilities } from '../../src/relay/abilities.js';
import type { AbilityRow, ChannelRow, TokenRow, UserRow } from '../../src/relay/model.js';
import type { Build, ProductInfo } from '../../src/relay/product.js';
import { relaySettings } from '../../src/relay/settings.js';
import { parseTokenKey } from '../../src/relay/token.js';
import type { Finding } from '../../src/types.js';

export function channel(p: Partial<Omit<ChannelRow, 'key'>> & { id: number; key?: string }): ChannelRow {
  return {
    type: 1,
    name: `ch${p.id}`,
    status: 1,
    baseUrl: 'https://api.example.com',
    models: 'gpt-4o-mini',
    group: 'default',
    priority: 0,
    weight: 0,
    tag: null,
    autoBan: 1,
    modelMapping: null,
    statusCodeMapping: '',
    setting: null,
    settings: null,
    paramOverride: null,
    headerOverride: null,
    otherInfo: null,
    channelInfo: null,
    channelRatio: null,
    testModel: null,
    other: null,
    ...p,
    key: new Secret(p.key ?? 'upstream-key-0000000000'),
  };
}

export function token(p: Partial<Omit<TokenRow, 'key'>> & { id: number; key?: string }): TokenRow {
  return {
    userId: 1,
    status: 1,
    name: `token${p.id}`,
    expiredTime: -1,
    remainQuota: 1000,
    unlimitedQuota: true,
    modelLimitsEnabled: false,
    modelLimits: '',
    allowIps: '',
    group: '',
    deleted: false,
    ...p,
    key: new Secret(p.key ?? `k${p.id}`.padEnd(48, 'x')),
  };
}

export function user(p: Partial<UserRow> & { id: number }): UserRow {
  return { username: `user${p.id}`, role: 1, status: 1, group: 'default', deleted: false, ...p };
}

const BUILD: Record<Product, Build> = { bltcy: 'BF', 'new-api': 'NA-0.9.16', 'one-api': 'OA' };

export interface SnapInput {
  product?: Product;
  build?: Build;
  engine?: 'postgres' | 'mysql' | 'sqlite';
  channels?: ChannelRow[];
  /** Abilities rows; by default built from the channels the way the relay does. */
  abilities?: AbilityRow[];
  options?: Record<string, string>;
  env?: Record<string, string>;
  redis?: Snapshot['redis'];
  db?: Partial<Snapshot['db']>;
  groupUse?: Snapshot['groupUse'];
  malformedKeys?: Snapshot['malformedKeys'];
  danglingCount?: number;
  target?: TargetOptions;
  relayUrls?: string[];
}

export function snapshot(i: SnapInput = {}): Snapshot {
  const product = i.product ?? 'bltcy';
  const build = i.build ?? BUILD[product];
  const ctx = buildContext({
    common: { dsn: 'sqlite:///tmp/relay-doctor-test.db', env: Object.entries(i.env ?? {}).map(([k, v]) => `${k}=${v}`), relayUrl: i.relayUrls },
    target: i.target ?? {},
    processEnv: {},
    cwd: '/tmp',
    stdoutIsTty: false,
  });
  const pinfo: ProductInfo = { product, family: product === 'one-api' ? 'one-api' : 'new-api', build, recognized: true, missing: [], evidence: [], source: 'schema' };
  const channels = i.channels ?? [];
  const abilityRows =
    i.abilities ??
    buildAbilities(channels).map((e) => ({ group: e.group, model: e.model, channelId: e.channelId, enabled: e.enabled, priority: e.priority, weight: e.weight, tag: e.tag }));
  const channelIds = new Set(channels.map((c) => c.id));
  const dangling = abilityRows.filter((a) => !channelIds.has(a.channelId));
  const abilities: AbilityFacts = {
    groups: new Set(abilityRows.map((a) => a.group)),
    rows: abilityRows,
    dangling,
    danglingCount: i.danglingCount ?? dangling.length,
    nullPriorityCount: abilityRows.filter((a) => a.priority === null).length,
    total: abilityRows.length,
  };
  const schema: Schema = { tables: new Map(), types: new Map() };
  return {
    run: ctx,
    db: { engine: i.engine ?? 'sqlite', redacted: 'sqlite:/tmp/relay-doctor-test.db', connectMs: 3, pingMs: 1, ...i.db },
    schema,
    product: pinfo,
    settings: relaySettings(ctx.env.values, pinfo),
    options: new Map(Object.entries(i.options ?? {})),
    channels,
    channelsById: new Map(channels.map((c) => [c.id, c])),
    abilities,
    redis: i.redis,
    groupUse: i.groupUse,
    malformedKeys: i.malformedKeys,
  };
}

export interface TargetInput {
  /** Token row and owner; `given` is the key the caller sent (default: sk-<stored key>). */
  token?: TokenRow;
  user?: UserRow | null;
  given?: string;
  by?: TokenFacts['by'];
}

export function target(snap: Snapshot, t: TargetInput = {}): TargetFacts {
  let facts: TokenFacts | undefined;
  if (t.token || t.given) {
    const by = t.by ?? 'key';
    const parsed = by === 'key' ? parseTokenKey(t.given ?? `sk-${t.token!.key.reveal()}`) : undefined;
    const rows = t.token ? [t.token] : [];
    facts = { by, parsed, rows, token: t.token, user: t.user === null ? undefined : t.user, userLookedUp: Boolean(t.token) };
  }
  return resolveTarget(snap, snap.run.target, facts);
}

export function cell(snap: Snapshot, model: string, group: string): TargetFacts {
  return sweepCell(snap, model, group, 1);
}

export interface Case {
  name: string;
  snap: Snapshot;
  target?: TargetFacts;
  /** Expected findings: code and status, in any order; [] means none. */
  expect: { code: string; status?: Finding['status']; match?: RegExp; subject?: Record<string, unknown> }[];
}

/** Table-driven tester: each case runs the check and compares the findings' codes and statuses. */
export function checkTester(check: Check, cases: Case[]): void {
  for (const c of cases) {
    it(c.name, () => {
      const t = c.target ?? target(c.snap);
      const got = check.run({ snap: c.snap, target: t });
      for (const f of got) {
        expect(check.codes).toContain(f.code);
        expect(f.stage).toBe(check.stage);
        expect(f.message.length).toBeGreaterThan(10);
      }
      expect(got.map((f) => f.code).sort()).toEqual(c.expect.map((e) => e.code).sort());
      for (const e of c.expect) {
        const f = got.find((g) => g.code === e.code && (!e.status || g.status === e.status) && (!e.match || e.match.test(g.message)));
        expect(f, `${e.code} ${e.status ?? ''} ${e.match ?? ''} in ${JSON.stringify(got.map((g) => [g.code, g.status, g.message]))}`).toBeTruthy();
        if (e.subject) expect(f!.subject).toMatchObject(e.subject);
      }
      // No secret in any finding.
      const text = JSON.stringify(got);
      for (const ch of c.snap.channels) if (ch.key.length > 8) expect(text).not.toContain(ch.key.reveal());
      if (t.token?.token) expect(text).not.toContain(t.token.token.key.reveal());
    });
  }
}
