// The relay's Redis token and user hashes (RB §7.1, §7.2): read first, written on a miss with
// EXPIRE = SYNC_FREQUENCY. Field names and string encodings follow the relay's reflection writer.

import { createHmac } from 'node:crypto';
import { Redis } from 'ioredis';
import type { TokenRec, UserRec } from './store.js';
import type { SandboxProduct } from './types.js';

export function tokenHashKey(secret: string, rawKey: string): string {
  return `token:${createHmac('sha256', secret).update(rawKey).digest('hex')}`;
}

export const userHashKey = (id: number) => `user:${id}`;

function intField(v: string | undefined): number {
  if (v === undefined) return 0;
  if (!/^-?\d+$/.test(v)) throw new Error('failed to parse int field');
  return Number(v);
}

function boolField(v: string | undefined): boolean {
  if (v === undefined) return false;
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(v)) return false;
  throw new Error('failed to parse bool field');
}

export class RelayRedis {
  readonly client: Redis;

  constructor(
    url: string,
    private readonly secret: string,
    private readonly ttlSeconds: number,
    private readonly product: SandboxProduct,
  ) {
    this.client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5000, retryStrategy: () => null });
    this.client.on('error', () => undefined);
  }

  async connect(): Promise<void> {
    await this.client.connect();
    await this.client.ping();
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }

  tokenKey(rawKey: string): string {
    return tokenHashKey(this.secret, rawKey);
  }

  /** cacheGetTokenByKey: any miss or parse failure falls through to the database (null). */
  async getToken(rawKey: string): Promise<TokenRec | null> {
    try {
      const h = await this.client.hgetall(this.tokenKey(rawKey));
      if (!h || !Object.keys(h).length) return null;
      return {
        id: intField(h.Id),
        userId: intField(h.UserId),
        key: rawKey,
        status: intField(h.Status),
        name: h.Name ?? '',
        createdTime: intField(h.CreatedTime),
        accessedTime: intField(h.AccessedTime),
        expiredTime: intField(h.ExpiredTime),
        remainQuota: intField(h.RemainQuota),
        unlimitedQuota: boolField(h.UnlimitedQuota),
        modelLimitsEnabled: boolField(h.ModelLimitsEnabled),
        modelLimits: h.ModelLimits ?? '',
        // A pointer field written as '' reads back as nil.
        allowIps: h.AllowIps ? h.AllowIps : null,
        usedQuota: intField(h.UsedQuota),
        group: h.Group ?? '',
        externalUserId: h.ExternalUserId,
      };
    } catch {
      return null;
    }
  }

  /** cacheSetToken: HSET every field (Key cleared) and EXPIRE, in one transaction. */
  async setToken(t: TokenRec): Promise<void> {
    const fields: Record<string, string> = {
      Id: String(t.id),
      UserId: String(t.userId),
      Key: '',
      Status: String(t.status),
      Name: t.name,
      CreatedTime: String(t.createdTime),
      AccessedTime: String(t.accessedTime),
      ExpiredTime: String(t.expiredTime),
      RemainQuota: String(t.remainQuota),
      UnlimitedQuota: String(t.unlimitedQuota),
      ModelLimitsEnabled: String(t.modelLimitsEnabled),
      ModelLimits: t.modelLimits,
      AllowIps: t.allowIps ?? '',
      UsedQuota: String(t.usedQuota),
      Group: t.group,
    };
    if (this.product === 'bltcy') fields.ExternalUserId = t.externalUserId ?? '';
    await this.hsetExpire(this.tokenKey(t.key), fields);
  }

  /** cacheIncrTokenQuota: HINCRBY keeps the remaining TTL. */
  async addTokenQuota(rawKey: string, delta: number): Promise<void> {
    await this.client.hincrby(this.tokenKey(rawKey), 'RemainQuota', delta).catch(() => undefined);
  }

  async getUser(id: number): Promise<Omit<UserRec, 'role'> | null> {
    try {
      const h = await this.client.hgetall(userHashKey(id));
      if (!h || !Object.keys(h).length) return null;
      return {
        id: intField(h.Id),
        group: h.Group ?? '',
        email: h.Email ?? '',
        quota: intField(h.Quota),
        status: intField(h.Status),
        username: h.Username ?? '',
        setting: h.Setting ?? '',
      };
    } catch {
      return null;
    }
  }

  async setUser(u: UserRec): Promise<void> {
    await this.hsetExpire(userHashKey(u.id), {
      Id: String(u.id),
      Group: u.group,
      Email: u.email,
      Quota: String(u.quota),
      Status: String(u.status),
      Username: u.username,
      Setting: u.setting,
    });
  }

  private async hsetExpire(key: string, fields: Record<string, string>): Promise<void> {
    const tx = this.client.multi().hset(key, fields);
    // No EXPIRE at all when the TTL is ≤ 0 (RB §5.8).
    if (this.ttlSeconds > 0) tx.expire(key, this.ttlSeconds);
    await tx.exec();
  }
}
