import type { ProductInfo } from './product.js';

// What the relay makes of its environment (RB §5.1, §12).

export interface RelaySettings {
  redisSet: boolean;
  /** MEMORY_CACHE_ENABLED as written, and whether it is exactly "true". */
  memoryCacheRaw?: string;
  memoryCacheExplicit: boolean;
  /** Whether the running relay routes from its memory cache (forced on by Redis). */
  memoryCacheOn: boolean;
  forcedByRedis: boolean;
  syncFrequency: number;
  syncFrequencyNote?: string;
  /** HMAC secret for Redis token keys is fixed (CRYPTO_SECRET or SESSION_SECRET). */
  secretKnown: boolean;
  nodeType: 'master' | 'slave';
  errorLogEnabled: boolean;
}

function goParseBool(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
}

/** `redisGiven`: relay-doctor was handed the relay's Redis (--redis), so the relay uses one. */
export function relaySettings(env: Record<string, string>, product: ProductInfo, redisGiven = false): RelaySettings {
  const oneApi = product.family === 'one-api';
  const defaultSync = oneApi ? 600 : 60;
  const rawSync = env.SYNC_FREQUENCY;
  // one-api enables Redis only when SYNC_FREQUENCY is set too (common/redis.go).
  const redisSet = (Boolean(env.REDIS_CONN_STRING) || redisGiven) && (!oneApi || Boolean(rawSync));
  let syncFrequency = defaultSync;
  let syncFrequencyNote: string | undefined;
  if (rawSync !== undefined && rawSync !== '') {
    const n = Number(rawSync);
    if (Number.isInteger(n)) syncFrequency = n;
    else syncFrequencyNote = `SYNC_FREQUENCY="${rawSync}" is not an integer: the relay uses ${defaultSync}`;
  }
  const memoryCacheExplicit = env.MEMORY_CACHE_ENABLED === 'true';
  return {
    redisSet,
    memoryCacheRaw: env.MEMORY_CACHE_ENABLED,
    memoryCacheExplicit,
    memoryCacheOn: memoryCacheExplicit || redisSet,
    forcedByRedis: redisSet && !memoryCacheExplicit,
    syncFrequency,
    syncFrequencyNote,
    secretKnown: Boolean(env.CRYPTO_SECRET || env.SESSION_SECRET),
    nodeType: env.NODE_TYPE === 'slave' ? 'slave' : 'master',
    errorLogEnabled: goParseBool(env.ERROR_LOG_ENABLED) ?? false,
  };
}
