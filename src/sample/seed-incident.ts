// The seed incident (failure-modes F1, F15): the BF relay whose POST /runwayml/v1/image_to_video
// answered 500 in production. The database is as the operator left it: every token "repaired"
// to group 'default', the Bltcy channel #8 enabled with its abilities, routing consistent, no
// ModelPrice for runway. Routing checks on this database pass; the 500 lives upstream.

import type { Queryable } from '../db/types.js';
import { createRelaySchema, type RelayVariant } from './ddl.js';
import { insertChannel, insertLog, insertRow, insertToken, insertUser, nowSeconds, setOption } from './rows.js';

export const SEED_DEFAULT_UPSTREAM = 'https://legacy-gateway.invalid';
export const SEED_CHANNEL_ID = 8;
export const SEED_TOKEN_COUNT = 63;
export const SEED_REPAIRED_TOKENS = 12;

export interface SeedOptions {
  /** The legacy gateway's base URL stored on channel #8 (a test points it at a loopback server). */
  upstreamBaseUrl?: string;
  /** A new-api family version; default 'bf'. Channel type 55 means Bltcy only in 'bf'. */
  variant?: Exclude<RelayVariant, 'one-api'>;
  /** Create the tables first (default true); false when the caller already did. */
  createSchema?: boolean;
}

export interface SeedResult {
  variant: RelayVariant;
  /** The Bltcy passthrough channel (#8). */
  channelId: number;
  /** Every channel id, #8 included. */
  channelIds: number[];
  userIds: number[];
  /** The soft-deleted user (no tokens). */
  deletedUserId: number;
  tokenIds: number[];
  /** The 12 tokens whose '' group was set to 'default' by SQL. */
  repairedTokenIds: number[];
  /** An enabled token of an enabled 'default' user, group 'default'. */
  tokenId: number;
  userId: number;
  /** Its raw key (no sk-). Secret: never print it. */
  tokenKey: string;
}

// The users: a root, common users in 'default', one 'vip' user, one banned user without
// tokens, and a soft-deleted user without tokens (harmless edge cases, as a real install has).
const USERS: { username: string; role: number; group: string; status?: number; deleted?: boolean; tokens: number }[] = [
  { username: 'root', role: 100, group: 'default', tokens: 4 },
  { username: 'studio', role: 1, group: 'default', tokens: 21 },
  { username: 'alice', role: 1, group: 'default', tokens: 12 },
  { username: 'bob', role: 1, group: 'default', tokens: 9 },
  { username: 'carol', role: 1, group: 'default', tokens: 8 },
  { username: 'vip-dave', role: 1, group: 'vip', tokens: 9 },
  { username: 'banned-eve', role: 1, group: 'default', status: 2, tokens: 0 },
  { username: 'gone-frank', role: 1, group: 'default', deleted: true, tokens: 0 },
];

// The names the operator's documents mention first ("111", "222", "333") among the repaired ones.
const REPAIRED_NAMES = ['111', '222', '333', 'runway-test', 'pika-test', 'kling-test', 'web', 'app', 'demo', 'ci', 'old', 'backup'];

