import type { Snapshot } from '../../diagnose/facts.js';
import type { RedisFacts, RedisHash } from '../../live/types.js';
import type { TokenRow, UserRow } from '../../relay/model.js';
import type { Finding } from '../../types.js';
import type { Check } from '../types.js';
import { finding } from '../report.js';
import { redisDelCommand } from '../../remedies/commands.js';

// The Redis hashes TokenAuth reads before the database (RB §7), field by field against the rows
// (F34, F35, F36, F37). Every difference names the field, the key, its TTL and the remedy.

export interface FieldDiff {
  field: string;
  redis: string;
  row: string;
}

const q = JSON.stringify;
const boolText = (b: boolean) => (b ? 'true' : 'false');

/** Fields of the new-api token hash that change TokenAuth's decision. */
export function tokenDiffs(h: Record<string, string>, t: TokenRow): FieldDiff[] {
  const out: FieldDiff[] = [];
  const cmp = (field: string, row: string) => {
    if (field in h && h[field] !== row) out.push({ field, redis: h[field]!, row });
  };
  cmp('Group', t.group ?? '');
  cmp('Status', String(t.status));
  cmp('ExpiredTime', String(t.expiredTime));
  cmp('UnlimitedQuota', boolText(t.unlimitedQuota));
  cmp('ModelLimitsEnabled', boolText(t.modelLimitsEnabled));
  cmp('ModelLimits', t.modelLimits ?? '');
  cmp('AllowIps', t.allowIps ?? '');
  // Quota moves with every request (HINCRBY on the hash): only a different verdict counts.
  if ('RemainQuota' in h && !t.unlimitedQuota) {
    const r = Number(h.RemainQuota);
    if (Number.isFinite(r) && r <= 0 !== t.remainQuota <= 0) out.push({ field: 'RemainQuota', redis: h.RemainQuota!, row: String(t.remainQuota) });
  }
  return out;
}

export function userDiffs(h: Record<string, string>, u: UserRow, build: string): FieldDiff[] {
  // NA-main ignores a hash without CacheSchema 2 (RB §7.2): it is not what TokenAuth reads.
  if (build === 'NA-main' && h.CacheSchema !== undefined && h.CacheSchema !== '2') return [];
  const out: FieldDiff[] = [];
  if ('Group' in h && h.Group !== (u.group ?? '')) out.push({ field: 'Group', redis: h.Group!, row: u.group ?? '' });
  if ('Status' in h && h.Status !== String(u.status)) out.push({ field: 'Status', redis: h.Status!, row: String(u.status) });
  if ('AuthVersion' in h && u.authVersion !== undefined && u.authVersion !== null && h.AuthVersion !== String(u.authVersion)) out.push({ field: 'AuthVersion', redis: h.AuthVersion!, row: String(u.authVersion) });
  return out;
}

function diffText(d: FieldDiff[]): string {
  return d.map((x) => `${x.field} ${q(x.redis)} (Redis) vs ${q(x.row)} (row)`).join(', ');
}

function ttlText(ttl: number): string {
  if (ttl === -1) return 'no expiry';
  if (ttl < 0) return 'gone';
  return `TTL ${ttl} s`;
}

function remedy(r: RedisFacts, key: string, ttl: number, shownKey = key): { text: string; commands: string[] } {
  const text = ttl > 0 ? `Wait ${ttl} s (the key expires and the next request reloads the row), or delete that one key now.` : `Delete that one key now${ttl === -1 ? ' (it has no expiry)' : ''}.`;
  return { text: `${text} relay-doctor only reads Redis.`, commands: [redisDelCommand(r.dbIndex, shownKey)] };
}

