import type { RunContext } from '../context/types.js';
import { Secret } from '../context/secret.js';
import type { Db } from '../db/types.js';
import { str } from '../data/normalize.js';
import type { ColumnChange } from './apply-columns.js';
import { chunks, marks } from './db.js';
import { invalidateCaches } from './redis-invalidate.js';

// After a token/user fix commits: delete the relay's cached copies so the change is live now,
// or say how long each node keeps the old values (RB §5.8, §7).

export interface Effect {
  deleted: string[];
  notes: string[];
  warnings: string[];
}

function reprobe(ctx: RunContext, applied: ColumnChange[]): string {
  const url = ctx.relayUrls.length ? ctx.relayUrls.map((u) => `--relay-url ${u}`).join(' ') : '--relay-url <relay>';
  const token = applied.find((c) => c.table === 'tokens');
  const who = token ? ` --token-id ${token.id}` : '';
  return `re-probe until it converges: relay-doctor diagnose ${url}${who}`;
}

async function storedKeys(db: Db, ids: number[]): Promise<{ id: number; key: Secret }[]> {
  const out: { id: number; key: Secret }[] = [];
  const q = db.dialect.q;
  for (const part of chunks(ids, 500)) {
    const rows = await db.query(`SELECT id, ${q('key')} AS k FROM tokens WHERE id IN (${marks(part.length)})`, part);
    for (const r of rows) out.push({ id: Number(r.id), key: new Secret(str(r.k) ?? '') });
  }
  return out;
}

export async function takeEffect(ctx: RunContext, db: Db, family: 'new-api' | 'one-api', syncFrequency: number, applied: ColumnChange[]): Promise<Effect> {
  const effect: Effect = { deleted: [], notes: [], warnings: [] };
  if (!applied.length) return effect;
  const tokenIds = [...new Set(applied.filter((c) => c.table === 'tokens').map((c) => c.id))];
  const userIds = [...new Set(applied.filter((c) => c.table === 'users').map((c) => c.id))];
  const window = `up to SYNC_FREQUENCY (${syncFrequency} s) on each node`;
  if (!ctx.redis) {
    effect.notes.push(
      `no Redis given (--redis or REDIS_CONN_STRING): a relay without Redis reads tokens and users from the database on every request, so the change is live now; ` +
        `a relay with Redis keeps its cached token:/user: hashes for ${window}. ${reprobe(ctx, applied)}`,
    );
    return effect;
  }
  const secretText = ctx.env.values.CRYPTO_SECRET || ctx.env.values.SESSION_SECRET;
  const secret = secretText ? new Secret(secretText) : undefined;
  const tokens = family === 'new-api' && tokenIds.length ? (secret ? await storedKeys(db, tokenIds) : tokenIds.map((id) => ({ id, key: new Secret('') }))) : [];
  const res = await invalidateCaches({ url: ctx.redis.url, family, secret, tokens, userIds });
  if (res.error) {
    effect.warnings.push(`Redis at ${ctx.redis.redacted} could not be reached (${res.error}): the relay keeps the old token/user values for ${window}. ${reprobe(ctx, applied)}`);
    return effect;
  }
  effect.deleted = res.deleted;
  const how = res.tokenLookup === 'scan' ? ' (no CRYPTO_SECRET/SESSION_SECRET: token hashes found by SCAN on their Id field)' : '';
  effect.notes.push(
    res.deleted.length
      ? `deleted ${res.deleted.length} cached hash(es) in Redis${how}: every node reads the new values from the database at its next request`
      : `Redis held no cached hash for the changed rows${how}: the relay reads them from the database at the next request`,
  );
  if (family === 'new-api' && tokenIds.length && res.tokenLookup === 'hmac') {
    effect.notes.push('token hashes were named with the HMAC secret from the relay environment; a node started with another secret caches under other names (SECRET_EPHEMERAL) and keeps those for its TTL');
  }
  return effect;
}