export async function seedIncident(db: Queryable, opts: SeedOptions = {}): Promise<SeedResult> {
  const variant = opts.variant ?? 'bf';
  if ((variant as RelayVariant) === 'one-api') throw new Error('the seed incident needs token groups: use a new-api family variant');
  if (opts.createSchema ?? true) await createRelaySchema(db, variant);
  const now = nowSeconds();
  const upstream = opts.upstreamBaseUrl ?? SEED_DEFAULT_UPSTREAM;

  // Channels: ids as the operator had them (gaps where channels were deleted).
  const channelIds: number[] = [];
  channelIds.push(
    await insertChannel(db, {
      id: 1,
      type: 1,
      name: 'OpenAI',
      models: 'gpt-4o-mini,gpt-4o',
      group: 'default,vip',
      baseUrl: 'https://api.openai.com',
      testModel: 'gpt-4o-mini',
      createdTime: now - 86400 * 40,
    }),
  );
  channelIds.push(
    await insertChannel(db, {
      id: 2,
      type: 14,
      name: 'Claude (paused)',
      models: 'claude-3-5-sonnet-20241022',
      group: 'vip',
      status: 2,
      baseUrl: 'https://api.anthropic.com',
      createdTime: now - 86400 * 35,
    }),
  );
  channelIds.push(
    await insertChannel(db, {
      id: 5,
      type: 55,
      name: 'Bltcy 旧网关 (old key)',
      models: 'runway,pika',
      group: 'default',
      status: 3,
      baseUrl: upstream,
      otherInfo: { status_reason: 'All keys are disabled', status_time: now - 86400 * 12 },
      createdTime: now - 86400 * 30,
    }),
  );
  const channelId = await insertChannel(db, {
    id: SEED_CHANNEL_ID,
    type: 55,
    name: 'Bltcy 旧网关',
    models: 'kling,runway,suno,pika',
    group: 'default',
    baseUrl: upstream,
    createdTime: now - 86400 * 10,
  });
  channelIds.push(channelId);

  // Users and their 63 tokens; the repaired ones are studio's first 12 (its front end's tokens).
  const userIds: number[] = [];
  const tokenIds: number[] = [];
  const repairedTokenIds: number[] = [];
  let deletedUserId = 0;
  let usable: { id: number; key: string; userId: number } | undefined;
  let n = 0;
  for (const u of USERS) {
    const uid = await insertUser(db, {
      username: u.username,
      role: u.role,
      group: u.group,
      status: u.status,
      deletedAt: u.deleted ? new Date((now - 86400 * 3) * 1000) : undefined,
      quota: 50_000_000,
    });
    userIds.push(uid);
    if (u.deleted) deletedUserId = uid;
    for (let i = 0; i < u.tokens; i++) {
      const repaired = u.username === 'studio' && i < SEED_REPAIRED_TOKENS;
      const name = repaired ? REPAIRED_NAMES[i]! : `${u.username}-${i + 1}`;
      const tk = await insertToken(db, {
        userId: uid,
        name,
        group: 'default',
        unlimitedQuota: i % 3 === 0,
        remainQuota: 2_000_000 + 10_000 * n,
        createdTime: now - 86400 * (60 - n / 2),
        accessedTime: now - 3600 * (n % 24),
      });
      tokenIds.push(tk.id);
      if (repaired) repairedTokenIds.push(tk.id);
      // Token "111" of user "studio": the one the operator's front end used.
      if (!usable && repaired) usable = { ...tk, userId: uid };
      n++;
    }
  }
  if (n !== SEED_TOKEN_COUNT || repairedTokenIds.length !== SEED_REPAIRED_TOKENS || !usable) throw new Error('seed incident: token layout is inconsistent');

  await setOption(db, 'GroupRatio', { default: 1, vip: 1, svip: 1 });
  await setOption(db, 'UserUsableGroups', { default: '默认分组', vip: 'vip分组' });
  // No runway here and none in ModelRatio: the passthrough bills it at the flat base quota.
  await setOption(db, 'ModelPrice', { kling: 0.5, suno: 0.1, pika: 0.3 });
  await setOption(db, 'ModelRatio', { 'gpt-4o-mini': 0.075, 'gpt-4o': 1.25, 'claude-3-5-sonnet-20241022': 1.5 });
  await setOption(db, 'AutoGroups', ['default']);
  await setOption(db, 'QuotaPerUnit', '500000');
  await setOption(db, 'RetryTimes', '0');
  await setOption(db, 'SystemName', variant === 'bf' ? 'API Gateway' : 'New API');

  // Consume rows the passthrough wrote before the incident (RB §10.9): the only trace it leaves.
  const studio = userIds[1]!;
  const consumes: [string, number, string][] = [
    ['kling', 250_000, 'price'],
    ['runway', 1000, 'base'],
    ['pika', 150_000, 'price'],
    ['runway', 1000, 'base'],
  ];
  for (const [i, [model, quota, source]] of consumes.entries()) {
    const price = source === 'price' ? quota / 500_000 : 0;
    await insertLog(db, {
      userId: studio,
      createdAt: now - 86400 * 2 + i * 600,
      type: 2,
      content: `Bltcy透传（${model}/${model}），价格: $${price.toFixed(4)}, 配额: ${quota}, 来源: ${source}`,
      username: 'studio',
      tokenName: '111',
      tokenId: usable.id,
      modelName: model,
      quota,
      promptTokens: 1,
      completionTokens: 1,
      channelId,
      group: 'default',
      other: { model_price: price, completion_ratio: 1, model_ratio: 1, group_ratio: 1, channel_ratio: 1 },
    });
  }
  await insertRow(db, 'setups', { id: 1, version: variant === 'bf' ? '' : 'v0.9.16', initialized_at: now - 86400 * 40 });

  return {
    variant,
    channelId,
    channelIds,
    userIds,
    deletedUserId,
    tokenIds,
    repairedTokenIds,
    tokenId: usable.id,
    userId: usable.userId,
    tokenKey: usable.key,
  };
}

/** The database behind the README's first command: a BF relay in the seed incident's state. */
export async function sampleRelay(db: Queryable, opts: Omit<SeedOptions, 'variant'> = {}): Promise<SeedResult> {
  return seedIncident(db, { ...opts, variant: 'bf' });
}