function newApi(snap: Snapshot, r: RedisFacts, t: TokenRow, u: UserRow | undefined): Finding[] {
  const out: Finding[] = [];
  const copies = r.tokenHashes.length;
  for (const h of r.tokenHashes) {
    const d = tokenDiffs(h.fields, t);
    if (!d.length) continue;
    const how = r.tokenLookup === 'hmac' ? `HMAC of the key with ${r.secretFrom}` : `found by SCAN on its Id field${copies > 1 ? `; ${copies} copies exist, written by nodes with different secrets (F36)` : ''}`;
    out.push(
      finding('CACHE_STALE_TOKEN', `Redis hash ${h.key} (${ttlText(h.ttl)}) is older than tokens row #${t.id}: ${diffText(d)}. TokenAuth reads this hash before the database, so the relay still acts on the old ${d.map((x) => x.field).join(', ')}`, {
        subject: { tokenId: t.id, key: h.key },
        evidence: { key: h.key, ttl: h.ttl, fields: d, lookup: how, redisDb: r.dbIndex },
        remedy: remedy(r, h.key, h.ttl),
      }),
    );
  }
  if (u && r.userHash) {
    const d = userDiffs(r.userHash.fields, u, snap.product.build);
    if (d.length) {
      const h: RedisHash = r.userHash;
      out.push(
        finding('CACHE_STALE_USER', `Redis hash ${h.key} (${ttlText(h.ttl)}) is older than users row #${u.id}: ${diffText(d)}. TokenAuth takes the user's group and status from it`, {
          subject: { userId: u.id, key: h.key },
          evidence: { key: h.key, ttl: h.ttl, fields: d, redisDb: r.dbIndex },
          remedy: remedy(r, h.key, h.ttl),
        }),
      );
    }
  }
  const av = r.authVersion;
  if (u && av) {
    const floor = Number(av.value);
    const row = u.authVersion;
    if (Number.isFinite(floor) && row !== undefined && row !== null && floor > row) {
      out.push(
        finding('AUTH_VERSION_FENCE', `Redis ${av.key} = ${floor} is above users.auth_version = ${row} for user #${u.id}: every request of this user fails with 500 "Database error…" until the key goes (it has ${ttlText(av.ttl)})`, {
          subject: { userId: u.id, key: av.key },
          evidence: { key: av.key, value: floor, row, ttl: av.ttl, fence: r.authFence ? { key: r.authFence.key, value: r.authFence.value, ttl: r.authFence.ttl } : undefined, redisDb: r.dbIndex },
          remedy: { text: `Delete the key, or raise users.auth_version above ${floor}.`, commands: [redisDelCommand(r.dbIndex, av.key)] },
        }),
      );
    }
  }
  return out;
}

function oneApi(r: RedisFacts, t: TokenRow, u: UserRow | undefined): Finding[] {
  const out: Finding[] = [];
  const o = r.oneApi;
  const tj = o?.token?.json;
  if (o?.token && tj) {
    const d: FieldDiff[] = [];
    const cmp = (field: string, redis: unknown, row: string) => {
      if (redis !== undefined && String(redis) !== row) d.push({ field, redis: String(redis), row });
    };
    cmp('status', tj.status, String(t.status));
    cmp('expired_time', tj.expired_time, String(t.expiredTime));
    cmp('unlimited_quota', tj.unlimited_quota, boolText(t.unlimitedQuota));
    cmp('models', tj.models ?? '', t.models ?? '');
    cmp('subnet', tj.subnet ?? '', t.subnet ?? '');
    const rq = Number(tj.remain_quota);
    if (!t.unlimitedQuota && Number.isFinite(rq) && rq <= 0 !== t.remainQuota <= 0) d.push({ field: 'remain_quota', redis: String(rq), row: String(t.remainQuota) });
    if (d.length) {
      // one-api names the key after the raw token key: never print it.
      const shown = `token:<key of token #${t.id}>`;
      out.push(
        finding('CACHE_STALE_TOKEN', `one-api's Redis ${shown} (${ttlText(o.token.ttl)}) is older than tokens row #${t.id}: ${diffText(d)}`, {
          subject: { tokenId: t.id, key: shown },
          evidence: { key: shown, ttl: o.token.ttl, fields: d, redisDb: r.dbIndex },
          remedy: remedy(r, shown, o.token.ttl, `"token:$KEY"   # KEY = the token's key without sk-`),
        }),
      );
    }
  }
  if (u && o?.userGroup && o.userGroup.value !== (u.group ?? '')) {
    const g = o.userGroup;
    out.push(finding('CACHE_STALE_USER', `one-api's Redis ${g.key} (${ttlText(g.ttl)}) is ${q(g.value)}, users row #${u.id} has group ${q(u.group ?? '')}`, { subject: { userId: u.id, key: g.key }, evidence: { key: g.key, ttl: g.ttl, fields: [{ field: 'group', redis: g.value, row: u.group ?? '' }] }, remedy: remedy(r, g.key, g.ttl) }));
  }
  if (u && o?.userEnabled) {
    const e = o.userEnabled;
    const row = u.status === 1 ? '1' : '0';
    if (e.value !== row) out.push(finding('CACHE_STALE_USER', `one-api's Redis ${e.key} (${ttlText(e.ttl)}) is ${q(e.value)}, users row #${u.id} has status ${u.status}`, { subject: { userId: u.id, key: e.key }, evidence: { key: e.key, ttl: e.ttl, fields: [{ field: 'enabled', redis: e.value, row }] }, remedy: remedy(r, e.key, e.ttl) }));
  }
  return out;
}

export const redisHashes: Check = {
  id: 'cache/redis-hashes',
  stage: 'cache',
  scope: 'relay',
  codes: ['CACHE_STALE_TOKEN', 'CACHE_STALE_USER', 'AUTH_VERSION_FENCE'],
  description: "the Redis token and user hashes TokenAuth reads, field by field against the rows",
  run({ snap, target }) {
    const r = snap.live?.redis;
    const t = target.token?.token;
    if (!r?.ok || !t || target.cell) return [];
    const u = target.token?.user;
    return r.format === 'one-api' ? oneApi(r, t, u) : newApi(snap, r, t, u);
  },
};
